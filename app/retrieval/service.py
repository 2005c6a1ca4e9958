"""Finding coded excerpts: one page at a time, in a stable order, with their context.

Paging is by keyset (the last excerpt's sort key travels in an opaque cursor), so a page
never shifts while colleagues add or remove codings elsewhere in the list.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_
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
from app.retrieval.query import excerpt_select


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
    query, order = excerpt_select(session, project, filter)
    total = (session.scalar(select(func.count()).select_from(query.subquery()))
             if with_total else None)
    if cursor:
        query = query.where(tuple_(*order) > tuple_(*_decode(cursor, order)))
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    excerpts = hydrate(session, project, [row[0] for row in rows])
    return ExcerptPage(excerpts, _encode(rows[-1][1:]) if more and rows else None, total)


def _families(session: Session, project: Project) -> dict[int, tuple[Code, str]]:
    codes = list(session.scalars(select(Code).where(Code.project_id == project.id)))
    by_id = {c.id: c for c in codes}

    def root(code: Code) -> str:
        while code.parent_id in by_id:
            code = by_id[code.parent_id]
        return code.key
    return {c.id: (c, root(c)) for c in codes}


def hydrate(session: Session, project: Project, ids: list[int]) -> list[Excerpt]:
    """Full excerpts for coding ids, in the given order (a few queries per page)."""
    if not ids:
        return []
    rows = session.execute(
        select(Coding, Document, Site, User.email, CodebookVersion.number)
        .join(Document, Document.id == Coding.document_id).join(Site, Site.id == Document.site_id)
        .join(User, User.id == Coding.coder_id)
        .join(CodebookVersion, CodebookVersion.id == Coding.codebook_version_id)
        .where(Coding.id.in_(ids))).all()
    codes = _families(session, project)
    turns = _turns(session, {d.id for _, d, *_ in rows})
    memos = _memos(session, ids)
    others = _codes_here(session, rows, codes)
    by_id = {row[0].id: _excerpt(row, codes, turns, memos, others) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _excerpt(row, codes, turns, memos, others) -> Excerpt:
    coding, doc, site, coder, version = row
    code, family = codes[coding.code_id]
    speaker = next((s for t, s in turns.get(doc.id, []) if t.start < coding.end
                    and t.end > coding.start), None)
    return Excerpt(
        id=coding.id, code=code.key, code_name=code.name, family=family, colour=code.colour,
        codebook_version=version, coder=coder, origin=coding.origin, start=coding.start,
        end=coding.end, text=coding.quote, before=sentence_before(doc.text, coding.start),
        after=sentence_after(doc.text, coding.end), document_id=doc.id, document=doc.title,
        kind=doc.kind, date=doc.date, period=doc.fieldwork_period, site=site.slug,
        site_name=site.name, strand=site.strand, governance=site.governance,
        country=site.country, site_attributes=dict(site.attributes or {}),
        speaker=speaker.name if speaker else "", role=speaker.role if speaker else "",
        agency=speaker.agency if speaker else "", codes_here=others.get(coding.id, []),
        memos=memos.get(coding.id, []))


def _turns(session: Session, doc_ids: set[int]) -> dict[int, list[tuple[Turn, Speaker]]]:
    out: dict[int, list] = {}
    for turn, speaker in session.execute(select(Turn, Speaker).join(
            Speaker, Speaker.id == Turn.speaker_id).where(Turn.document_id.in_(doc_ids))
            .order_by(Turn.start)):
        out.setdefault(turn.document_id, []).append((turn, speaker))
    return out


def _memos(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for coding_id, body in session.execute(select(Memo.coding_id, Memo.body).where(
            Memo.coding_id.in_(ids), Memo.deleted_at.is_(None)).order_by(Memo.id)):
        out.setdefault(coding_id, []).append(body)
    return out


def _codes_here(session, rows, codes) -> dict[int, list[str]]:
    """For each excerpt, the other codes on overlapping passages (the passage's codes)."""
    spans = {row[0].id: row[0] for row in rows}
    doc_ids = {c.document_id for c in spans.values()}
    live = session.execute(select(Coding.id, Coding.document_id, Coding.start, Coding.end,
                                  Coding.code_id).where(Coding.document_id.in_(doc_ids),
                                                        Coding.deleted_at.is_(None))).all()
    by_doc: dict[int, list] = {}
    for row in live:
        by_doc.setdefault(row[1], []).append(row)
    out: dict[int, list[str]] = {}
    for ident, coding in spans.items():
        keys = {codes[c][0].key for i, _, s, e, c in by_doc.get(coding.document_id, [])
                if i != ident and s < coding.end and e > coding.start}
        out[ident] = sorted(keys)
    return out
