"""Pseudonym register and pseudonymisation through the JSON API.

The register (real names) is for project owners only. Previewing and importing a file
need edit rights, like any upload; a preview shows the register's pseudonym only for the
names in the file sent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile

from app.documents import service as documents
from app.projects import service as projects
from app.pseudonyms import importing, service
from app.pseudonyms.schemas import (CandidateOut, EntryCreate, EntryOut, ImportedOut,
                                    ImportOut, PreviewOut)
from app.schemas import errors
from app.settings import get_settings
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["pseudonyms"])
BASE = "/api/projects/{project}"


def entry_out(e) -> EntryOut:
    return EntryOut(id=e.id, real_name=e.real_name, pseudonym=e.pseudonym,
                    category=e.category, role_hint=e.role_hint, created_at=e.created_at)


def read_upload(file: UploadFile) -> tuple[str, bytes]:
    limit = get_settings().max_upload_bytes
    return file.filename or "unnamed file", file.file.read(limit + 1)


@router.get(BASE + "/pseudonyms", name="api_pseudonyms", response_model=list[EntryOut],
            responses=errors(401, 403, 404))
def api_pseudonyms(session: SessionDep, user: CurrentUser, project: str):
    """The register: real name -> pseudonym (owners only)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    return [entry_out(e) for e in service.entries(session, project=proj)]


@router.get(BASE + "/pseudonyms.csv", name="api_pseudonyms_csv",
            responses=errors(401, 403, 404) | {200: {"content": {"text/csv": {}}}})
def api_pseudonyms_csv(session: SessionDep, user: CurrentUser, project: str):
    """The register as CSV for the data controller (owners only)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    data = service.csv_text(service.entries(session, project=proj))
    return Response(data.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{proj.slug}-pseudonyms.csv"',
        "Cache-Control": "no-store"})


@router.post(BASE + "/pseudonyms", name="api_pseudonym_create", status_code=201,
             response_model=EntryOut, responses=errors(401, 403, 404, 409, 422))
def api_pseudonym_create(session: SessionDep, user: CurrentUser, project: str,
                         body: EntryCreate):
    """Register a known name (owners only); without a pseudonym it gets the next label."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    return entry_out(service.add(session, project=proj, by=user, real_name=body.real_name,
                                 category=body.category, pseudonym=body.pseudonym,
                                 role_hint=body.role_hint))


@router.delete(BASE + "/pseudonyms/{entry_id}", name="api_pseudonym_delete", status_code=204,
               responses=errors(401, 403, 404))
def api_pseudonym_delete(session: SessionDep, user: CurrentUser, project: str, entry_id: int):
    """Remove an entry (owners only); documents keep the pseudonyms they have."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    service.delete(session, project=proj, by=user, entry_id=entry_id)
    return Response(status_code=204)


@router.post(BASE + "/pseudonymise/preview", name="api_pseudonymise_preview",
             response_model=PreviewOut, responses=errors(401, 403, 404, 413, 422))
def api_pseudonymise_preview(session: SessionDep, user: CurrentUser, project: str,
                             file: UploadFile, known_only: Annotated[bool, Form()] = False):
    """The names that would be replaced in a file, and their pseudonyms. Stores nothing."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    filename, data = read_upload(file)
    result = importing.read(filename, data, max_bytes=get_settings().max_upload_bytes)
    proposal = service.propose(session, project=proj, texts=[result.text],
                               known_only=known_only)
    return PreviewOut(
        filename=importing.base_name(filename), format=result.format,
        word_count=len(result.text.split()), warnings=result.warnings,
        candidates=[CandidateOut(text=c.text, start=c.start, end=c.end, category=c.category,
                                 source=c.source, key=c.key, pseudonym=c.pseudonym,
                                 known=proposal.names[c.key].known)
                    for c in proposal.candidates[0]])


@router.post(BASE + "/pseudonymise/import", name="api_pseudonymise_import", status_code=201,
             response_model=ImportOut, responses=errors(401, 403, 404, 409, 413, 422))
def api_pseudonymise_import(session: SessionDep, user: CurrentUser, project: str,
                            file: UploadFile, site: Annotated[str, Form()],
                            kind: Annotated[str, Form()], title: Annotated[str, Form()] = "",
                            date: Annotated[str, Form()] = "",
                            researcher: Annotated[str, Form()] = "",
                            fieldwork_period: Annotated[str, Form()] = "",
                            known_only: Annotated[bool, Form()] = False):
    """Import one file with every proposal accepted, as `fieldbench import --pseudonymise`:
    registered names are replaced and (unless known_only) new names join the register."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    meta = documents.DocumentMeta(
        site=projects.get_site(session, project=proj, slug=site),
        kind=documents.check_kind(kind), title=title, date=documents.parse_date(date),
        researcher=researcher, fieldwork_period=fieldwork_period)
    filename, data = read_upload(file)
    o = importing.import_one(session, project=proj, by=user, filename=filename, data=data,
                             meta=meta, max_bytes=get_settings().max_upload_bytes,
                             known_only=known_only)
    return ImportOut(refused=[], added=[ImportedOut(
        id=o.document.id, title=o.document.title, original_filename=o.document.original_filename,
        replacements=o.replacements, new_entries=o.new_entries, pseudonyms=o.pseudonyms,
        warnings=o.warnings)])
