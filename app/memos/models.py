"""Memos: a researcher's Markdown notes on a project, site, document, code or coding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

MEMO_KINDS = {
    "analytic": "Analytic",
    "reflexive": "Reflexive",
    "interest": "In whose interest?",
    "methodological": "Methodological",
}
TARGETS = ("site_id", "document_id", "code_id", "coding_id")
_ONE_TARGET = " + ".join(f"(CASE WHEN {t} IS NULL THEN 0 ELSE 1 END)" for t in TARGETS)


class Memo(Base):
    """Attached to the project itself when no target is set, else to exactly one target."""

    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint(f"{_ONE_TARGET} <= 1", name="one_target"),
        CheckConstraint("kind IN ('analytic', 'reflexive', 'interest', 'methodological')",
                        name="kind"),
        CheckConstraint("length(body) > 0", name="body"),
        Index("ix_memos_project_kind", "project_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"),
                                                index=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"),
                                                index=True)
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"),
                                                  index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]
