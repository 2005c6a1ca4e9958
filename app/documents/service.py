"""Ingest: a file becomes a document with normalised text and speaker turns, or is refused.

Refusals name the file and the reason and store nothing of that file. In a batch each
file is ingested inside its own savepoint, so one bad file never takes the others with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.documents.models import DOCUMENT_KINDS, Document, Speaker, Turn
from app.documents.readers import IngestError, ParsedTurn, read_document
from app.errors import Conflict, Invalid, NotFound, TooLarge
from app.projects import service as projects
from app.projects.models import Project, Site
from app.suggestions import service as suggestions

SPEAKER_NAME = 200   # speakers.name is VARCHAR(200)


@dataclass
class DocumentMeta:
    """What the researcher says about a file: where it is from and what it is."""

    site: Site
    kind: str
    title: str = ""
    date: dt.date | None = None
    researcher: str = ""
    fieldwork_period: str = ""


@dataclass
class IngestReport:
    added: list[tuple[Document, list[str]]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def check_kind(kind: str) -> str:
    if kind not in DOCUMENT_KINDS:
        raise Invalid(f"unknown document kind '{kind}'; use one of: {', '.join(DOCUMENT_KINDS)}")
    return kind


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) or None for blank."""
    if not value or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"'{value}' is not a date: write it as YYYY-MM-DD") from None


def ingest(session: Session, *, project: Project, filename: str, data: bytes,
           meta: DocumentMeta, by: User, max_bytes: int) -> tuple[Document, list[str]]:
    """Read, check and store one file; raise Invalid/Conflict/TooLarge naming the file."""
    name = PurePath(filename.replace("\\", "/")).name or "unnamed file"
    check_kind(meta.kind)
    if meta.site.project_id != project.id:
        raise Invalid(f"{name}: the site is not in project '{project.slug}'")
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: the file is {len(data) / 1048576:.1f} MB, over the "
                       f"{max_bytes / 1048576:.0f} MB limit")
    try:
        result = read_document(name, data, max_bytes=max_bytes)
    except IngestError as err:
        raise Invalid(f"{name}: {err}") from None
    content_hash = hashlib.sha256(data).hexdigest()
    _refuse_duplicate(session, project=project, content_hash=content_hash, name=name)
    document = Document(
        project_id=project.id, site_id=meta.site.id, kind=meta.kind,
        title=(meta.title or PurePath(name).stem).strip()[:300], date=meta.date,
        researcher=meta.researcher.strip(), fieldwork_period=meta.fieldwork_period.strip(),
        original_filename=name, format=result.format, original_bytes=data,
        content_hash=content_hash, text=result.text, word_count=len(result.text.split()),
        created_by_id=by.id)
    session.add(document)
    session.flush()
    _store_turns(session, project=project, document=document, turns=result.turns)
    audit.record(session, user_id=by.id, project_id=project.id, action="document.ingest",
                 obj=document, filename=name, site=meta.site.slug, warnings=result.warnings)
    suggestions.on_ingest(session, project=project, document=document, by=by)
    return document, result.warnings


def _refuse_duplicate(session: Session, *, project: Project, content_hash: str, name: str) -> None:
    twin = session.scalar(select(Document).where(Document.project_id == project.id,
                                                 Document.content_hash == content_hash))
    if twin is not None:
        raise Conflict(f"{name}: the same file is already in the project as "
                       f"'{twin.title}' (document {twin.id})")


def _store_turns(session: Session, *, project: Project, document: Document,
                 turns: list[ParsedTurn]) -> None:
    """The document's turns, each with its speaker (made on first sight in the project):
    the speakers looked up in one query, the turns written in one statement (a 100,000-
    coding import spent a third of its time here, a query and an object per turn)."""
    if not turns:
        return
    names = {parsed.speaker[:SPEAKER_NAME] for parsed in turns}
    speakers = dict(session.execute(select(Speaker.name, Speaker.id).where(
        Speaker.project_id == project.id, Speaker.name.in_(sorted(names)))).all())
    new = [Speaker(project_id=project.id, name=name) for name in sorted(names - set(speakers))]
    if new:
        session.add_all(new)
        session.flush()
        speakers |= {speaker.name: speaker.id for speaker in new}
    session.execute(insert(Turn), [
        {"document_id": document.id, "speaker_id": speakers[parsed.speaker[:SPEAKER_NAME]],
         "start": parsed.start, "end": parsed.end, "time_start_ms": parsed.time_start_ms,
         "time_end_ms": parsed.time_end_ms} for parsed in turns])


def ingest_batch(session: Session, *, project: Project,
                 items: Iterable[tuple[str, bytes, DocumentMeta]], by: User,
                 max_bytes: int) -> IngestReport:
    """Ingest files one by one, each in its own savepoint; bad ones are listed, not fatal."""
    report = IngestReport()
    for filename, data, meta in items:
        try:
            with session.begin_nested():
                report.added.append(ingest(session, project=project, filename=filename,
                                           data=data, meta=meta, by=by, max_bytes=max_bytes))
        except (Invalid, Conflict, TooLarge) as err:
            report.refused.append((filename, err.message))
        except IntegrityError:
            report.refused.append((filename, f"{filename}: it clashes with a document stored "
                                             "at the same moment; try again"))
    return report


def ingest_many(session: Session, *, project: Project, files: list[tuple[str, bytes]],
                meta: DocumentMeta, by: User, max_bytes: int) -> IngestReport:
    """Several files with the same metadata (the title only applies to a single file)."""
    if len(files) > 1:
        meta = replace(meta, title="")
    return ingest_batch(session, project=project, by=by, max_bytes=max_bytes,
                        items=((name, data, meta) for name, data in files))


def get_for_member(session: Session, *, document_id: int, user: User,
                   need: str = "view") -> tuple[Document, Project]:
    """The document and its project, if the user is a member (NotFound otherwise)."""
    document = session.get(Document, document_id)
    return projects.object_for_member(session, document, f"no document {document_id}", user=user,
                                      need=need)


def turns_of(session: Session, *, document: Document) -> list[tuple[Turn, Speaker]]:
    """The document's turns in text order, each with its speaker."""
    rows = session.execute(select(Turn, Speaker).join(Speaker, Turn.speaker_id == Speaker.id)
                           .where(Turn.document_id == document.id).order_by(Turn.start))
    return [(turn, speaker) for turn, speaker in rows]


def list_for_site(session: Session, *, site: Site) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.site_id == site.id)
                                .order_by(Document.date, Document.title)))


def list_for_project(session: Session, *, project: Project) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.project_id == project.id)
                                .order_by(Document.site_id, Document.date, Document.title)))


def count_by_site(session: Session, *, project: Project) -> dict[int, int]:
    """How many documents each site of the project holds."""
    rows = session.execute(select(Document.site_id, func.count()).where(
        Document.project_id == project.id).group_by(Document.site_id))
    return dict(rows.all())


def list_speakers(session: Session, *, project: Project) -> list[tuple[Speaker, int]]:
    """The project's speakers with how many turns each has, by name."""
    rows = session.execute(
        select(Speaker, func.count(Turn.id)).outerjoin(Turn, Turn.speaker_id == Speaker.id)
        .where(Speaker.project_id == project.id).group_by(Speaker.id).order_by(Speaker.name))
    return [(speaker, count) for speaker, count in rows]


def set_speaker(session: Session, *, project: Project, speaker_id: int, by: User,
                role: str | None = None, agency: str | None = None) -> Speaker:
    """Give a speaker a role (Chair, Social Worker, Police ...) and an agency."""
    speaker = session.get(Speaker, speaker_id)
    if speaker is None or speaker.project_id != project.id:
        raise NotFound(f"no speaker {speaker_id} in project '{project.slug}'")
    if role is not None:
        speaker.role = role.strip()[:100]
    if agency is not None:
        speaker.agency = agency.strip()[:200]
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="speaker.update",
                 obj=speaker, role=speaker.role, agency=speaker.agency)
    return speaker
