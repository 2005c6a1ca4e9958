"""Matrices: the filtered excerpts counted by two dimensions, each cell with its query.

rows: code | family | site | role | kind; cols: site | role | kind | code | family.

- code: every codable code in scope, in codebook order, counting its own codings (so the
  cell's query names '=KEY' when codes lie below it); retired codes only if counted.
- family: each family (a root category) rolls up every code below it.
- site: the sites in scope, by name; kind: the document kinds in scope.
- role: from the speaker turns an excerpt overlaps: an excerpt across turns of two roles
  counts under both; one in no turn of a speaker with a role under "(no speaker)".
- rows=code&cols=code: co-occurrence. Off the diagonal, `pairs` is the number of
  overlapping pairs of codings of the two codes (passages coded both) and the cell's
  query is "A AND B" (`excerpts` is what it finds: the codings of either side that
  overlap the other); on the diagonal, the code's own excerpts. Symmetric.

Each cell holds `excerpts`, `documents`, `share` (where a dimension is site or kind: of the
documents in scope there, the share with the cell's excerpts, e.g. code x site: the share
of the site's documents that have the code) and `filter`, the excerpt query behind the
cell: running it finds exactly `excerpts` excerpts. Cells with no excerpts are left out;
`Matrix.cell(row, col)` gives one anyway. Counts come from matrix_counts.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.codebook.models import Code
from app.documents.models import DOCUMENT_KINDS, Speaker
from app.errors import Invalid
from app.projects.models import Project, Site
from app.retrieval import matrix_counts as counting
from app.retrieval.filters import NO_ROLE, ExcerptFilter
from app.retrieval.query import code_ids, site_conditions

ROWS = ("code", "family", "site", "role", "kind")
COLS = ("site", "role", "kind", "code", "family")
NO_SPEAKER = "(no speaker)"


@dataclass
class Label:
    key: str
    label: str


@dataclass
class Cell:
    row: str
    col: str
    excerpts: int
    documents: int
    share: float | None
    filter: ExcerptFilter
    pairs: int | None = None      # co-occurrence, off the diagonal

    @property
    def value(self) -> int:
        """What the matrix shows: pairs in co-occurrence (off the diagonal), else excerpts."""
        return self.excerpts if self.pairs is None else self.pairs


@dataclass
class Matrix:
    rows_dim: str
    cols_dim: str
    rows: list[Label]
    cols: list[Label]
    cells: list[Cell]
    measure: str                  # "excerpts", or "pairs" for co-occurrence
    cell_filter: Callable[[str, str], ExcerptFilter] = field(repr=False, compare=False)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cell(self, row: str, col: str) -> Cell:
        """The cell at (row key, col key), an empty one if no excerpts are there."""
        if len(self._index) != len(self.cells):
            self._index = {(c.row, c.col): c for c in self.cells}
        if (found := self._index.get((row, col))) is not None:
            return found
        places = {"site", "kind"} & {self.rows_dim, self.cols_dim}
        return Cell(row, col, 0, 0, 0.0 if places else None, self.cell_filter(row, col),
                    0 if self.measure == "pairs" and row != col else None)


@dataclass
class _Dim:
    name: str
    labels: list[Label]
    key_of: dict                  # group value -> key
    narrow: Callable[[ExcerptFilter, str], ExcerptFilter]


def _with(f: ExcerptFilter, **changes) -> ExcerptFilter:
    """A shallow copy of the filter with some fields changed (thousands per matrix, so
    cheap: unchanged lists are shared; treat cell filters as read-only)."""
    out = copy.copy(f)
    out.__dict__.update(changes)
    return out


class _Codebook:
    """The project's codes: codebook order, the filter's code scope, families, query keys."""

    def __init__(self, session: Session, project: Project, f: ExcerptFilter):
        self.codes = {c.id: c for c in session.execute(select(
            Code.id, Code.key, Code.name, Code.parent_id, Code.is_category, Code.status,
            Code.position).where(Code.project_id == project.id))}
        self.children: dict[int | None, list[int]] = {}
        for c in sorted(self.codes.values(), key=lambda c: (c.position, c.id)):
            self.children.setdefault(c.parent_id if c.parent_id in self.codes else None,
                                     []).append(c.id)
        self.order, self.root = [], {}
        for top in self.children.get(None, []):
            for ident in self._walk(top):
                self.order.append(ident)
                self.root[ident] = top
        ids = code_ids(session, project, f.codes) if f.codes else {}
        self.scope = set().union(*ids.values()) if f.codes else None

    def _walk(self, ident: int):
        yield ident
        for child in self.children.get(ident, []):
            yield from self._walk(child)

    def within(self, ident: int) -> bool:
        return self.scope is None or ident in self.scope

    def query_key(self, ident: int) -> str:
        """The code alone in the query language: '=KEY' when codes lie below it."""
        key = self.codes[ident].key
        return "=" + key if ident in self.children else key

    def cover(self, ident: int) -> list[str]:
        """Query keys for the codes in scope at or below `ident`, fewest first."""
        below = set(self._walk(ident))
        if self.scope is None or below <= self.scope:
            return [self.codes[ident].key]
        out = ["=" + self.codes[ident].key] if ident in self.scope else []
        for child in self.children.get(ident, []):
            out += self.cover(child)
        return out


def _dimension(session, project, f: ExcerptFilter, name: str, book: _Codebook) -> _Dim:
    if name == "code":
        codes = [book.codes[i] for i in book.order
                 if not book.codes[i].is_category and book.within(i)]
        keys = {c.key: book.query_key(c.id) for c in codes}
        return _Dim(name, [Label(c.key, c.name) for c in codes], {c.id: c.key for c in codes},
                    lambda g, k: _with(g, codes=[keys[k]]))
    if name == "family":
        tops = [(book.codes[i], book.cover(i)) for i in book.children.get(None, [])]
        tops = [(c, cover) for c, cover in tops if cover]
        keys = {c.key: cover for c, cover in tops}
        return _Dim(name, [Label(c.key, c.name) for c, _ in tops], {c.id: c.key for c, _ in tops},
                    lambda g, k: _with(g, codes=list(keys[k])))
    if name == "site":
        sites = session.scalars(select(Site).where(Site.project_id == project.id,
                                                   *site_conditions(f, Site))
                                .order_by(Site.name, Site.slug)).all()
        return _Dim(name, [Label(s.slug, s.name) for s in sites], {s.id: s.slug for s in sites},
                    lambda g, k: _with(g, sites=[k]))
    if name == "kind":
        kinds = [k for k in DOCUMENT_KINDS if not f.kinds or k in f.kinds]
        return _Dim(name, [Label(k, DOCUMENT_KINDS[k]) for k in kinds], {k: k for k in kinds},
                    lambda g, k: _with(g, kinds=[k]))
    roles = sorted(set(session.scalars(select(Speaker.role).where(
        Speaker.project_id == project.id, Speaker.role != ""))), key=str.casefold)
    roles = [r for r in roles + [NO_ROLE] if not f.roles or r in f.roles]
    return _Dim(name, [Label(r, NO_SPEAKER if r == NO_ROLE else r) for r in roles],
                {r: r for r in roles}, lambda g, k: _with(g, roles=[k]))


def _check(rows: str, cols: str, f: ExcerptFilter) -> None:
    if rows not in ROWS:
        raise Invalid(f"rows must be one of {', '.join(ROWS)}")
    if cols not in COLS:
        raise Invalid(f"cols must be one of {', '.join(COLS)}")
    if rows == cols and rows != "code" or {rows, cols} == {"code", "family"}:
        raise Invalid(f"a matrix of {rows} against {cols} is not available: rows and cols "
                      "differ, or both are code (co-occurrence)")
    if rows == cols == "code" and f.expr.strip():
        raise Invalid("a co-occurrence matrix cannot take a query (q): each cell's query is "
                      "'A AND B'; narrow it with the other filters")


def matrix(session: Session, *, project: Project, rows: str, cols: str,
           filter: ExcerptFilter) -> Matrix:
    """The matrix of the filtered excerpts by `rows` and `cols` (see the module doc)."""
    _check(rows, cols, filter)
    book = _Codebook(session, project, filter)
    r, c = (_dimension(session, project, filter, name, book) for name in (rows, cols))
    ids = {key: value for value, key in r.key_of.items()}

    def cell_filter(row: str, col: str) -> ExcerptFilter:
        if rows == cols == "code" and row != col:
            return _with(filter, expr=f"{book.query_key(ids[row])} AND "
                                      f"{book.query_key(ids[col])}")
        return c.narrow(r.narrow(filter, row), col)

    if rows == cols == "code":
        cells = _cooccurrence(session, project, filter, book, r, cell_filter)
    else:
        cells = _cells(session, project, filter, book, r, c, cell_filter)
    for dim in {r.name: r, c.name: c}.values():   # retired codes only where counted
        if dim.name == "code":
            used = {x.row for x in cells} | {x.col for x in cells}
            retired = {book.codes[i].key for i in dim.key_of if book.codes[i].status != "active"}
            dim.labels = [lab for lab in dim.labels if lab.key not in retired - used]
    return Matrix(rows, cols, r.labels, c.labels, cells,
                  "pairs" if rows == cols == "code" else "excerpts", cell_filter)


def _cells(session, project, f, book: _Codebook, r: _Dim, c: _Dim, cell_filter) -> list[Cell]:
    families = {i: book.root[i] for i in book.order}
    found = counting.counts(session, project, f, (r.name, c.name), book.scope, families)
    places = [i for i, dim in enumerate((r, c)) if dim.name in ("site", "kind")]
    totals = counting.denominators(session, project, f) if places else {}
    out = []
    for (a, b), (n, docs) in found.items():
        if a not in r.key_of or b not in c.key_of:
            continue
        share = None
        if places:
            want = {(r, c)[i].name: (a, b)[i] for i in places}
            whole = sum(count for (site, kind), count in totals.items()
                        if want.get("site", site) == site and want.get("kind", kind) == kind)
            share = docs / whole if whole else 0.0
        out.append(Cell(r.key_of[a], c.key_of[b], n, docs, share,
                        cell_filter(r.key_of[a], c.key_of[b])))
    rank = {lab.key: i for i, lab in enumerate(r.labels)}, {lab.key: i for i, lab in
                                                             enumerate(c.labels)}
    return sorted(out, key=lambda x: (rank[0][x.row], rank[1][x.col]))


def _cooccurrence(session, project, f, book: _Codebook, dim: _Dim, cell_filter) -> list[Cell]:
    pairs, diagonal = counting.cooccurrence(session, project, f, book.scope)
    key = dim.key_of
    out = [Cell(key[code], key[code], n, docs, None, cell_filter(key[code], key[code]))
           for code, (n, docs) in diagonal.items() if code in key]
    for (lo, hi), (p, n, docs) in pairs.items():
        if lo in key and hi in key:
            for a, b in ((key[lo], key[hi]), (key[hi], key[lo])):
                out.append(Cell(a, b, n, docs, None, cell_filter(a, b), pairs=p))
    rank = {lab.key: i for i, lab in enumerate(dim.labels)}
    return sorted(out, key=lambda x: (rank[x.row], rank[x.col]))
