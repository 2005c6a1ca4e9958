"""Codings: a code applied to a span of a document's text by a person.

Offsets are code points into `Document.text`, half-open [start, end); `quote` keeps the
coded text so every coding can be checked against the document. Removal is a soft delete.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

ORIGINS = ("manual", "suggested", "imported")


class Coding(Base):
    __tablename__ = "codings"
    __table_args__ = (
        CheckConstraint('0 <= start AND start < "end"', name="span"),
        CheckConstraint("origin IN ('manual', 'suggested', 'imported')", name="origin"),
        CheckConstraint("length(quote) > 0", name="quote"),
        ForeignKeyConstraint(["document_id", "project_id"],
                             ["documents.id", "documents.project_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["code_id", "project_id"], ["codes.id", "codes.project_id"]),
        ForeignKeyConstraint(["codebook_version_id", "project_id"],
                             ["codebook_versions.id", "codebook_versions.project_id"]),
        Index("ix_codings_document_start", "document_id", "start"),
        Index("ix_codings_code", "code_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    document_id: Mapped[int]
    code_id: Mapped[int]
    codebook_version_id: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    quote: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    rule: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
