"""The coding view: a document's text as coded segments, with its fragments for fetch/htmx.

The text is cut once (`render.segments` over the live codings) and written as HTML in one
pass over the blocks (turns, and paragraphs outside turns) and the sorted segments, clipping
a segment where a block ends: no query, template call or object per segment. Every piece of
text is `<span data-start="N">`, its code-point offset into `Document.text`; coded ones add
`data-c` (the ids covering them) and a tint colour. Each coding gets an empty anchor
(`#coding-{id}`, with its key and colour) where it first shows and an end mark where it
stops: the margin bars, the side panel's links and the printed keys read them.
"""

from __future__ import annotations

import re
from collections import defaultdict

from fastapi import APIRouter, Request, Response
from markupsafe import Markup, escape
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook import service as codebook
from app.codebook.models import Code, CodebookVersion
from app.coding import service as coding_service
from app.coding.models import Coding
from app.coding.render import Segment, segments
from app.documents import service as documents
from app.documents.models import DOCUMENT_KINDS, Document, Speaker, Turn
from app.documents.view import clock, pieces
from app.errors import NotFound
from app.memos.models import MEMO_KINDS
from app.projects import service as projects
from app.projects.models import Site
from app.web import CurrentUser, SessionDep, render, templates

router = APIRouter(include_in_schema=False)

HEX = re.compile(r"#[0-9a-fA-F]{3,8}")
DEFAULT_COLOUR = "#5a6b7b"
BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
QUOTE_CHARS = 110


def colour_of(code: Code) -> str:
    return code.colour if HEX.fullmatch(code.colour or "") else DEFAULT_COLOUR


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text[:limit * 2].split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraphs(text: str, start: int) -> list[tuple[int, int]]:
    """A non-turn piece split at blank lines into paragraph spans."""
    spans, at = [], 0
    for gap in BLANK_LINES.finditer(text):
        spans.append((start + at, start + gap.start()))
        at = gap.end()
    spans.append((start + at, start + len(text)))
    return [(a, b) for a, b in spans if b > a]


def _layout(text: str, turns: list[tuple[Turn, Speaker]]) -> list[tuple]:
    """(start, end, turn, speaker, label_start, label_end) for every block, in text order."""
    out = []
    for piece in pieces(text, turns):
        if piece.turn is None:
            out += [(a, b, None, None, 0, 0) for a, b in _paragraphs(piece.text, piece.start)]
        else:
            out.append((piece.start, piece.start + len(piece.text), piece.turn, piece.speaker,
                        piece.label_start, piece.label_start + len(piece.label)))
    return out


class TextWriter:
    """Writes the blocks of the text as HTML, walking the sorted segments once."""

    def __init__(self, segs: list[Segment], rows: list[tuple[Row, Code]]):
        self.segs, self.at, self.seen, self.heads, self.tags = segs, 0, set(), {}, {}
        self.info, self.ends, looks = {}, set(), {}
        for c, code in rows:  # id -> (rank for the tint: innermost wins, end, key, colour)
            look = looks.get(code) or looks.setdefault(code, (str(escape(code.key)),
                                                              colour_of(code)))
            start, end = c.start, c.end
            self.info[c.id] = ((start, -end), end, *look)
            self.ends.add(end)

    def _tag(self, ids: tuple[int, ...]) -> str:
        """The attributes of a segment covered by `ids`; tinted by the innermost coding."""
        colour = max((self.info[i] for i in ids), key=lambda info: info[0])[3]
        tag = self.tags[ids] = (f'data-c="{" ".join(map(str, ids))}" '
                                f'data-n="{min(len(ids), 3)}" style="--c:{colour}"')
        return tag

    def _marks(self, ids: tuple[int, ...], stop: int) -> tuple[str, str]:
        """Anchors of the codings that start showing here; end marks of those that stop."""
        head = tail = ""
        for i in ids:
            _, end, key, colour = self.info[i]
            if i not in self.seen:
                self.seen.add(i)
                head += (f'<span class="anchor" id="coding-{i}" data-key="{key}" '
                         f'data-colour="{colour}"></span>')
            if end == stop:
                tail += f'<span class="end" data-key="{key}"></span>'
        return head, tail

    def run(self, start: int, end: int) -> str:
        """The HTML of the text in [start, end); segments crossing its ends are clipped."""
        segs, parts, at, tags, seen, ends = self.segs, [], self.at, self.tags, self.seen, self.ends
        while at < len(segs) and segs[at].start + len(segs[at].text) <= start:
            at += 1
        i = at
        while i < len(segs) and segs[i].start < end:
            seg_start, text, ids = segs[i].start, segs[i].text, segs[i].codings
            stop = seg_start + len(text)
            if seg_start < start or stop > end:
                a, stop = max(start, seg_start), min(end, stop)
                text, seg_start = text[a - seg_start:stop - seg_start], a
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            if not ids:
                parts.append(f'<span data-start="{seg_start}">{text}</span>')
            else:
                head, tail = (("", "") if stop not in ends and seen.issuperset(ids)
                              else self._marks(ids, stop))
                tag = tags.get(ids) or self._tag(ids)
                parts.append(f'{head}<span data-start="{seg_start}" {tag}>{text}</span>{tail}')
            i += 1
        self.at = max(at, i - 1)
        return "".join(parts)

    def speaker(self, s: Speaker) -> tuple[str, str]:
        """A speaker's escaped name and the role and agency tags of their turn headings."""
        if s.id not in self.heads:
            tags = "".join(f' <span class="{cls}">{_html(v)}</span>'
                           for cls, v in (("role", s.role), ("agency", s.agency)) if v)
            self.heads[s.id] = (str(escape(s.name)), tags)
        return self.heads[s.id]

    def block(self, start, end, turn, speaker, label_start, label_end) -> str:
        if turn is None:
            return (f'<div class="plain" id="para-{start}" data-block tabindex="0">'
                    f'{self.run(start, end)}</div>')
        name, tags = self.speaker(speaker)
        label = self.run(label_start, label_end) if label_end > label_start else name
        stamp = ("" if turn.time_start_ms is None
                 else f' <time class="stamp">{clock(turn.time_start_ms)}</time>')
        return (f'<div class="turn" id="turn-{turn.id}" data-block data-turn="{turn.id}" '
                f'data-speaker="{speaker.id}" data-speaker-name="{name}" tabindex="0">'
                f'<div class="turn-head"><span class="speaker">'
                f'{label}</span>{tags}{stamp}</div><div class="utterance">'
                f'{self.run(start, end)}</div></div>')


def text_html(text: str, turns: list[tuple[Turn, Speaker]],
              rows: list[tuple[Row, Code]]) -> Markup:
    """The document's text as blocks of segments."""
    writer = TextWriter(segments(text, [(c.id, c.start, c.end) for c, _ in rows]), rows)
    return Markup("".join([writer.block(*b) for b in _layout(text, turns)]))


# ---- loading ----

def load(session: Session, user: User, project: str, document_id: int):
    """The document, its project and the user's role (NotFound for another project's)."""
    document, proj = documents.get_for_member(session, document_id=document_id, user=user)
    if proj.slug != project:
        raise NotFound(f"no document {document_id} in project '{project}'")
    return document, proj, projects.role_of(session, project=proj, user=user)


def live_codings(session: Session, document: Document, codes: list[Code],
                 quotes: bool = True) -> list[tuple[Row, Code]]:
    """The document's live codings in text order, with their code: plain rows (id, start,
    end and perhaps quote), as a long transcript may carry thousands."""
    by_id = {c.id: c for c in codes}
    columns = [Coding.id, Coding.start, Coding.end, Coding.code_id]
    rows = session.execute(
        select(*columns, *([Coding.quote] if quotes else []))
        .where(Coding.document_id == document.id, Coding.deleted_at.is_(None))
        .order_by(Coding.start, Coding.end, Coding.id)).all()
    return [(row, by_id[row.code_id]) for row in rows]


def turns_with_speakers(session: Session, document: Document) -> list[tuple[Row, Speaker]]:
    """The document's turns in text order (plain rows) with their speakers."""
    rows = session.execute(
        select(Turn.id, Turn.start, Turn.end, Turn.time_start_ms, Turn.speaker_id)
        .where(Turn.document_id == document.id).order_by(Turn.start)).all()
    ids = {row.speaker_id for row in rows}
    speakers = {s.id: s for s in session.scalars(select(Speaker).where(Speaker.id.in_(ids)))}
    return [(row, speakers[row.speaker_id]) for row in rows]


def text_context(session: Session, document: Document, rows, revision: str) -> dict:
    """The text's template context. `revision` must be read before `rows`, so that a change
    made in between shows as a newer revision at the next poll rather than being missed."""
    turns = turns_with_speakers(session, document)
    return dict(text_html=text_html(document.text, turns, rows), turn_count=len(turns),
                revision=revision, coding_count=len(rows))


def panel_context(rows: list[tuple[Row, Code]]) -> dict:
    """The document's codings grouped by code, in codebook order, each with its quotes."""
    groups: dict[Code, list[str]] = defaultdict(list)
    for c, code in rows:
        groups[code].append(f'<li><a href="#coding-{c.id}" data-coding="{c.id}">'
                            f'{_html(short(c.quote))}</a></li>')
    order = sorted(groups, key=lambda c: (c.position, c.key))
    return dict(groups=[(c, len(groups[c]), Markup("".join(groups[c]))) for c in order],
                colour_of=colour_of)


def picker_codes(codes: list[Code]) -> list[dict]:
    """Active, codable codes in codebook order, with their family and guidance."""
    by_id = {c.id: c for c in codes}

    def family(code: Code) -> Code:
        while code.parent_id in by_id:
            code = by_id[code.parent_id]
        return code

    return [dict(key=c.key, name=c.name, colour=colour_of(c), family=family(c).key,
                 definition=c.definition, when_to_use=c.when_to_use,
                 when_not_to_use=c.when_not_to_use)
            for c in codes if c.status == "active" and not c.is_category]


# ---- pages and fragments ----

def coding_view(request: Request, session: Session, user: User, project: str,
                document_id: int):
    """The document page: the text to read and code, the margin, the panels."""
    document, proj, role = load(session, user, project, document_id)
    revision = coding_service.revision(session, document=document)
    codes = codebook.list_codes(session, project=proj)
    rows = live_codings(session, document, codes)
    return render(request, "documents/document.html", user=user, project=proj, role=role,
                  document=document, site=session.get(Site, document.site_id),
                  kind_name=DOCUMENT_KINDS[document.kind], can_edit=role.can_edit(),
                  codes=picker_codes(codes) if role.can_edit() else [],
                  **text_context(session, document, rows, revision), **panel_context(rows))


def _fragment(request: Request, name: str, **context):
    return templates.TemplateResponse(request, name, context,
                                      headers={"Cache-Control": "no-store"})


@router.get("/p/{project}/documents/{document_id}/text", name="coding_text")
def coding_text(request: Request, session: SessionDep, user: CurrentUser, project: str,
                document_id: int):
    """The text fragment (root `#document-text`), to swap in after a change. The page polls
    it with If-None-Match (its revision, as the codings API's ETag): 304 while unchanged."""
    document, proj, _ = load(session, user, project, document_id)
    revision = coding_service.revision(session, document=document)
    tag = f'"{revision}"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-store"})
    rows = live_codings(session, document, codebook.list_codes(session, project=proj), False)
    response = _fragment(request, "coding/_text.html", document=document,
                         **text_context(session, document, rows, revision))
    response.headers["ETag"] = tag
    return response


@router.get("/p/{project}/documents/{document_id}/codings-panel", name="coding_panel")
def coding_panel(request: Request, session: SessionDep, user: CurrentUser, project: str,
                 document_id: int):
    """The side panel's list of the document's codings, grouped by code."""
    document, proj, _ = load(session, user, project, document_id)
    revision = coding_service.revision(session, document=document)
    rows = live_codings(session, document, codebook.list_codes(session, project=proj))
    return _fragment(request, "coding/_panel.html", **panel_context(rows), revision=revision,
                     coding_count=len(rows))


@router.get("/p/{project}/documents/{document_id}/popover", name="coding_popover")
def coding_popover(request: Request, session: SessionDep, user: CurrentUser, project: str,
                   document_id: int, ids: str = ""):
    """The live codings `ids` of this document: code, guidance, coder, time and actions."""
    document, proj, role = load(session, user, project, document_id)
    wanted = [int(x) for x in re.findall(r"\d+", ids)][:20]
    rows = session.execute(
        select(Coding, Code, User.email, CodebookVersion.number)
        .join(Code, Coding.code_id == Code.id).join(User, Coding.coder_id == User.id)
        .join(CodebookVersion, Coding.codebook_version_id == CodebookVersion.id)
        .where(Coding.document_id == document.id, Coding.id.in_(wanted),
               Coding.deleted_at.is_(None))
        .order_by(Coding.start, Coding.id)).all() if wanted else []
    return _fragment(request, "coding/_popover.html", rows=rows, can_edit=role.can_edit(),
                     colour_of=colour_of, short=short, memo_kinds=MEMO_KINDS)
