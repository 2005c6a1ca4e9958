"""Projects (studies), their members, and their case-study sites."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class Role(StrEnum):
    """A member's role; permissions are asked of the role, never spelled out in handlers."""

    OWNER = "owner"
    CODER = "coder"
    VIEWER = "viewer"

    def can_edit(self) -> bool:
        """Add documents, code, write memos."""
        return self in (Role.OWNER, Role.CODER)

    def can_manage(self) -> bool:
        """Change the project itself: sites, members, codebook."""
        return self is Role.OWNER


GOVERNANCE = ("statutory", "voluntary")


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    auto_suggest: Mapped[bool] = mapped_column(default=False)
    # the codebook's trained ranker (app/nlp/ranker.py) filters and adds suggestions
    rank_suggestions: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint("role IN ('owner', 'coder', 'viewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Site(Base):
    """A case-study site. (id, project_id) is unique so documents can point at both."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("project_id", "slug"),
        UniqueConstraint("id", "project_id"),
        CheckConstraint("governance IS NULL OR governance IN ('statutory', 'voluntary')",
                        name="governance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    strand: Mapped[str] = mapped_column(String(200), default="")
    governance: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(100), default="")
    attributes: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
