"""Finding coded excerpts: one page at a time, in a stable order, with their context.

Paging is by keyset (the last excerpt's sort key travels in an opaque cursor), so a page
never shifts while colleagues add or remove codings elsewhere in the list.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import String, and_, bindparam, case, cast, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from app.accounts.models import User
from app.codebook.models import CodebookVersion
from app.coding.models import Coding
from app.documents.models import Document, Speaker, Turn
from app.errors import Invalid
from app.memos.models import Memo
from app.projects.models import Project, Site
from app.retrieval.codes import ProjectCodes
from app.retrieval.context import sentence_after, sentence_before
from app.retrieval.filters import ExcerptFilter
from app.retrieval import paging
from app.retrieval.query import sort_columns


@dataclass
class Excerpt:
    id: int
    code: str
    code_name: str
    family: str
    colour: str
    codebook_version: int
    coder: str
    origin: str
    start: int
    end: int
    text: str
    before: str
    after: str
    document_id: int
    document: str
    kind: str
    date: dt.date | None
    period: str
    site: str
    site_name: str
    strand: str
    governance: str | None
    country: str
    site_attributes: dict
    speaker: str = ""
    role: str = ""
    agency: str = ""
    codes_here: list[str] = field(default_factory=list)
    memos: list[str] = field(default_factory=list)


@dataclass
class ExcerptPage:
    excerpts: list[Excerpt]
    next_cursor: str | None
    total: int | None = None


def _encode(values) -> str:
    plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def _decode(cursor: str, order) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        assert isinstance(values, list) and len(values) == len(order)
    except (ValueError, AssertionError):
        raise Invalid("the page cursor is not one this server gave out") from None
    return [dt.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-"
            and v[:4].isdigit() else v for v in values]


def find_excerpts(session: Session, *, project: Project, filter: ExcerptFilter,
                  limit: int = 50, cursor: str | None = None,
                  with_total: bool = False) -> ExcerptPage:
    """One page of excerpts matching the filter, and the cursor for the next page."""
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500")
    width = len(sort_columns(filter, Coding, Document, Site))
    after = _decode(cursor, range(width)) if cursor else None
    # the codes once: the filter's keys, paging's choice of plan and each excerpt's code
    codes = ProjectCodes.load(session, project, tallies=paging.wants_tallies(filter))
    total = paging.count(session, project, filter, codes) if with_total else None
    rows = paging.find_rows(session, project, filter, limit + 1, after, codes)
    more = len(rows) > limit
    rows = rows[:limit]
    excerpts = hydrate(session, project, [row[0] for row in rows], codes)
    return ExcerptPage(excerpts, _encode(rows[-1][1:]) if more and rows else None, total)


# SQLite looks the overlapping codings up in ix_codings_document_start and then in the
# table, unless told to read the covering index of live spans (twice as fast).
_OTHERS_SQLITE = literal_column(
    "(SELECT group_concat(other.code_id, ',') FROM codings AS other"
    " INDEXED BY ix_codings_live_span WHERE other.document_id = codings.document_id"
    " AND other.id != codings.id AND other.deleted_at IS NULL"
    ' AND other.start < codings."end" AND other."end" > codings.start)')


def _hydrate_select(dialect: str):
    """The statement behind hydrate (built once per dialect): each coding with its
    document, site, coder and version; its document's text on the first of the document's
    rows only (each text read once); the speaker of the first turn it overlaps (by start,
    then id); the codes of the live codings overlapping it (ids joined by commas); and its
    live memos (a row each, so a coding with several memos comes more than once)."""
    c, o, t = Coding, aliased(Coding, name="other"), aliased(Turn, name="turn")
    ids = bindparam("ids", expanding=True)
    first = func.row_number().over(partition_by=c.document_id, order_by=c.id) == 1
    speaker = (select(t.speaker_id).where(t.document_id == c.document_id, t.start < c.end,
                                          t.end > c.start)
               .order_by(t.start, t.id).limit(1).scalar_subquery())
    others = (select(func.aggregate_strings(cast(o.code_id, String), ","))
              .where(o.document_id == c.document_id, o.id != c.id, o.deleted_at.is_(None),
                     o.start < c.end, o.end > c.start).scalar_subquery())
    if dialect == "sqlite":
        others = _OTHERS_SQLITE
    return (select(c.id, c.code_id, c.origin, c.start, c.end, c.quote,
                   Document.id.label("doc_id"), Document.title, Document.kind, Document.date,
                   Document.fieldwork_period, Site.slug, Site.name.label("site_name"),
                   Site.strand, Site.governance, Site.country, Site.attributes, User.email,
                   CodebookVersion.number,
                   case((first, Document.text)).label("text"),
                   Speaker.name.label("speaker"), Speaker.role, Speaker.agency,
                   others.label("others"), Memo.id.label("memo_id"), Memo.body)
            .join(Document, Document.id == c.document_id).join(Site, Site.id == Document.site_id)
            .join(User, User.id == c.coder_id)
            .join(CodebookVersion, CodebookVersion.id == c.codebook_version_id)
            .outerjoin(Speaker, Speaker.id == speaker)
            .outerjoin(Memo, and_(Memo.coding_id == c.id, Memo.deleted_at.is_(None),
                                  Memo.coding_id.in_(ids)))    # the memo index, not a scan
            .where(c.id.in_(ids)))


_HYDRATE: dict[str, object] = {}


def hydrate(session: Session, project: Project, ids: list[int],
            codes: ProjectCodes | None = None) -> list[Excerpt]:
    """Full excerpts for coding ids, in the given order, from one query (`codes`: the
    project's codes, when already read)."""
    if not ids:
        return []
    dialect = session.get_bind().dialect.name
    if dialect not in _HYDRATE:
        _HYDRATE[dialect] = _hydrate_select(dialect)
    codes = codes or ProjectCodes.load(session, project)
    by_id: dict[int, Excerpt] = {}
    memos: dict[int, list[tuple[int, str]]] = {}
    if session.autoflush:       # as session.execute would; then Core, without the ORM's
        session.flush()         # result handling (a third of the statement's time here)
    rows = session.connection().execute(_HYDRATE[dialect], {"ids": ids}).all()
    texts = {row.doc_id: row.text for row in rows if row.text is not None}
    for row in rows:
        if row.memo_id is not None:
            memos.setdefault(row.id, []).append((row.memo_id, row.body))
        if row.id not in by_id:
            by_id[row.id] = _excerpt(row, texts[row.doc_id], codes)
    for ident, found in memos.items():      # oldest first
        by_id[ident].memos = [body for _, body in sorted(found)]
    return [by_id[i] for i in ids if i in by_id]


def _excerpt(row, text: str, codes: ProjectCodes) -> Excerpt:
    _, key, name, colour, _ = codes.by_id[row.code_id]
    others = sorted({codes.by_id[int(i)][1] for i in row.others.split(",")}) \
        if row.others else []
    spoken = row.speaker is not None     # names are never null: the excerpt is in a turn
    return Excerpt(
        id=row.id, code=key, code_name=name, family=codes.family(row.code_id), colour=colour,
        codebook_version=row.number, coder=row.email, origin=row.origin, start=row.start,
        end=row.end, text=row.quote, before=sentence_before(text, row.start),
        after=sentence_after(text, row.end),
        document_id=row.doc_id, document=row.title, kind=row.kind, date=row.date,
        period=row.fieldwork_period, site=row.slug, site_name=row.site_name,
        strand=row.strand, governance=row.governance, country=row.country,
        site_attributes=dict(row.attributes or {}), speaker=row.speaker if spoken else "",
        role=row.role if spoken else "", agency=row.agency if spoken else "",
        codes_here=others, memos=[])


def coding_memos(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The live memos on these codings, oldest first, by coding id."""
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for coding_id, body in session.execute(select(Memo.coding_id, Memo.body).where(
            Memo.coding_id.in_(ids), Memo.deleted_at.is_(None)).order_by(Memo.id)):
        out.setdefault(coding_id, []).append(body)
    return out
