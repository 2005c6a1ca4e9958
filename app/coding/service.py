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
from app.documents.models import Document
from app.errors import Conflict, Invalid, NotFound
from app.projects.models import Project


def _check_span(document: Document, start: int, end: int, quote: str | None) -> str:
    if not (0 <= start < end <= len(document.text)):
        raise Invalid(f"the span [{start}, {end}) is outside the document "
                      f"(its text has {len(document.text)} characters)")
    text = document.text[start:end]
    if not text.strip():
        raise Invalid("the selection is empty or only white space")
    if quote is not None and quote != text:
        raise Conflict("the quoted text does not match the document at those offsets")
    return text


def create(session: Session, *, project: Project, document: Document, code_key: str,
           start: int, end: int, by: User, quote: str | None = None, origin: str = "manual",
           rule: str = "") -> Coding:
    """Code `document.text[start:end]` with the code; the span must hold real text."""
    code = get_code(session, project=project, key=code_key)
    if code.is_category or code.status != "active":
        raise Invalid(f"'{code_key}' is {'a category' if code.is_category else 'retired'}: "
                      "pick a code from the codebook")
    if origin not in ORIGINS:
        raise Invalid(f"origin must be one of {', '.join(ORIGINS)}")
    version = current_version(session, project=project)
    text = _check_span(document, start, end, quote)
    coding = Coding(project_id=project.id, document_id=document.id, code_id=code.id,
                    codebook_version_id=version.id, start=start, end=end, quote=text,
                    coder_id=by.id, origin=origin, rule=rule)
    session.add(coding)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.create",
                 obj=coding, code=code_key, document=document.id, start=start, end=end)
    return coding


def remove(session: Session, *, project: Project, coding_id: int, by: User) -> Coding:
    """Soft-delete a coding (it stays in the history and can be restored)."""
    coding = session.get(Coding, coding_id)
    if coding is None or coding.project_id != project.id or coding.deleted_at is not None:
        raise NotFound(f"no coding {coding_id}")
    coding.deleted_at, coding.deleted_by_id = utcnow(), by.id
    audit.record(session, user_id=by.id, project_id=project.id, action="coding.remove",
                 obj=coding)
    return coding


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
