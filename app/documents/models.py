"""Documents (fieldnotes, transcripts ...), the project's speakers, and speaker turns.

`Document.text` is the normalised text (NFC, LF). Offsets everywhere are Python `str`
indices (code points) into it, half-open [start, end).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, Index,
                        LargeBinary, String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

DOCUMENT_KINDS = {
    "observation": "Observation",
    "interview": "Interview",
    "clarification_discussion": "Clarification discussion",
    "case_file": "Case file",
    "policy_guidance": "Policy or guidance",
    "reflective_group": "Reflective group",
    "journey_mapping": "Journey mapping",
}
_KIND_LIST = ", ".join(f"'{kind}'" for kind in DOCUMENT_KINDS)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("project_id", "content_hash"),
        UniqueConstraint("id", "project_id"),
        ForeignKeyConstraint(["site_id", "project_id"], ["sites.id", "sites.project_id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind"),
        Index("ix_documents_site_date", "site_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    site_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date | None]
    researcher: Mapped[str] = mapped_column(String(200), default="")
    fieldwork_period: Mapped[str] = mapped_column(String(100), default="")
    original_filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(8))
    original_bytes: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Speaker(Base):
    """A speaker label used in a project's transcripts, with the role and agency given to it."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")
    agency: Mapped[str] = mapped_column(String(200), default="")


class Turn(Base):
    """A speaker turn: the span of one speaker's words in a document's text."""

    __tablename__ = "turns"
    __table_args__ = (
        CheckConstraint('0 <= start AND start < "end"', name="span"),
        Index("ix_turns_document_start", "document_id", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    time_start_ms: Mapped[int | None]
    time_end_ms: Mapped[int | None]
