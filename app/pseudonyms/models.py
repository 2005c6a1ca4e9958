"""The project's register of real names and the pseudonyms that replace them.

Owners only may see it: it is the key that undoes the pseudonymisation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

CATEGORIES = ("person", "place", "organisation")


class PseudonymEntry(Base):
    __tablename__ = "pseudonyms"
    __table_args__ = (
        UniqueConstraint("project_id", "real_name"),
        UniqueConstraint("project_id", "pseudonym"),
        CheckConstraint("category IN ('person', 'place', 'organisation')", name="category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    real_name: Mapped[str] = mapped_column(String(200))
    pseudonym: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16), default="person")
    role_hint: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
