"""Export buttons of the excerpt browser and the matrix page, and the progress of a large
export: up to jobs.DIRECT_LIMIT excerpts download at once; more become a background job
whose page shows a progress bar (htmx polls it) and then the download link."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from app.errors import NotFound
from app.exports import jobs as export_jobs
from app.exports import matrices, service
from app.exports.routes import attachment
from app.jobs import service as jobs
from app.projects import service as projects
from app.web import CurrentUser, SessionDep, render, templates

router = APIRouter(include_in_schema=False)
templates.env.globals["export_direct_limit"] = export_jobs.DIRECT_LIMIT

# (the matrix route comes before /exports/{export_id}, which would take 'matrix' for an id)


@router.get("/p/{project}/exports/matrix", name="matrix_export")
def matrix_export(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  format: str = "csv", rows: str = "code", cols: str = "site"):
    """The matrix page's matrix (its filters in the query string) as CSV or XLSX."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    export = matrices.prepare_matrix(session, project=proj, format=format, rows=rows,
                                     cols=cols, query_params=request.query_params, by=user)
    return Response(matrices.to_bytes(export), media_type=export.media_type,
                    headers=attachment(export.filename))


@router.post("/p/{project}/exports/excerpts", name="export_start")
async def export_start(request: Request, session: SessionDep, user: CurrentUser, project: str):
    """The excerpts of the browser's current filter (form fields) as a file, or a job."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    form = await request.form()
    export = service.prepare(session, project=proj, format=str(form.get("format") or "csv"),
                             query_params=form, saved_query=str(form.get("query") or "") or None,
                             by=user, excel=form.get("excel") in ("1", "on", "true", "yes"),
                             group_by=str(form.get("sheets") or ""))
    if service.count(session, project=proj, filter=export.filter) <= export_jobs.DIRECT_LIMIT:
        return StreamingResponse(service.chunks(export), media_type=export.media_type,
                                 headers=attachment(export.filename))
    job = export_jobs.start(session, project=proj, by=user, export=export)
    return RedirectResponse(request.url_for("export_status", project=proj.slug,
                                            export_id=job.id), status_code=303)


def _export_job(session, user, project: str, export_id: int):
    job, proj = jobs.get_for_member(session, job_id=export_id, user=user)
    if proj.slug != project or job.kind != export_jobs.KIND:
        raise NotFound(f"no export {export_id}")
    return job, proj


@router.get("/p/{project}/exports/{export_id}", name="export_status")
def export_status(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  export_id: int):
    """A large export's progress (the fragment polls itself while the job runs)."""
    job, proj = _export_job(session, user, project, export_id)
    return render(request, "exports/status.html", partial="exports/_status.html", job=job,
                  project=proj, user=user)


@router.get("/p/{project}/exports/{export_id}/file", name="export_file")
def export_file(session: SessionDep, user: CurrentUser, project: str, export_id: int):
    """A finished export's file, for members of its project."""
    job, _ = _export_job(session, user, project, export_id)
    path = export_jobs.file_of(session, job=job)
    return FileResponse(path, filename=job.params.get("filename") or path.name,
                        media_type=service.WRITERS[job.params["format"]].media_type)
