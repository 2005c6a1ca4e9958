"""Finding coded excerpts: one page at a time, in a stable order, with their context.

Paging is by keyset (the last excerpt's sort key travels in an opaque cursor), so a page
never shifts while colleagues add or remove codings elsewhere in the list.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook.models import Code, CodebookVersion
from app.coding.models import Coding
from app.documents.models import Document, Speaker, Turn
from app.errors import Invalid
from app.memos.models import Memo
from app.projects.models import Project, Site
from app.retrieval.context import sentence_after, sentence_before
from app.retrieval.filters import ExcerptFilter
from app.retrieval import paging
from app.retrieval.query import Aliases, sort_columns


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
    total = paging.count(session, project, filter) if with_total else None
    rows = paging.find_rows(session, project, filter, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    excerpts = hydrate(session, project, [row[0] for row in rows])
    return ExcerptPage(excerpts, _encode(rows[-1][1:]) if more and rows else None, total)


def _families(session: Session, project: Project) -> dict[int, tuple]:
    """Code id -> (code row: id, key, name, colour, parent_id; its family's key)."""
    codes = session.execute(select(Code.id, Code.key, Code.name, Code.colour, Code.parent_id)
                            .where(Code.project_id == project.id)).all()
    by_id = {c.id: c for c in codes}

    def root(code) -> str:
        while code.parent_id in by_id:
            code = by_id[code.parent_id]
        return code.key
    return {c.id: (c, root(c)) for c in codes}


def hydrate(session: Session, project: Project, ids: list[int]) -> list[Excerpt]:
    """Full excerpts for coding ids, in the given order (a few queries per page)."""
    if not ids:
        return []
    rows = session.execute(
        select(Coding.id, Coding.code_id, Coding.origin, Coding.start, Coding.end,
               Coding.quote, Document.id.label("doc_id"), Document.title, Document.kind,
               Document.date, Document.fieldwork_period,
               Site.slug, Site.name.label("site_name"), Site.strand, Site.governance,
               Site.country, Site.attributes, User.email, CodebookVersion.number)
        .join(Document, Document.id == Coding.document_id).join(Site, Site.id == Document.site_id)
        .join(User, User.id == Coding.coder_id)
        .join(CodebookVersion, CodebookVersion.id == Coding.codebook_version_id)
        .where(Coding.id.in_(ids))).all()
    codes = _families(session, project)
    doc_ids = {row.doc_id for row in rows}
    # each text once (not once per excerpt: a long transcript may hold many of the page's)
    texts = dict(session.execute(select(Document.id, Document.text)
                                 .where(Document.id.in_(doc_ids))).all())
    turns = _turns(session, doc_ids)
    memos = coding_memos(session, ids)
    others = _codes_here(session, ids, codes)
    by_id = {row.id: _excerpt(row, texts[row.doc_id], codes, turns, memos, others)
             for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _excerpt(row, text: str, codes, turns, memos, others) -> Excerpt:
    code, family = codes[row.code_id]
    speaker = next((t for t in turns.get(row.doc_id, []) if t.start < row.end
                    and t.end > row.start), None)
    return Excerpt(
        id=row.id, code=code.key, code_name=code.name, family=family, colour=code.colour,
        codebook_version=row.number, coder=row.email, origin=row.origin, start=row.start,
        end=row.end, text=row.quote, before=sentence_before(text, row.start),
        after=sentence_after(text, row.end), document_id=row.doc_id, document=row.title,
        kind=row.kind, date=row.date, period=row.fieldwork_period, site=row.slug,
        site_name=row.site_name, strand=row.strand, governance=row.governance,
        country=row.country, site_attributes=dict(row.attributes or {}),
        speaker=speaker.name if speaker else "", role=speaker.role if speaker else "",
        agency=speaker.agency if speaker else "", codes_here=others.get(row.id, []),
        memos=memos.get(row.id, []))


def _turns(session: Session, doc_ids: set[int]) -> dict[int, list]:
    out: dict[int, list] = {}
    for turn in session.execute(select(Turn.document_id, Turn.start, Turn.end, Speaker.name,
                                       Speaker.role, Speaker.agency)
                                .join(Speaker, Speaker.id == Turn.speaker_id)
                                .where(Turn.document_id.in_(doc_ids)).order_by(Turn.start)):
        out.setdefault(turn.document_id, []).append(turn)
    return out


def coding_memos(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The live memos on these codings, oldest first, by coding id."""
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for coding_id, body in session.execute(select(Memo.coding_id, Memo.body).where(
            Memo.coding_id.in_(ids), Memo.deleted_at.is_(None)).order_by(Memo.id)):
        out.setdefault(coding_id, []).append(body)
    return out


def _codes_here(session, ids: list[int], codes) -> dict[int, list[str]]:
    """For each excerpt, the other codes on overlapping passages (the passage's codes)."""
    alias = Aliases("hydrate")
    c, o = alias(Coding), alias(Coding)
    pairs = session.execute(select(c.id, o.code_id).distinct().join(o, and_(
        o.document_id == c.document_id, o.id != c.id, o.deleted_at.is_(None),
        o.start < c.end, o.end > c.start)).where(c.id.in_(ids))).all()
    out: dict[int, set[str]] = {}
    for ident, code_id in pairs:
        out.setdefault(ident, set()).add(codes[code_id][0].key)
    return {ident: sorted(keys) for ident, keys in out.items()}
