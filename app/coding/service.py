"""Codings: applying a code to a span of text, checked against the stored text."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.codebook.models import Code
from app.codebook.service import current_version, get_code
from app.coding.models import ORIGINS, Coding
from app.db import utcnow
from app.documents.models import Document, Turn
from app.errors import Conflict, Invalid, NotFound
from app.projects import service as projects
from app.projects.models import Project
from app.retrieval import tallies


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the span's ends inward past white space (a selection's stray spaces and breaks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _check_span(document: Document, start: int, end: int,
                quote: str | None) -> tuple[int, int, str]:
    if not (0 <= start < end <= len(document.text)):
        raise Invalid(f"the span [{start}, {end}) is outside the document "
                      f"(its text has {len(document.text)} characters)")
    start, end = trim(document.text, start, end)
    if start == end:
        raise Invalid("the selection is empty or only white space")
    text = document.text[start:end]
    if quote is not None and quote.strip() != text:
        raise Conflict("the quoted text does not match the document at those offsets: "
                       "reload the document and select the passage again")
    return start, end, text


def create(session: Session, *, project: Project, document: Document, code_key: str,
           start: int, end: int, by: User, quote: str | None = None, origin: str = "manual",
           rule: str = "") -> Coding:
    """Code `document.text[start:end]` (trimmed of white space) with the code."""
    code = _codable(session, project, code_key)
    if origin not in ORIGINS:
        raise Invalid(f"origin must be one of {', '.join(ORIGINS)}")
    start, end, text = _check_span(document, start, end, quote)
    coding = Coding(project_id=project.id, document_id=document.id, code_id=code.id,
                    codebook_version_id=current_version(session, project=project).id,
                    start=start, end=end, quote=text, coder_id=by.id, origin=origin,
                    rule=rule)
    session.add(coding)
    session.flush()
    tallies.coding_added(session, coding=coding)
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.create",
                 obj=coding, code=code_key, document=document.id, start=start, end=end)
    return coding


def _codable(session: Session, project: Project, code_key: str) -> Code:
    code = get_code(session, project=project, key=code_key)
    if code.is_category or code.status != "active":
        raise Invalid(f"'{code_key}' is {'a category' if code.is_category else 'retired'}: "
                      "pick a code from the codebook")
    return code


def get_for_member(session: Session, *, coding_id: int, user: User,
                   need: str = "view") -> tuple[Coding, Project]:
    """The coding and its project, if the user is a member (NotFound otherwise)."""
    coding = session.get(Coding, coding_id)
    return projects.object_for_member(session, coding, f"no coding {coding_id}", user=user,
                                      need=need)


def remove(session: Session, *, project: Project, coding: Coding, by: User) -> Coding:
    """Soft-delete a coding (it stays in the history and can be restored)."""
    if coding.deleted_at is not None:
        raise NotFound(f"coding {coding.id} is already removed")
    coding.deleted_at, coding.deleted_by_id = utcnow(), by.id
    tallies.coding_removed(session, coding=coding)
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.remove",
                 obj=coding)
    return coding


def restore(session: Session, *, project: Project, coding: Coding, by: User) -> Coding:
    """Bring back a removed coding (undo of a removal)."""
    if coding.deleted_at is None:
        raise Conflict(f"coding {coding.id} is not removed")
    coding.deleted_at, coding.deleted_by_id = None, None
    tallies.coding_added(session, coding=coding)
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.restore",
                 obj=coding)
    return coding


def recode(session: Session, *, project: Project, coding: Coding, code_key: str,
           by: User) -> Coding:
    """Give a coding another code; the span and quote stay."""
    if coding.deleted_at is not None:
        raise NotFound(f"coding {coding.id} is removed")
    code = _codable(session, project, code_key)
    old = coding.code_id
    coding.code_id = code.id
    coding.codebook_version_id = current_version(session, project=project).id
    session.flush()
    tallies.coding_recoded(session, coding=coding, old_code_id=old)
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.recode",
                 obj=coding, old_code_id=old, code=code_key)
    return coding


def code_turns(session: Session, *, project: Project, document: Document, code_key: str,
               by: User, turn_id: int | None = None,
               speaker_id: int | None = None) -> list[Coding]:
    """Code one turn, or every turn of one speaker in the document (skipping turns that
    already carry this code over the same span)."""
    query = select(Turn).where(Turn.document_id == document.id).order_by(Turn.start)
    if turn_id is not None:
        query = query.where(Turn.id == turn_id)
    if speaker_id is not None:
        query = query.where(Turn.speaker_id == speaker_id)
    turns = list(session.scalars(query))
    if not turns:
        raise NotFound("no such turn in this document")
    code = _codable(session, project, code_key)
    done = {(c.start, c.end) for c, k in list_for_document(session, document=document)
            if k.id == code.id}
    return [create(session, project=project, document=document, code_key=code_key,
                   start=t.start, end=t.end, by=by)
            for t in turns if trim(document.text, t.start, t.end) not in done]


def list_for_document(session: Session, *, document: Document) -> list[tuple[Coding, Code]]:
    """The document's live codings in text order, each with its code."""
    rows = session.execute(select(Coding, Code).join(Code, Coding.code_id == Code.id)
                           .where(Coding.document_id == document.id,
                                  Coding.deleted_at.is_(None))
                           .order_by(Coding.start, Coding.end, Coding.id))
    return [(coding, code) for coding, code in rows]


def counts_by_code_and_site(session: Session, *, project: Project) -> dict[int, dict[int, int]]:
    """code id -> site id -> number of live codings."""
    rows = session.execute(
        select(Coding.code_id, Document.site_id, func.count())
        .join(Document, Coding.document_id == Document.id)
        .where(Coding.project_id == project.id, Coding.deleted_at.is_(None))
        .group_by(Coding.code_id, Document.site_id))
    counts: dict[int, dict[int, int]] = {}
    for code_id, site_id, count in rows:
        counts.setdefault(code_id, {})[site_id] = count
    return counts


def revision(session: Session, *, document: Document) -> str:
    """A tag that changes whenever any coding of the document changes (for polling)."""
    count, last_id, last_change = session.execute(
        select(func.count(), func.max(Coding.id), func.max(Coding.updated_at))
        .where(Coding.document_id == document.id)).one()
    live = session.scalar(select(func.count()).where(Coding.document_id == document.id,
                                                     Coding.deleted_at.is_(None)))
    stamp = last_change.timestamp() if last_change else 0
    return f"{count}-{live}-{last_id or 0}-{stamp:.6f}"
