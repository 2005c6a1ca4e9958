"""The tallies the matrices read: kept in step with the live codings of each document.

Per document: each code's live excerpts, and for each pair of codes the overlapping pairs
of codings and how many codings of either side overlap the other (tally_document_*).
Per site: their sums (tally_site_*), which a whole-project matrix reads in milliseconds.

Keeping them in step, in the same transaction as the change:
- one coding: `coding_added` after it is created or restored, `coding_removed` after it
  is removed, `coding_recoded` after its code changes. Each looks only at the codings
  overlapping that one (a few small queries, however long the document);
- many codings at once: `refresh(session, document_ids=[...])` recounts whole documents
  (a merge: ask `documents_with_code` before the UPDATE; deleting a code's codings);
- deleting a document: `refresh(..., forget=True)` first;
- `rebuild` recounts a whole project (the bench; a bulk import; a repair).
Each locks the site rows first (PostgreSQL), so changes to one site's tallies are counted
one after the other and none is missed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, distinct, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.coding.models import Coding
from app.documents.models import Document
from app.projects.models import Project, Site
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
    site_of = dict(session.execute(select(Document.id, Document.site_id).where(
        Document.id.in_(sorted(set(document_ids))))).all())
    ids = sorted(site_of)
    if not ids:
        return
    _lock_sites(session, site_of.values())
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


def coding_added(session: Session, *, coding: Coding) -> None:
    """Count a coding just created or restored (live, flushed or not)."""
    _step(session, coding, coding.code_id, +1)


def coding_removed(session: Session, *, coding: Coding) -> None:
    """Take out a coding just removed (its deleted_at set)."""
    _step(session, coding, coding.code_id, -1)


def coding_recoded(session: Session, *, coding: Coding, old_code_id: int) -> None:
    """Move a live coding's counts from its old code to its new one."""
    _step(session, coding, old_code_id, -1)
    _step(session, coding, coding.code_id, +1)


def _step(session: Session, coding: Coding, code: int, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) one coding under `code`: its own count, and its
    overlaps with the live codings of other codes that overlap it."""
    session.flush()
    site = session.scalar(select(Document.site_id).where(Document.id == coding.document_id))
    _lock_sites(session, [site])
    c, y = Coding.__table__.alias("c"), Coding.__table__.alias("y")
    near = and_(c.c.document_id == coding.document_id, c.c.deleted_at.is_(None),
                c.c.id != coding.id, c.c.start < coding.end, c.c.end > coding.start,
                c.c.code_id != code)
    others = session.execute(select(c.c.id, c.c.code_id).where(near)).all()
    # those that overlap another live coding of `code` keep their hit either way
    covered = set(session.scalars(select(c.c.id).where(near, select(y.c.id).where(
        y.c.document_id == coding.document_id, y.c.code_id == code, y.c.id != coding.id,
        y.c.deleted_at.is_(None), y.c.start < c.c.end, y.c.end > c.c.start).exists())))
    before = session.scalar(select(DC.c.excerpts).where(
        DC.c.document_id == coding.document_id, DC.c.code_id == code)) or 0
    _bump(session, DC, {"document_id": coding.document_id, "code_id": code},
          {"excerpts": sign})
    _add(session, SC, ("site_id", "code_id"), ("excerpts", "documents"),
         [{"site_id": site, "code_id": code, "excerpts": sign,
           "documents": sign if before == (0 if sign > 0 else 1) else 0}])
    for other in sorted({m for _, m in others}):
        ids = [i for i, m in others if m == other]
        lo, hi = sorted((code, other))
        own, theirs = sign, sign * len([i for i in ids if i not in covered])
        change = {"pairs": sign * len(ids), "hits_lo": own if code == lo else theirs,
                  "hits_hi": theirs if code == lo else own}
        key = {"document_id": coding.document_id, "code_lo": lo, "code_hi": hi}
        had = session.scalar(select(DP.c.pairs).where(*[DP.c[k] == v for k, v in key.items()]))
        _bump(session, DP, key, change)
        now = (had or 0) + change["pairs"]
        _add(session, SP, ("site_id", "code_lo", "code_hi"), (*PAIR_VALUES, "documents"),
             [{"site_id": site, "code_lo": lo, "code_hi": hi, **change,
               "documents": (now > 0) - ((had or 0) > 0)}])


def _lock_sites(session: Session, site_ids: Iterable[int]) -> None:
    """Take the sites' rows in id order (PostgreSQL; SQLite's writer lock already
    serialises), so changes to one site's tallies are counted one after the other.

    FOR NO KEY UPDATE, not FOR UPDATE: inserting a coding or document takes a key-share
    lock through its foreign key, and FOR UPDATE would deadlock two coders against it.
    A site, not a document: every coding step also moves the site's sums."""
    session.execute(select(Site.id).where(Site.id.in_(sorted(set(site_ids))))
                    .order_by(Site.id).with_for_update(key_share=True)).all()


def _bump(session: Session, table, key: dict, change: dict) -> None:
    """Add to a document tally row (made if missing); drop it when it falls to nothing."""
    _add(session, table, tuple(key), tuple(change), [key | change])
    first = next(iter(change))
    session.execute(delete(table).where(*[table.c[k] == v for k, v in key.items()],
                                        table.c[first] <= 0))
