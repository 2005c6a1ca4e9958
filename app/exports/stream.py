"""Every excerpt a filter finds, in order, a batch at a time, never all at once.

The codings come from one ordered statement (`query.excerpt_select`: the same rows and
order as the excerpt browser's pages), read as the database hands them over (`yield_per`:
a server-side cursor on PostgreSQL; SQLite steps its statement lazily). Each batch is then
hydrated with three queries: the batch's documents (each text read once and its sentence
ends found once: exports/context.py), their speaker turns (an excerpt's speaker is that of
the first turn it overlaps, found by binary search) and the memos of those of the batch's
codings that have some. Sites, codes, speakers, coders, versions and which codings have
memos are read once per export. Reads go through Core (`session.connection()`), not the
ORM: a third of the time per row, for the same tuples.

Tabular formats take tidy rows straight from `Hydrator.table`; reports take `Excerpt`s.

Reports group by code: `by_code=True` puts the codebook order first in the ordering.
"""

from __future__ import annotations

import bisect

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook.models import CodebookVersion
from app.coding.models import Coding
from app.documents.models import Document, Speaker, Turn
from app.exports.columns import Columns
from app.exports.context import DocumentContext
from app.memos.models import Memo
from app.projects.models import Project, Site
from app.retrieval.codes import ProjectCodes
from app.retrieval.filters import ExcerptFilter
from app.retrieval.query import excerpt_select
from app.retrieval.service import Excerpt, coding_memos

BATCH = 2000  # excerpts hydrated (and written) at a time


@dataclass(frozen=True)
class CodeInfo:
    id: int
    key: str
    name: str
    colour: str
    family: str          # the key of its root category
    family_name: str
    rank: int            # codebook order


def codebook_of(session: Session, project: Project) -> dict[int, CodeInfo]:
    """The project's codes by id, each with its family and its place in codebook order."""
    codes = ProjectCodes.load(session, project)
    out = {}
    for rank, (ident, key, name, colour, _) in enumerate(codes.by_id.values()):
        _, family, family_name, _, _ = codes.root(ident)
        out[ident] = CodeInfo(ident, key, name, colour or "", family, family_name, rank)
    return out


ROW = ("id", "code_id", "origin", "start", "end", "quote", "document_id", "coder_id",
       "codebook_version_id")
DOCUMENTS_KEPT = 20_000   # document details remembered between batches


def ordered_rows(session: Session, project: Project, f: ExcerptFilter, *,
                 by_code: dict[int, CodeInfo] | None = None,
                 batch: int = BATCH) -> Iterator[list[tuple]]:
    """The matching codings in the browser's order (codebook order first with `by_code`),
    in lists of up to `batch`, each row the ROW columns."""
    query, order = excerpt_select(session, project, f)
    c = order[-1].class_                   # the statement's codings alias
    if by_code:
        order = [case({i: code.rank for i, code in by_code.items()}, value=c.code_id,
                      else_=len(by_code)), *order]
    query = query.with_only_columns(*(getattr(c, name) for name in ROW),
                                    maintain_column_froms=True)
    # Core, not ORM: a third of the time per row. The option goes with this statement:
    # Connection.execution_options() would set it on the session's connection for good.
    result = session.connection().execute(query.order_by(*order),
                                          execution_options={"yield_per": batch})
    for rows in result.partitions(batch):
        yield [tuple(row) for row in rows]


class Turns:
    """A document's speaker turns, to find the speaker of the first turn an excerpt
    overlaps (by start, then id) with a binary search when turns do not overlap."""

    def __init__(self, turns: list[tuple[int, int, int]]):
        self.starts = [t[0] for t in turns]
        self.ends = [t[1] for t in turns]
        self.speakers = [t[2] for t in turns]
        self.ordered = all(a <= b for a, b in zip(self.ends, self.ends[1:]))

    def speaker(self, start: int, end: int) -> int | None:
        if self.ordered:      # ends ascend: the first turn ending after `start`
            i = bisect.bisect_right(self.ends, start)
            return self.speakers[i] if i < len(self.starts) and self.starts[i] < end else None
        return next((self.speakers[i] for i, (s, e) in enumerate(zip(self.starts, self.ends))
                     if s < end and e > start), None)


class Hydrator:
    """Turns batches of coding rows into full `Excerpt`s (see the module doc). Without
    `context` (reports) the sentences around each excerpt are left empty and no document
    text is read."""

    def __init__(self, session: Session, project: Project,
                 codes: dict[int, CodeInfo] | None = None, *, context: bool = True):
        self.session, self.context = session, context
        self.codes = codes or codebook_of(session, project)
        self.sites = {s.id: (s.slug, s.name, s.strand, s.governance, s.country,
                             dict(s.attributes or {})) for s in session.scalars(
            select(Site).where(Site.project_id == project.id))}
        self.versions = {ident: number for ident, number in session.execute(
            select(CodebookVersion.id, CodebookVersion.number)
            .where(CodebookVersion.project_id == project.id))}
        self.speakers = {ident: (name, role, agency) for ident, name, role, agency in
                         session.execute(select(Speaker.id, Speaker.name, Speaker.role,
                                                Speaker.agency)
                                         .where(Speaker.project_id == project.id))}
        self.coders = {ident: email for ident, email in session.execute(
            select(User.id, User.email).where(User.id.in_(
                select(Coding.coder_id).distinct().where(Coding.project_id == project.id))))}
        self.documents: dict[int, tuple] = {}
        self.texts: dict[int, DocumentContext] = {}
        self._parts: dict[int, dict] = {}
        self.with_memos = set(session.connection().execute(   # few: asked once, not per row
            select(Memo.coding_id).where(Memo.project_id == project.id,
                                         Memo.coding_id.is_not(None),
                                         Memo.deleted_at.is_(None))).scalars())

    def __call__(self, rows: list[tuple]) -> list[Excerpt]:
        """The excerpts for these rows (from ordered_rows), in the same order."""
        return [self._excerpt(row, speaker, memos) for row, speaker, memos in self._with(rows)]

    def table(self, rows: list[tuple], columns: Columns) -> list[list]:
        """The same rows as tidy table rows (columns.py order; `memos` as a list), made
        without Excerpt objects: the parts shared by a site, document, speaker or code
        are put together once per export (a tenth of the time per row)."""
        parts, out = self._parts.setdefault(id(columns), {}), []
        for (ident, code_id, origin, start, end, quote, doc_id, coder_id, version_id), \
                speaker, memos in self._with(rows):
            context = self.texts[doc_id]
            out.append([ident, *self._part(parts, "d", doc_id, columns),
                        *self._part(parts, "s", speaker, columns),
                        *self._part(parts, "c", code_id, columns),
                        self.versions.get(version_id, 0), self.coders.get(coder_id, ""),
                        origin, start, end, quote, context.before(start), context.after(end),
                        len(memos), memos])
        return out

    def _part(self, parts: dict, kind: str, key, columns: Columns) -> tuple:
        if (kind, key) not in parts:
            if kind == "d":
                _, site_id, title, kind_, date, period = self.documents[key]
                slug, name, strand, governance, country, attributes = self.sites[site_id]
                parts["d", key] = columns.document_part(
                    site=(slug, name, strand, governance, country, attributes),
                    document=(key, title, kind_, date, period))
            elif kind == "s":
                parts["s", key] = self.speakers.get(key, ("", "", ""))
            else:
                code = self.codes[key]
                parts["c", key] = (code.key, code.name, code.family)
        return parts[kind, key]

    def _with(self, rows: list[tuple]) -> Iterator[tuple]:
        """Each row with its speaker id and memos, the batch's documents learnt."""
        if not rows:
            return
        doc_ids = {row[6] for row in rows}
        self._learn_documents(doc_ids)
        turns = _turns(self.session, doc_ids)
        memos = coding_memos(self.session,
                             [row[0] for row in rows if row[0] in self.with_memos])
        none = Turns([])
        for row in rows:
            yield row, turns.get(row[6], none).speaker(row[3], row[4]), memos.get(row[0], [])

    def _learn_documents(self, doc_ids: set[int]) -> None:
        """Details of the batch's documents (kept a while: reports revisit them), and with
        `context` their texts (this batch's only: pages are document-major)."""
        missing = doc_ids - set(self.documents)
        if len(self.documents) + len(missing) > DOCUMENTS_KEPT:
            self.documents, self._parts = {}, {}
            missing = doc_ids
        if missing:
            self.documents.update((d[0], tuple(d)) for d in self.session.connection().execute(
                select(Document.id, Document.site_id, Document.title, Document.kind,
                       Document.date, Document.fieldwork_period)
                .where(Document.id.in_(missing))))
        if self.context:
            kept = {i: ctx for i, ctx in self.texts.items() if i in doc_ids}
            self.texts = kept | {ident: DocumentContext(text) for ident, text in
                                 self.session.connection().execute(
                                     select(Document.id, Document.text)
                                     .where(Document.id.in_(doc_ids - set(kept))))}

    def _excerpt(self, row: tuple, speaker_id: int | None, memos: list[str]) -> Excerpt:
        ident, code_id, origin, start, end, quote, doc_id, coder_id, version_id = row
        _, site_id, title, kind, date, period = self.documents[doc_id]
        code = self.codes[code_id]
        slug, name, strand, governance, country, attributes = self.sites[site_id]
        speaker, role, agency = self.speakers.get(speaker_id, ("", "", ""))
        context = self.texts.get(doc_id) if self.context else None
        return Excerpt(
            id=ident, code=code.key, code_name=code.name, family=code.family,
            colour=code.colour, codebook_version=self.versions.get(version_id, 0),
            coder=self.coders.get(coder_id, ""), origin=origin, start=start, end=end,
            text=quote, before=context.before(start) if context else "",
            after=context.after(end) if context else "", document_id=doc_id, document=title,
            kind=kind, date=date, period=period, site=slug, site_name=name, strand=strand,
            governance=governance, country=country, site_attributes=attributes,
            speaker=speaker, role=role, agency=agency, memos=memos)


def _turns(session: Session, doc_ids: set[int]) -> dict[int, Turns]:
    """The speaker turns of these documents, in order."""
    found: dict[int, list] = {}
    for doc_id, start, end, speaker in session.connection().execute(
            select(Turn.document_id, Turn.start, Turn.end, Turn.speaker_id)
            .where(Turn.document_id.in_(doc_ids)).order_by(Turn.start, Turn.id)):
        found.setdefault(doc_id, []).append((start, end, speaker))
    return {doc_id: Turns(turns) for doc_id, turns in found.items()}


def table_rows(session: Session, project: Project, f: ExcerptFilter, columns: Columns, *,
               batch: int = 0) -> Iterator[list[list]]:
    """The filter's excerpts as tidy table rows (Hydrator.table), in batches."""
    hydrate = Hydrator(session, project)
    for rows in ordered_rows(session, project, f, batch=batch or BATCH):
        yield hydrate.table(rows, columns)


def excerpts(session: Session, project: Project, f: ExcerptFilter, *, by_code: bool = False,
             context: bool = True, batch: int = BATCH) -> Iterator[list[Excerpt]]:
    """The filter's excerpts, hydrated, in batches (codebook order first with `by_code`;
    without the sentences around them unless `context`)."""
    hydrate = Hydrator(session, project, context=context)
    for rows in ordered_rows(session, project, f, by_code=hydrate.codes if by_code else None,
                             batch=batch):
        yield hydrate(rows)
