"""One page of excerpt ids, found by walking the documents in sort order.

Every sort is document-major: (site name | date | title ..., document id), then the
excerpt's start and id. So the in-scope documents are taken in that order from a small
covering index, and the coding conditions are asked of the first few documents only
(`CHUNKS`); a filter that matches often fills the page there, whatever the size of the
corpus. What the first documents leave unfilled is asked of all the remaining documents
at once, joined to them (a CTE), which is cheap because such a filter matches rarely.
When the filter's codes have few codings all told (`FEW`, as the site tallies count them:
read with the codes, codes.py), the walk is skipped: query.excerpt_select sorts them all
at once. The rows and their sort keys are exactly those of `query.excerpt_select`, so
cursors are the same too.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from app.coding.models import Coding
from app.documents.models import Document
from app.projects.models import Project, Site
from app.retrieval import expr as ex
from app.retrieval import matrix_counts
from app.retrieval.filters import ExcerptFilter
from app.retrieval.codes import ProjectCodes
from app.retrieval.query import (Aliases, coding_conditions, document_conditions,
                                 excerpt_select, own_codes, sort_columns)

CHUNKS = (8, 56)   # documents asked first, then the next ones; then all the rest at once
FEW = 8_000        # codings of the filter's codes below which sorting them all is cheaper


class _Plan:
    def __init__(self, session: Session, project: Project, f: ExcerptFilter,
                 codes: ProjectCodes | None = None):
        self.session, self.project, self.filter = session, project, f
        alias = Aliases("paging")
        self.c, d, site = alias(Coding), alias(Document), alias(Site)
        order = sort_columns(f, self.c, d, site)
        keys = [key.label(f"k{i}") for i, key in enumerate(order[:-2])]
        self.doc_keys = order[:-2]
        self.docs = (select(*keys).select_from(d).join(site, site.id == d.site_id)
                     .where(*document_conditions(project, f, d, site)))
        self._conditions: dict[bool, list] = {}
        tree = ex.parse(f.expr) if f.expr.strip() else None
        self.codes = codes or ProjectCodes.load(session, project, tallies=wants_tallies(f))
        self._ids = self.codes.ids({k.upper() for k in f.codes}
                                   | (ex.keys(tree) if tree else set()))

    def conditions(self, per_row_text: bool) -> list:
        if per_row_text not in self._conditions:
            self._conditions[per_row_text] = coding_conditions(
                self.session, self.project, self.filter, self.c, per_row_text=per_row_text,
                ids=self._ids)
        return self._conditions[per_row_text]

    def few(self) -> bool:
        """Whether the codes the excerpts must have hold at most FEW live codings all told
        (from the site tallies: a strategy choice only, never the answer)."""
        own = _own_codes(self.filter, self._ids)
        if own is None or not matrix_counts.TALLIES_IN_STEP:
            return False
        if self.codes.tallied is None:      # codes read without their tallies
            self.codes = ProjectCodes.load(self.session, self.project, tallies=True)
        return self.codes.excerpts(own) <= FEW

    def scope(self, after_doc: tuple | None = None, name: str = "scope"):
        """The in-scope documents (after a document's keys) as a CTE: materialised on
        SQLite (else it looks each candidate's document up in the wide documents table);
        PostgreSQL hash-joins it best inline."""
        docs = self.docs if after_doc is None else self.docs.where(
            tuple_(*self.doc_keys) > tuple_(*after_doc))
        cte = docs.cte(name)
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        return cte.prefix_with("MATERIALIZED") if sqlite else cte


def wants_tallies(f: ExcerptFilter) -> bool:
    """Whether paging this filter reads the codes' tallies (to choose its plan)."""
    return matrix_counts.TALLIES_IN_STEP and bool(f.codes or f.expr.strip())


def find_rows(session: Session, project: Project, f: ExcerptFilter, n: int,
              after: list | None = None, codes: ProjectCodes | None = None) -> list[tuple]:
    """Up to n rows (coding id, *sort key) in order, strictly after the sort key `after`.
    `codes`: the project's codes, when already read (with their tallies: wants_tallies)."""
    plan = _Plan(session, project, f, codes)
    if plan.few():                 # the walk only pays off for common codes
        query, order = excerpt_select(session, project, f, ids=plan._ids)
        if after:
            query = query.where(tuple_(*order) > tuple_(*after))
        return [tuple(row) for row in session.execute(query.order_by(*order).limit(n))]
    docs = plan.docs
    if after:
        docs = docs.where(tuple_(*plan.doc_keys) >= tuple_(*after[:-2]))
    first = session.execute(docs.order_by(*plan.doc_keys).limit(sum(CHUNKS))).all()
    rows: list[tuple] = []
    taken = 0
    for size in CHUNKS:
        chunk = first[taken:taken + size]
        taken += size
        if not chunk:
            return rows
        rows += _chunk_rows(plan, chunk, after, n - len(rows))
        if len(rows) >= n:
            return rows[:n]
    if len(first) < sum(CHUNKS):
        return rows
    return rows + _rest_rows(plan, tuple(first[-1]), n - len(rows))


def _chunk_rows(plan: _Plan, chunk, after, n: int) -> list[tuple]:
    """The matching codings of a few documents, in order (sorted here by document rank)."""
    c = plan.c
    rank = {row[-1]: i for i, row in enumerate(chunk)}
    query = select(c.id, c.document_id, c.start).where(
        c.document_id.in_(list(rank)), *plan.conditions(per_row_text=True))
    if after and after[-3] in rank:   # the cursor's own document: only what follows it
        query = query.where(or_(c.document_id != after[-3],
                                tuple_(c.start, c.id) > tuple_(after[-2], after[-1])))
    found = sorted((rank[doc], start, ident) for ident, doc, start in
                   plan.session.execute(query))
    return [(ident, *chunk[i], start, ident) for i, start, ident in found[:n]]


def _rest_rows(plan: _Plan, last_doc: tuple, n: int) -> list[tuple]:
    """The matching codings of every in-scope document after `last_doc`, in order.
    For a search, PostgreSQL left to itself walks the documents in order, computing every
    coding's tsvector (its LIMIT looks cheap to reach): the search index's matches are
    gathered first instead. SQLite would materialise every later document and index it
    on the fly (10-25 ms); it looks the search's matches' documents up instead (2-10 ms for
    a word the first documents hold too few of)."""
    dialect = plan.session.get_bind().dialect.name
    if dialect == "sqlite" and plan.filter.text.strip():
        query, order = excerpt_select(plan.session, plan.project, plan.filter, ids=plan._ids)
        query = query.where(tuple_(*order[:-2]) > tuple_(*last_doc))
        return [tuple(row) for row in plan.session.execute(query.order_by(*order).limit(n))]
    c, scope = plan.c, plan.scope(last_doc)
    keys = [scope.c[f"k{i}"] for i in range(len(plan.doc_keys))]
    if dialect == "postgresql" and plan.filter.text.strip():
        found = (select(c.id, c.document_id, c.start).where(*plan.conditions(False))
                 .cte("found").prefix_with("MATERIALIZED")).c
        query = select(found.id, *keys, found.start, found.id)
    else:
        found = c
        query = select(c.id, *keys, c.start, c.id).where(*plan.conditions(False))
    query = (query.join(scope, keys[-1] == found.document_id)
             .order_by(*keys, found.start, found.id).limit(n))
    return [tuple(row) for row in plan.session.execute(query)]


def _own_codes(f: ExcerptFilter, ids: dict[str, set[int]]) -> set[int] | None:
    """The codes a matching excerpt must itself have, from `codes` and the query (None:
    any code)."""
    own = set().union(*(ids[k.upper()] for k in f.codes)) if f.codes else None
    if f.expr.strip():
        implied = own_codes(ex.parse(f.expr), ids)
        own = implied if own is None else own if implied is None else own & implied
    return own


def count(session: Session, project: Project, f: ExcerptFilter,
          codes: ProjectCodes | None = None) -> int:
    """How many excerpts match (every page together)."""
    plan = _Plan(session, project, f, codes)
    scope = plan.scope()
    return session.scalar(select(func.count()).select_from(plan.c).join(
        scope, scope.c[f"k{len(plan.doc_keys) - 1}"] == plan.c.document_id)
        .where(*plan.conditions(per_row_text=False)))
