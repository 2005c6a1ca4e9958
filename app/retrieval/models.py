"""Saved excerpt queries, the retrieval indexes, and the tallies the matrices read.

The tallies are derived from live codings (app/retrieval/tallies.py keeps them): per
document, each code's excerpts and each pair of codes' overlaps; per site, their sums.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.coding.models import Coding
from app.db import Base, utcnow
from app.documents.models import Document


class SavedQuery(Base):
    __tablename__ = "saved_queries"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict] = mapped_column(default=dict)   # ExcerptFilter.to_params()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Retrieval reads live codings by document and span (overlaps, a page's documents) and by
# code (a code's excerpts), and documents by their scope and sort keys, from these alone
# (the ids are in them so PostgreSQL can answer from the index too).
_LIVE = Coding.deleted_at.is_(None)
Index("ix_codings_live_span", Coding.document_id, Coding.start, Coding.end, Coding.code_id,
      Coding.id, sqlite_where=_LIVE, postgresql_where=_LIVE)
Index("ix_codings_live_code", Coding.code_id, Coding.document_id, Coding.start, Coding.end,
      Coding.id, sqlite_where=_LIVE, postgresql_where=_LIVE)
Index("ix_documents_scope", Document.project_id, Document.site_id, Document.date,
      Document.kind, Document.fieldwork_period, Document.title, Document.id)


def _document() -> Mapped[int]:
    return mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


def _site() -> Mapped[int]:
    return mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)


def _code() -> Mapped[int]:
    # No foreign key: a code is only ever deleted when it never had codings (so no tallies),
    # and checking one would scan these large tables on every code deletion.
    return mapped_column(primary_key=True)


class DocumentCodeTally(Base):
    """A document's live excerpts of one code."""

    __tablename__ = "tally_document_codes"
    __table_args__ = {"sqlite_with_rowid": False}   # clustered by the key

    document_id: Mapped[int] = _document()
    code_id: Mapped[int] = _code()
    excerpts: Mapped[int]


class DocumentPairTally(Base):
    """In one document, the overlapping pairs of live codings of two codes (lo < hi by id),
    and how many codings of each code overlap at least one of the other's."""

    __tablename__ = "tally_document_pairs"
    __table_args__ = {"sqlite_with_rowid": False}   # clustered by the key

    document_id: Mapped[int] = _document()
    code_lo: Mapped[int] = _code()
    code_hi: Mapped[int] = _code()
    pairs: Mapped[int]
    hits_lo: Mapped[int]
    hits_hi: Mapped[int]


class SiteCodeTally(Base):
    """The sums of DocumentCodeTally over a site's documents (documents: those with any)."""

    __tablename__ = "tally_site_codes"
    __table_args__ = {"sqlite_with_rowid": False}   # clustered by the key

    site_id: Mapped[int] = _site()
    code_id: Mapped[int] = _code()
    excerpts: Mapped[int]
    documents: Mapped[int]


class SitePairTally(Base):
    """The sums of DocumentPairTally over a site's documents (documents: those with any)."""

    __tablename__ = "tally_site_pairs"
    __table_args__ = {"sqlite_with_rowid": False}   # clustered by the key

    site_id: Mapped[int] = _site()
    code_lo: Mapped[int] = _code()
    code_hi: Mapped[int] = _code()
    pairs: Mapped[int]
    hits_lo: Mapped[int]
    hits_hi: Mapped[int]
    documents: Mapped[int]
