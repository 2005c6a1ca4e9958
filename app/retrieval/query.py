"""An ExcerptFilter becomes one SQL query over live codings (with EXISTS for relations).

Code terms take in the code and every code below it. Relations look at other live codings
of the same document: they overlap when `o.start < c.end AND o.end > c.start`.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import (Date, and_, case, column, exists, false, func, literal, not_, or_,
                        select, table)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook.models import CodebookVersion
from app.coding.models import Coding
from app.documents.models import Document, Speaker, Turn
from app.errors import Invalid
from app.memos.models import Memo
from app.projects.models import Project, Site
from app.retrieval import expr as ex
from app.retrieval import rowmatch
from app.retrieval.aliases import Aliases
from app.retrieval.codes import ProjectCodes
from app.retrieval.filters import NO_ROLE, ExcerptFilter


def code_ids(session: Session, project: Project, key_list) -> dict[str, set[int]]:
    """Each key with the ids of its code and every code below it ('=KEY': the code alone);
    Invalid for unknown keys."""
    return ProjectCodes.load(session, project).ids(key_list)


def _overlaps(c, o):
    return and_(o.document_id == c.document_id, o.id != c.id, o.deleted_at.is_(None),
                o.start < c.end, o.end > c.start)


class _Compiler:
    """Turns the query tree into a condition on a codings alias."""

    def __init__(self, ids: dict[str, set[int]], alias: Aliases, as_case: bool = False):
        self.ids, self.alias, self.as_case = ids, alias, as_case

    def on(self, node, c):
        if isinstance(node, ex.Term):
            return c.code_id.in_(sorted(self.ids[node.key]))
        if isinstance(node, ex.Not):
            return not_(self.on(node.inner, c))
        if isinstance(node, ex.Bool) and node.op == "OR":
            return or_(self.on(node.left, c), self.on(node.right, c))
        if isinstance(node, ex.Bool):
            return self._and(node, c)
        return and_(self.on(node.left, c), self._related(node, c))

    def _exists(self, node, c, near: int = 0):
        o = self.alias(Coding)
        if near:
            span = and_(o.document_id == c.document_id, o.id != c.id, o.deleted_at.is_(None),
                        o.start <= c.end + near, o.end >= c.start - near)
        else:
            span = _overlaps(c, o)
        return exists().where(span, self.on(node, o))

    def _related(self, node: ex.Relation, c):
        if node.op == "OVERLAPS":
            return self._exists(node.right, c)
        if node.op == "NEAR":
            return self._exists(node.right, c, near=max(node.distance, 1))
        t, o = self.alias(Turn), self.alias(Coding)
        return exists().where(t.document_id == c.document_id, t.start < c.end, t.end > c.start,
                              o.document_id == c.document_id, o.id != c.id,
                              o.deleted_at.is_(None), o.start < t.end, o.end > t.start,
                              self.on(node.right, o))

    def _and(self, node: ex.Bool, c):
        left, right = node.left, node.right
        if isinstance(left, ex.Not) and isinstance(right, ex.Not):
            return and_(self.on(left, c), self.on(right, c))
        if isinstance(right, ex.Not) or isinstance(left, ex.Not):
            positive, negative = (left, right.inner) if isinstance(right, ex.Not) \
                else (right, left.inner)
            return and_(self.on(positive, c), not_(self._exists(negative, c)))
        if not self.as_case:   # SQLite walks each side's code index (MULTI-INDEX OR)
            return or_(and_(self.on(left, c), self._exists(right, c)),
                       and_(self.on(right, c), self._exists(left, c)))
        # The same as a CASE: PostgreSQL makes the OR a BitmapOr and reads every heap page
        # of both codes; this way it reads the code index alone.
        on_left, on_right = self.on(left, c), self.on(right, c)
        near_left = self._exists(left, c)
        return case((on_left, or_(self._exists(right, c), and_(on_right, near_left))),
                    (on_right, near_left), else_=false())


def own_codes(node, ids: dict[str, set[int]]) -> set[int] | None:
    """The codes an excerpt matching the query must itself have (None: any code)."""
    if isinstance(node, ex.Term):
        return ids[node.key]
    if isinstance(node, ex.Relation):
        return own_codes(node.left, ids)
    if isinstance(node, ex.Bool) and node.op == "AND" and isinstance(node.right, ex.Not):
        return own_codes(node.left, ids)
    if isinstance(node, ex.Bool) and node.op == "AND" and isinstance(node.left, ex.Not):
        return own_codes(node.right, ids)
    if isinstance(node, ex.Bool):
        left, right = own_codes(node.left, ids), own_codes(node.right, ids)
        return None if left is None or right is None else left | right
    return None


def _turn_filter(c, column, values, alias: Aliases):
    t, s = alias(Turn), alias(Speaker)
    return exists().where(t.document_id == c.document_id, t.start < c.end, t.end > c.start,
                          s.id == t.speaker_id, column(s).in_(values))


def _search_terms(text: str) -> list[tuple[list[str], bool]]:
    """Words, "phrases" and prefix* as (tokens, is_prefix); tokens are letters and digits."""
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        tokens = [t.lower() for t in re.findall(r"\w+", phrase or word)]
        if tokens:
            terms.append((tokens, bool(word) and word.endswith("*") and len(tokens) == 1))
    if not terms:
        raise Invalid("the search has no words in it")
    return terms


def text_condition(session: Session, c, text: str, *, per_row: bool = False):
    """Full-text search on the excerpt's quote (every term must match). `per_row`: the
    rows are few (a page's documents), so test each quote rather than asking the index for
    every match: on SQLite with rowmatch.py, on PostgreSQL behind a cheap ILIKE per word
    (a word the search finds is in the quote, whatever its case)."""
    terms = _search_terms(text)
    if session.get_bind().dialect.name == "sqlite" and per_row:
        rowmatch.register(session)
        return getattr(func, rowmatch.FUNCTION)(c.quote, rowmatch.spec_of(terms)) == 1
    if session.get_bind().dialect.name == "sqlite":
        query = " ".join('"' + " ".join(t) + '"' + ("*" if prefix else "") for t, prefix in terms)
        fts = select(column("rowid")).select_from(table("codings_fts")).where(
            sql_text("codings_fts MATCH :fts").bindparams(fts=query))
        return c.id.in_(fts)
    parts = [f"'{t[0]}':*" if prefix else "(" + " <-> ".join(f"'{w}'" for w in t) + ")"
             for t, prefix in terms]
    found = func.to_tsvector("simple", c.quote).op("@@")(
        func.to_tsquery("simple", " & ".join(parts)))
    if not per_row:
        return found
    return and_(*[c.quote.ilike(f"%{word}%") for t, _ in terms for word in t], found)


def site_conditions(f: ExcerptFilter, site) -> list:
    """Conditions on the excerpt's site (slug, strand, governance)."""
    pairs = [(f.sites, site.slug), (f.strands, site.strand), (f.governance, site.governance)]
    return [col.in_(values) for values, col in pairs if values]


def document_conditions(project: Project, f: ExcerptFilter, d, site) -> list:
    """Conditions on the excerpt's document and site (the document scope)."""
    conds = [d.project_id == project.id, *site_conditions(f, site)]
    pairs = [(f.kinds, d.kind), (f.periods, d.fieldwork_period), (f.documents, d.id)]
    conds += [col.in_(values) for values, col in pairs if values]
    if f.date_from:
        conds.append(d.date >= f.date_from)
    if f.date_to:
        conds.append(d.date <= f.date_to)
    return conds


def _coding_metadata(session: Session, project: Project, f: ExcerptFilter, c,
                     alias: Aliases) -> list:
    """Conditions on the coding itself: live, speakers, coder, origin, version, memos.
    (The project is held by the document: a coding's document is in its project.)"""
    conds = [c.deleted_at.is_(None)]
    if f.origins:
        conds.append(c.origin.in_(f.origins))
    for values, attr in ((f.speakers, lambda s: s.name), (f.agencies, lambda s: s.agency)):
        if values:
            conds.append(_turn_filter(c, attr, values, alias))
    if f.roles:
        roles = [r for r in f.roles if r != NO_ROLE]
        either = [_turn_filter(c, lambda s: s.role, roles, alias)] if roles else []
        if NO_ROLE in f.roles:   # no turn of a speaker with a role
            t, s = alias(Turn), alias(Speaker)
            either.append(not_(exists().where(
                t.document_id == c.document_id, t.start < c.end, t.end > c.start,
                s.id == t.speaker_id, s.role != "")))
        conds.append(or_(*either))
    if f.coders:
        conds.append(c.coder_id.in_(select(User.id).where(User.email.in_(
            [e.strip().lower() for e in f.coders]))))
    if f.versions:
        conds.append(c.codebook_version_id.in_(select(CodebookVersion.id).where(
            CodebookVersion.project_id == project.id, CodebookVersion.number.in_(f.versions))))
    if f.has_memo is not None:
        memo = exists().where(Memo.coding_id == c.id, Memo.deleted_at.is_(None))
        conds.append(memo if f.has_memo else not_(memo))
    return conds


def coding_conditions(session: Session, project: Project, f: ExcerptFilter, c, *,
                      per_row_text: bool = False, ids: dict | None = None) -> list:
    """The filter's conditions on the coding alone (codes, query, text, coder ...).
    `per_row_text` tests the search on each row's quote instead of asking the search index
    for every match (faster when the rows are already few: a page's documents)."""
    tree = ex.parse(f.expr) if f.expr.strip() else None
    keys = set(k.upper() for k in f.codes) | (ex.keys(tree) if tree else set())
    ids = ids if ids is not None and keys <= set(ids) else code_ids(session, project, keys)
    alias = Aliases("conditions")   # within the conditions on c: EXISTS, nested or not
    conds = _coding_metadata(session, project, f, c, alias)
    if f.codes:
        conds.append(c.code_id.in_(sorted(set().union(*(ids[k.upper()] for k in f.codes)))))
    if tree is not None:
        as_case = session.get_bind().dialect.name == "postgresql"
        conds.append(_Compiler(ids, alias, as_case).on(tree, c))
        if (own := own_codes(tree, ids)) is not None:   # implied, but lets an index serve
            conds.append(c.code_id.in_(sorted(own)))
    if f.text.strip():
        conds.append(text_condition(session, c, f.text, per_row=per_row_text))
    return conds


def conditions(session: Session, project: Project, f: ExcerptFilter, c, d, site, *,
               ids: dict | None = None) -> list:
    """Every condition of the filter on the aliases for coding, document and site (`ids`:
    code_ids of the filter's keys, when already known)."""
    return document_conditions(project, f, d, site) + coding_conditions(session, project, f, c,
                                                                        ids=ids)


def sort_columns(f: ExcerptFilter, c, d, site) -> list:
    """The ordering (always ending in the coding id, so the order is total and stable)."""
    date = func.coalesce(d.date, literal(dt.date(9999, 12, 31), Date))  # undated last
    by = {"site": [site.name, date, d.id, c.start, c.id],
          "date": [date, d.id, c.start, c.id],
          "document": [d.title, d.id, c.start, c.id]}
    if f.sort not in by:
        raise Invalid(f"sort must be one of {', '.join(by)}")
    return by[f.sort]


def excerpt_select(session: Session, project: Project, f: ExcerptFilter, *,
                   ids: dict | None = None):
    """(select of coding ids with their sort keys, sort columns); `ids`: code_ids of the
    filter's keys, when already known."""
    alias = Aliases("select")
    c, d, site = alias(Coding), alias(Document), alias(Site)
    order = sort_columns(f, c, d, site)
    query = (select(c.id, *order).join(d, d.id == c.document_id).join(site, site.id == d.site_id)
             .where(*conditions(session, project, f, c, d, site, ids=ids)))
    return query, order
