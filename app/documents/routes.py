"""Document ingest and reading: pages and JSON API."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from app.coding.pages import coding_view
from app.documents import service
from app.documents.models import DOCUMENT_KINDS, Document
from app.documents.schemas import (DocumentCreated, DocumentOut, DocumentSummary,
                                   SpeakerOut, SpeakerUpdate, TurnOut)
from app.documents.view import clock
from app.errors import FieldbenchError
from app.projects import service as projects
from app.projects.models import Site
from app.schemas import errors
from app.settings import get_settings
from app.web import CurrentUser, SessionDep, render

router = APIRouter()


def _read(upload: UploadFile) -> tuple[str, bytes]:
    """At most one byte over the limit is read, so a huge upload is refused cheaply."""
    limit = get_settings().max_upload_bytes
    return upload.filename or "unnamed file", upload.file.read(limit + 1)


def _meta(session, project, site, kind, title, date, researcher, period):
    return service.DocumentMeta(
        site=projects.get_site(session, project=project, slug=site),
        kind=service.check_kind(kind), title=title, date=service.parse_date(date),
        researcher=researcher, fieldwork_period=period)


def turns_out(session, document: Document) -> list[TurnOut]:
    return [TurnOut(id=t.id, start=t.start, end=t.end, speaker=s.name, role=s.role,
                    agency=s.agency, timestamp=clock(t.time_start_ms),
                    time_start_ms=t.time_start_ms, time_end_ms=t.time_end_ms)
            for t, s in service.turns_of(session, document=document)]


# ---- pages ----

@router.get("/p/{project}/upload", name="upload_page", include_in_schema=False)
def upload_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                site: str | None = None):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    return render(request, "documents/upload.html", user=user, project=proj, role=role,
                  sites=projects.list_sites(session, project=proj), kinds=DOCUMENT_KINDS,
                  chosen_site=site, report=None, error=None)


@router.post("/p/{project}/upload", name="upload", include_in_schema=False)
def upload(request: Request, session: SessionDep, user: CurrentUser, project: str,
           files: list[UploadFile], site: Annotated[str, Form()], kind: Annotated[str, Form()],
           title: Annotated[str, Form()] = "", date: Annotated[str, Form()] = "",
           researcher: Annotated[str, Form()] = "", period: Annotated[str, Form()] = ""):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    context = dict(user=user, project=proj, role=role, kinds=DOCUMENT_KINDS, chosen_site=site,
                   sites=projects.list_sites(session, project=proj), report=None, error=None)
    try:
        meta = _meta(session, proj, site, kind, title, date, researcher, period)
    except FieldbenchError as err:
        return render(request, "documents/upload.html", status_code=422,
                      **(context | {"error": err.message}))
    files = [_read(f) for f in files if f.filename]
    report = service.ingest_many(session, project=proj, files=files, meta=meta, by=user,
                                 max_bytes=get_settings().max_upload_bytes)
    status = 200 if report.added or not report.refused else 422
    return render(request, "documents/upload.html", status_code=status,
                  **(context | {"report": report}))


@router.get("/p/{project}/documents/{document_id}", name="document_page",
            include_in_schema=False)
def document_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  document_id: int):
    """The document's coding view (`app.coding.pages`): its text, codings and panels."""
    return coding_view(request, session, user, project, document_id)


@router.get("/p/{project}/speakers", name="speakers_page", include_in_schema=False)
def speakers_page(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    return render(request, "documents/speakers.html", user=user, project=proj, role=role,
                  speakers=service.list_speakers(session, project=proj))


@router.post("/p/{project}/speakers/{speaker_id}", name="speaker_update",
             include_in_schema=False)
def speaker_update(request: Request, session: SessionDep, user: CurrentUser, project: str,
                   speaker_id: int, role: Annotated[str, Form()] = "",
                   agency: Annotated[str, Form()] = ""):
    proj, my_role = projects.get_for_member(session, slug=project, user=user, need="edit")
    speaker = service.set_speaker(session, project=proj, speaker_id=speaker_id, by=user,
                                  role=role, agency=agency)
    speakers = service.list_speakers(session, project=proj)
    return render(request, "documents/speakers.html", user=user, project=proj, role=my_role,
                  speakers=speakers, partial="documents/_speaker_row.html", speaker=speaker,
                  turns=dict((s.id, n) for s, n in speakers)[speaker.id], saved=True)


@router.get("/documents/{document_id}/original", name="document_original",
            responses=errors(401, 404), tags=["documents"])
def document_original(session: SessionDep, user: CurrentUser, document_id: int):
    """The file exactly as it was uploaded."""
    document, _ = service.get_for_member(session, document_id=document_id, user=user)
    name = document.original_filename.encode("ascii", "replace").decode().replace('"', "")
    return Response(document.original_bytes, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- JSON API ----

@router.post("/api/projects/{project}/documents", name="api_document_create",
             status_code=201, response_model=DocumentCreated,
             responses=errors(401, 403, 404, 409, 413, 422), tags=["documents"])
def api_document_create(session: SessionDep, user: CurrentUser, project: str,
                        file: UploadFile, site: Annotated[str, Form()],
                        kind: Annotated[str, Form()], title: Annotated[str, Form()] = "",
                        date: Annotated[str, Form()] = "",
                        researcher: Annotated[str, Form()] = "",
                        fieldwork_period: Annotated[str, Form()] = ""):
    """Upload one file (txt, md, docx, odt, rtf, pdf, vtt, srt) as a document of a site."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    meta = _meta(session, proj, site, kind, title, date, researcher, fieldwork_period)
    filename, data = _read(file)
    document, warnings = service.ingest(session, project=proj, filename=filename, data=data,
                                        meta=meta, by=user,
                                        max_bytes=get_settings().max_upload_bytes)
    turns = turns_out(session, document)
    return DocumentCreated(id=document.id, title=document.title, word_count=document.word_count,
                           speakers=sorted({t.speaker for t in turns}), turns=len(turns),
                           warnings=warnings)


@router.get("/api/projects/{project}/documents", name="api_documents",
            response_model=list[DocumentSummary], responses=errors(401, 404),
            tags=["documents"])
def api_documents(session: SessionDep, user: CurrentUser, project: str):
    """The project's documents (without their text)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    sites = {s.id: s.slug for s in projects.list_sites(session, project=proj)}
    return [DocumentSummary(id=d.id, title=d.title, site=sites[d.site_id], kind=d.kind,
                            date=d.date, word_count=d.word_count,
                            original_filename=d.original_filename)
            for d in service.list_for_project(session, project=proj)]


@router.get("/api/documents/{document_id}", name="api_document", response_model=DocumentOut,
            responses=errors(401, 404), tags=["documents"])
def api_document(session: SessionDep, user: CurrentUser, document_id: int):
    """A document's normalised text, metadata and speaker turns (code-point offsets)."""
    document, proj = service.get_for_member(session, document_id=document_id, user=user)
    site = session.get(Site, document.site_id)
    return DocumentOut(
        id=document.id, project=proj.slug, site=site.slug, kind=document.kind,
        title=document.title, date=document.date, researcher=document.researcher,
        fieldwork_period=document.fieldwork_period, format=document.format,
        original_filename=document.original_filename, content_hash=document.content_hash,
        word_count=document.word_count, text=document.text, turns=turns_out(session, document))


@router.get("/api/projects/{project}/speakers", name="api_speakers",
            response_model=list[SpeakerOut], responses=errors(401, 404), tags=["documents"])
def api_speakers(session: SessionDep, user: CurrentUser, project: str):
    """The project's speakers with their role, agency and number of turns."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return [SpeakerOut(id=s.id, name=s.name, role=s.role, agency=s.agency, turns=n)
            for s, n in service.list_speakers(session, project=proj)]


@router.patch("/api/projects/{project}/speakers/{speaker_id}", name="api_speaker_update",
              response_model=SpeakerOut, responses=errors(401, 403, 404), tags=["documents"])
def api_speaker_update(session: SessionDep, user: CurrentUser, project: str, speaker_id: int,
                       body: SpeakerUpdate):
    """Give a speaker a role and an agency; it applies to all their turns."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    s = service.set_speaker(session, project=proj, speaker_id=speaker_id, by=user,
                            role=body.role, agency=body.agency)
    count = dict((sp.id, n) for sp, n in service.list_speakers(session, project=proj))
    return SpeakerOut(id=s.id, name=s.name, role=s.role, agency=s.agency, turns=count[s.id])
