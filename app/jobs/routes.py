"""Jobs: their state as JSON, and the progress-bar fragment the pages poll."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.errors import NotFound
from app.jobs import service
from app.jobs.models import Job
from app.schemas import errors
from app.web import CurrentUser, SessionDep, render

router = APIRouter()


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    total: int
    done: int
    message: str
    params: dict
    created_at: datetime
    finished_at: datetime | None = None


def job_out(job: Job) -> JobOut:
    return JobOut(id=job.id, kind=job.kind, status=job.status, total=job.total, done=job.done,
                  message=job.message, params=job.params, created_at=job.created_at,
                  finished_at=job.finished_at)


@router.get("/api/jobs/{job_id}", name="api_job", response_model=JobOut,
            responses=errors(401, 404), tags=["jobs"])
def api_job(session: SessionDep, user: CurrentUser, job_id: int):
    """A background job's progress: `done` of `total` steps' documents, and its status."""
    job, _ = service.get_for_member(session, job_id=job_id, user=user)
    return job_out(job)


@router.get("/p/{project}/jobs/{job_id}", name="job_fragment", include_in_schema=False)
def job_fragment(request: Request, session: SessionDep, user: CurrentUser, project: str,
                 job_id: int):
    """The job's progress bar (htmx polls this every second while the job is active)."""
    job, proj = service.get_for_member(session, job_id=job_id, user=user)
    if proj.slug != project:
        raise NotFound(f"no job {job_id}")
    return render(request, "jobs/job.html", partial="jobs/_job.html", job=job, project=proj,
                  user=user)
