"""The tallies the matrices read: kept in step with the live codings of each document.

Per document: each code's live excerpts, and for each pair of codes the overlapping pairs
of codings and how many codings of either side overlap the other (tally_document_*).
Per site: their sums (tally_site_*), which a whole-project matrix reads in milliseconds.

Whoever changes a document's codings calls `refresh(session, document_ids=[...])` after
the change, in the same transaction: it recounts those documents from their live codings
(a few dozen rows each) and moves the site sums by the difference. A merge re-points
codings across many documents: ask `documents_with_code` for them before the UPDATE.
Deleting a document: `refresh(..., forget=True)` first. `rebuild` recounts a whole
project (the bench; a bulk import; or to repair tallies that missed a change).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, distinct, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.coding.models import Coding
from app.documents.models import Document
from app.projects.models import Project
from app.retrieval.models import (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                  SitePairTally)

DC, DP, SC, SP = (m.__table__ for m in (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                        SitePairTally))
PAIR_VALUES = ("pairs", "hits_lo", "hits_hi")


def _document_codes(documents):
    """INSERT ... SELECT of the documents' code tallies (documents: a select of ids)."""
    c = Coding.__table__
    return insert(DC).from_select(["document_id", "code_id", "excerpts"], select(
        c.c.document_id, c.c.code_id, func.count()).where(
        c.c.deleted_at.is_(None), c.c.document_id.in_(documents))
        .group_by(c.c.document_id, c.c.code_id))


def _document_pairs(documents):
    """INSERT ... SELECT of the documents' pair tallies (documents: a select of ids)."""
    a, b = Coding.__table__.alias("a"), Coding.__table__.alias("b")
    return insert(DP).from_select(
        ["document_id", "code_lo", "code_hi", *PAIR_VALUES],
        select(a.c.document_id, a.c.code_id, b.c.code_id, func.count(),
               func.count(distinct(a.c.id)), func.count(distinct(b.c.id)))
        .join(b, and_(b.c.document_id == a.c.document_id, b.c.code_id > a.c.code_id,
                      b.c.deleted_at.is_(None), b.c.start < a.c.end, b.c.end > a.c.start))
        .where(a.c.deleted_at.is_(None), a.c.document_id.in_(documents))
        .group_by(a.c.document_id, a.c.code_id, b.c.code_id))


def rebuild(session: Session, *, project: Project) -> None:
    """Recount every tally of the project from its live codings."""
    docs = select(Document.id).where(Document.project_id == project.id)
    sites = select(Document.site_id).where(Document.project_id == project.id)
    for table in (DC, DP):
        session.execute(delete(table).where(table.c.document_id.in_(docs)))
    for table in (SC, SP):
        session.execute(delete(table).where(table.c.site_id.in_(sites)))
    session.execute(_document_codes(docs))
    session.execute(_document_pairs(docs))
    d = Document.__table__
    session.execute(insert(SC).from_select(
        ["site_id", "code_id", "excerpts", "documents"],
        select(d.c.site_id, DC.c.code_id, func.sum(DC.c.excerpts), func.count())
        .join(d, d.c.id == DC.c.document_id).where(d.c.project_id == project.id)
        .group_by(d.c.site_id, DC.c.code_id)))
    session.execute(insert(SP).from_select(
        ["site_id", "code_lo", "code_hi", *PAIR_VALUES, "documents"],
        select(d.c.site_id, DP.c.code_lo, DP.c.code_hi,
               *[func.sum(DP.c[v]) for v in PAIR_VALUES], func.count())
        .join(d, d.c.id == DP.c.document_id).where(d.c.project_id == project.id)
        .group_by(d.c.site_id, DP.c.code_lo, DP.c.code_hi)))


def documents_with_code(session: Session, *, code_id: int) -> list[int]:
    """The documents with codings of a code (removed ones too): before a merge moves them."""
    return list(session.scalars(select(Coding.document_id).distinct()
                                .where(Coding.code_id == code_id)))


def refresh(session: Session, *, document_ids: Iterable[int], forget: bool = False) -> None:
    """Recount these documents' tallies from their live codings; move the site sums.
    `forget=True` (call it before deleting documents): take them out of the tallies."""
    session.flush()
    # Lock the documents (PostgreSQL), so two transactions never recount one at once.
    site_of = dict(session.execute(select(Document.id, Document.site_id).where(
        Document.id.in_(sorted(set(document_ids)))).order_by(Document.id)
        .with_for_update()).all())
    ids = sorted(site_of)
    if not ids:
        return
    before = _read(session, ids, site_of)
    for table in (DC, DP):
        session.execute(delete(table).where(table.c.document_id.in_(ids)))
    if not forget:
        session.execute(_document_codes(ids))
        session.execute(_document_pairs(ids))
    after = _read(session, ids, site_of)
    for table, keys, values in ((SC, ("site_id", "code_id"), ("excerpts", "documents")),
                                (SP, ("site_id", "code_lo", "code_hi"),
                                 (*PAIR_VALUES, "documents"))):
        change: dict[tuple, tuple] = {}
        for key, amounts in after[table.name].items():
            change[key] = tuple(amounts)
        for key, amounts in before[table.name].items():
            now = change.get(key, (0,) * len(values))
            change[key] = tuple(n - o for n, o in zip(now, amounts))
        rows = [dict(zip(keys, key)) | dict(zip(values, amounts))
                for key, amounts in sorted(change.items()) if any(amounts)]
        if rows:
            _add(session, table, keys, values, rows)


def _read(session: Session, ids: list[int], site_of: dict[int, int]) -> dict:
    """The documents' tallies summed per site key, as the site tables hold them."""
    out = {SC.name: {}, SP.name: {}}
    for doc, code, excerpts in session.execute(select(DC.c.document_id, DC.c.code_id,
                                                      DC.c.excerpts)
                                               .where(DC.c.document_id.in_(ids))):
        key = (site_of[doc], code)
        old = out[SC.name].get(key, (0, 0))
        out[SC.name][key] = (old[0] + excerpts, old[1] + 1)
    for doc, lo, hi, *amounts in session.execute(select(
            DP.c.document_id, DP.c.code_lo, DP.c.code_hi, *[DP.c[v] for v in PAIR_VALUES])
            .where(DP.c.document_id.in_(ids))):
        key = (site_of[doc], lo, hi)
        old = out[SP.name].get(key, (0, 0, 0, 0))
        out[SP.name][key] = tuple(o + n for o, n in zip(old, (*amounts, 1)))
    return out


def _add(session: Session, table, keys, values, rows: list[dict]) -> None:
    """Add the amounts to the site rows (inserting those not there yet), in key order."""
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={v: table.c[v] + statement.excluded[v] for v in values})
    session.execute(statement, rows)

