"""Suggestions: codings proposed by the codebook's patterns, for a person to decide on.

Nothing is coded without a decision: accepting makes a coding (origin "suggested", with the
rule), rejecting is remembered so the same span is not proposed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

STATUSES = ("pending", "accepted", "rejected")


class Suggestion(Base):
    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("document_id", "code_id", "start", "end"),
        CheckConstraint('0 <= start AND start < "end"', name="span"),
        CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="status"),
        ForeignKeyConstraint(["document_id", "project_id"],
                             ["documents.id", "documents.project_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["code_id", "project_id"], ["codes.id", "codes.project_id"],
                             ondelete="CASCADE"),
        Index("ix_suggestions_project_status_code", "project_id", "status", "code_id"),
        Index("ix_suggestions_document_start", "document_id", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    document_id: Mapped[int]
    code_id: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    rule: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestionState(Base):
    """What a document was last checked with, so a re-run skips unchanged documents."""

    __tablename__ = "suggestion_states"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    patterns_hash: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    found: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
