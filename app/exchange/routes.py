"""REFI-QDA project exchange: download a project as `.qdpx` (owners), import one as a new
project (JSON API and an upload page; the uploader becomes the owner)."""

from __future__ import annotations

import tempfile
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import StreamingResponse

from app.errors import FieldbenchError, TooLarge
from app.exchange import service
from app.exchange.report import ImportReport
from app.exchange.schemas import ImportOut
from app.projects import service as projects
from app.schemas import errors
from app.settings import get_settings
from app.web import CurrentUser, SessionDep, render

router = APIRouter(tags=["exchange"])
CHUNK = 1 << 16


def _read(upload: UploadFile) -> bytes:
    """The upload, refused past the upload limit (at most one byte over is read)."""
    limit = get_settings().max_upload_bytes
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{upload.filename or 'the file'}: over the "
                       f"{limit / 1048576:.0f} MB upload limit")
    return data


def _out(request: Request, report: ImportReport) -> ImportOut:
    return ImportOut(project=report.project, counts=dict(report.counts),
                     url=str(request.url_for("project_page", project=report.project)),
                     not_brought_over=report.dropped(), notes=report.notes)


@router.get("/api/projects/{project}/qdpx", name="api_project_qdpx",
            responses=errors(401, 403, 404) | {200: {"content": {"application/zip": {}}}})
def api_project_qdpx(session: SessionDep, user: CurrentUser, project: str):
    """The whole project as a REFI-QDA `.qdpx` (owners only): documents, codebook, codings,
    memos, sites as cases. Offsets are written as code points, end exclusive."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)
    service.export_project(session, project=proj, out=spool)
    spool.seek(0)

    def chunks():
        with spool:
            while data := spool.read(CHUNK):
                yield data
    return StreamingResponse(chunks(), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{proj.slug}.qdpx"'})


@router.post("/api/projects/import-qdpx", name="api_import_qdpx", status_code=201,
             response_model=ImportOut, responses=errors(401, 409, 413, 422))
def api_import_qdpx(request: Request, session: SessionDep, user: CurrentUser,
                    file: UploadFile, slug: Annotated[str, Form()],
                    name: Annotated[str, Form()] = ""):
    """Import a REFI-QDA project (`.qdpx`) as a new project owned by the caller.

    Unsafe or broken packages are refused (422/413) and nothing is created; a taken slug
    is 409. The answer lists what was brought over and what could not be, and why."""
    report = service.import_project(session, data_or_file=_read(file), slug=slug.strip(),
                                    name=name, by=user, filename=file.filename or "project.qdpx")
    return _out(request, report)


@router.get("/projects/import-qdpx", name="import_qdpx_page", include_in_schema=False)
def import_qdpx_page(request: Request, user: CurrentUser):
    return render(request, "exchange/import.html", user=user, report=None, error=None)


@router.post("/projects/import-qdpx", name="import_qdpx", include_in_schema=False)
def import_qdpx(request: Request, session: SessionDep, user: CurrentUser, file: UploadFile,
                slug: Annotated[str, Form()], name: Annotated[str, Form()] = ""):
    try:
        report = service.import_project(session, data_or_file=_read(file), slug=slug.strip(),
                                        name=name, by=user,
                                        filename=file.filename or "project.qdpx")
    except FieldbenchError as err:
        session.rollback()
        return render(request, "exchange/import.html", status_code=err.status_code,
                      user=user, report=None, error=err.message)
    return render(request, "exchange/import.html", user=user, report=_out(request, report),
                  error=None)
