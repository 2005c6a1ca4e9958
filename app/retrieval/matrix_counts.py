"""The counts behind a matrix, from the cheapest source that answers the filter exactly.

- "site": the per-site tallies (code x site and co-occurrence, when the filter narrows
  only sites, strands, governance or codes): a few thousand rows, whatever the corpus.
- "document": the per-document tallies joined to the documents in scope (any filter on
  documents and codes; families and kinds too).
- "live": GROUP BY over the live codings with every condition of the excerpt query
  (query.conditions, as its document and coding halves), for filters on the codings
  themselves and for roles.

Group values: code -> code id, family -> the family's code id, site -> site id, kind -> the
kind, role -> the role (NO_ROLE for an excerpt in no turn of a speaker with a role).
`codes`: the code ids in scope (None: all).
"""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, select, true
from sqlalchemy.orm import Session

from app.coding.models import Coding
from app.documents.models import Document, Speaker, Turn
from app.projects.models import Project, Site
from app.retrieval.filters import NO_ROLE, ExcerptFilter
from app.retrieval.models import (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                  SitePairTally)
from app.retrieval.query import Aliases, coding_conditions, document_conditions, site_conditions

ON_CODINGS = ("expr", "speakers", "roles", "agencies", "coders", "origins", "versions",
              "text")
ON_DOCUMENTS = ("kinds", "periods", "documents", "date_from", "date_to")


# The coding service and the codebook's merge and delete keep the tallies in step
# (app/retrieval/tallies.py: incremental per coding, a recount per document for bulk moves).
TALLIES_IN_STEP = True


def source(f: ExcerptFilter, dims: tuple[str, str]) -> str:
    """The cheapest source that counts this filter exactly."""
    if not TALLIES_IN_STEP:
        return "live"
    if "role" in dims or f.has_memo is not None or any(getattr(f, n) for n in ON_CODINGS):
        return "live"
    if set(dims) <= {"code", "site"} and not any(getattr(f, n) for n in ON_DOCUMENTS):
        return "site"
    return "document"


def _in(column, codes: set[int] | None):
    return true() if codes is None else column.in_(sorted(codes))


def _group(dim: str, code_col, d, families: dict[int, int]):
    if dim == "code":
        return code_col
    if dim == "family":
        return case(families, value=code_col, else_=None)
    return d.site_id if dim == "site" else d.kind


def counts(session: Session, project: Project, f: ExcerptFilter, dims: tuple[str, str],
           codes: set[int] | None, families: dict[int, int],
           how: str | None = None) -> dict[tuple, tuple[int, int]]:
    """(row value, col value) -> (excerpts, documents), for excerpts > 0."""
    how = how or source(f, dims)
    alias = Aliases("matrix")
    d, site = alias(Document), alias(Site)
    if how == "site":
        t = SiteCodeTally
        by = [t.code_id if dim == "code" else t.site_id for dim in dims]
        query = (select(*by, func.sum(t.excerpts), func.sum(t.documents))
                 .join(site, site.id == t.site_id)
                 .where(site.project_id == project.id, *site_conditions(f, site),
                        _in(t.code_id, codes)))
    elif how == "document":
        t = DocumentCodeTally
        by = [_group(dim, t.code_id, d, families) for dim in dims]
        # one row per document and code: with a code in the group, count(*) is the documents
        docs = func.count() if "code" in dims else func.count(distinct(t.document_id))
        query = (select(*by, func.sum(t.excerpts), docs)
                 .join(d, d.id == t.document_id).join(site, site.id == d.site_id)
                 .where(*document_conditions(project, f, d, site), _in(t.code_id, codes)))
    else:
        c, roled, scope = alias(Coding), _roled_turns(), _scope(session, project, f)
        by = [func.coalesce(roled.c.role, NO_ROLE) if dim == "role"
              else _group(dim, c.code_id, scope.c, families) for dim in dims]
        query = (select(*by, func.count(distinct(c.id)), func.count(distinct(c.document_id)))
                 .select_from(scope).join(c, c.document_id == scope.c.id))
        if "role" in dims:
            query = query.outerjoin(roled, and_(roled.c.document_id == c.document_id,
                                                roled.c.start < c.end, roled.c.end > c.start))
        query = query.where(*coding_conditions(session, project, f, c), _in(c.code_id, codes))
    rows = session.execute(query.group_by(*by)).all()
    return {(a, b): (int(n), int(docs)) for a, b, n, docs in rows if n}


def _scope(session: Session, project: Project, f: ExcerptFilter):
    """The documents in scope (id, site_id, kind) as a CTE, to start the live counts from:
    query.conditions split in two, the documents' conditions here and the codings' on the
    join. Materialised on SQLite, so it walks documents, then their codings by index."""
    alias = Aliases("matrix")
    d, site = alias(Document), alias(Site)
    scope = (select(d.id, d.site_id, d.kind).join(site, site.id == d.site_id)
             .where(*document_conditions(project, f, d, site)).cte("scope"))
    sqlite = session.get_bind().dialect.name == "sqlite"
    return scope.prefix_with("MATERIALIZED") if sqlite else scope


def _roled_turns():
    alias = Aliases("matrix")
    t, s = alias(Turn), alias(Speaker)
    return (select(t.document_id, t.start, t.end, s.role).join(s, s.id == t.speaker_id)
            .where(s.role != "").subquery())


def cooccurrence(session: Session, project: Project, f: ExcerptFilter,
                 codes: set[int] | None, how: str | None = None):
    """({(lo, hi): (pairs, excerpts, documents)}, {code: (excerpts, documents)}); lo < hi
    are code ids; only pairs and codes with excerpts."""
    how = how or source(f, ("code", "code"))
    alias = Aliases("matrix")
    if how == "live":
        return _live_pairs(session, project, f, codes), {
            code: value for (code, _), value in counts(
                session, project, f, ("code", "code"), codes, {}, "live").items()}
    d, site = alias(Document), alias(Site)
    if how == "site":
        t, n = SitePairTally, SiteCodeTally
        scope = [site.project_id == project.id, *site_conditions(f, site)]
        pair_docs, code_docs = func.sum(t.documents), func.sum(n.documents)

        def joined(query, x):
            return query.join(site, site.id == x.site_id)
    else:
        t, n = DocumentPairTally, DocumentCodeTally
        scope = document_conditions(project, f, d, site)
        pair_docs = code_docs = func.count()     # one row per document and code (pair)

        def joined(query, x):
            return query.join(d, d.id == x.document_id).join(site, site.id == d.site_id)
    pairs = session.execute(joined(select(
        t.code_lo, t.code_hi, func.sum(t.pairs), func.sum(t.hits_lo) + func.sum(t.hits_hi),
        pair_docs), t).where(*scope, _in(t.code_lo, codes), _in(t.code_hi, codes))
        .group_by(t.code_lo, t.code_hi)).all()
    diagonal = session.execute(joined(select(n.code_id, func.sum(n.excerpts), code_docs), n)
                               .where(*scope, _in(n.code_id, codes)).group_by(n.code_id)).all()
    return ({(lo, hi): (int(p), int(e), int(docs)) for lo, hi, p, e, docs in pairs if e},
            {code: (int(e), int(docs)) for code, e, docs in diagonal if e})


def _live_pairs(session, project, f, codes) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Excerpts and documents as the cell's query counts them (an excerpt in scope that
    overlaps any live coding of the other code); pairs: both codings in scope."""
    alias = Aliases("matrix")
    c, o, scope = alias(Coding), alias(Coding), _scope(session, project, f)
    lo = case((c.code_id < o.code_id, c.code_id), else_=o.code_id)
    hi = case((c.code_id < o.code_id, o.code_id), else_=c.code_id)
    overlap = and_(o.document_id == c.document_id, o.code_id != c.code_id,
                   o.deleted_at.is_(None), o.start < c.end, o.end > c.start, _in(o.code_id, codes))
    base = (select(lo, hi).select_from(scope).join(c, c.document_id == scope.c.id)
            .join(o, overlap)
            .where(*coding_conditions(session, project, f, c), _in(c.code_id, codes)))
    found = session.execute(base.add_columns(func.count(distinct(c.id)), func.count(
        distinct(c.document_id))).group_by(lo, hi)).all()
    both = session.execute(base.add_columns(func.count()).where(
        c.code_id < o.code_id, *coding_conditions(session, project, f, o)).group_by(lo, hi))
    pairs = {(a, b): n for a, b, n in both}
    return {(a, b): (pairs.get((a, b), 0), n, docs) for a, b, n, docs in found}


def denominators(session: Session, project: Project, f: ExcerptFilter) -> dict[tuple, int]:
    """Documents in scope per (site id, kind)."""
    alias = Aliases("matrix")
    d, site = alias(Document), alias(Site)
    return {(s, k): n for s, k, n in session.execute(
        select(d.site_id, d.kind, func.count()).join(site, site.id == d.site_id)
        .where(*document_conditions(project, f, d, site)).group_by(d.site_id, d.kind))}
