"""Background jobs: enqueue, claim atomically, advance in small committed steps.

A job is claimed with one conditional UPDATE (queued, or running with a heartbeat older than
`STALE_AFTER`), so two workers never run the same job and a job whose process died is taken
up again after a restart. Each step is its own transaction and moves `done` and
`heartbeat_at`, so progress is never lost; the step handlers make a resumed job skip the
work already done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.db import utcnow
from app.errors import Conflict
from app.jobs.models import Job
from app.projects import service as projects
from app.projects.models import Project

STALE_AFTER = timedelta(seconds=60)
ACTIVE = ("queued", "running")

# kind -> step(session, job) -> True when the job is finished. Domains register themselves.
HANDLERS: dict[str, Callable[[Session, Job], bool]] = {}


def enqueue(session: Session, *, project: Project, kind: str, params: dict,
            by: User | None) -> Job:
    """A queued job, or the same job already waiting in the queue (no duplicates)."""
    params = {k: v for k, v in params.items() if v is not None}
    for job in session.scalars(select(Job).where(Job.project_id == project.id,
                                                 Job.kind == kind, Job.status == "queued")):
        if job.params == params:
            return job
    job = Job(project_id=project.id, kind=kind, params=params, status="queued",
              created_by_id=by.id if by else None)
    session.add(job)
    session.flush()
    audit.record(session, user_id=by.id if by else None, project_id=project.id,
                 action="job.enqueue", obj=job, kind=kind, params=params)
    return job


def get_for_member(session: Session, *, job_id: int, user: User,
                   need: str = "view") -> tuple[Job, Project]:
    """The job and its project, if the user is a member (NotFound otherwise)."""
    job = session.get(Job, job_id)
    return projects.object_for_member(session, job, f"no job {job_id}", user=user,
                                      need=need)


def recent(session: Session, *, project: Project, kind: str | None = None,
           limit: int = 20) -> list[Job]:
    """The project's newest jobs first."""
    query = select(Job).where(Job.project_id == project.id)
    if kind:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit)))


def latest_matching(session: Session, *, project: Project, kind: str,
                    match: Callable[[dict], bool]) -> Job | None:
    """The newest job of this kind whose params satisfy `match` (for a page's progress bar)."""
    return next((j for j in recent(session, project=project, kind=kind) if match(j.params)),
                None)


def cancel(session: Session, *, job: Job, by: User) -> Job:
    """Stop a queued or running job after its current step."""
    if job.status not in ACTIVE:
        raise Conflict(f"job {job.id} is already {job.status}")
    job.status, job.finished_at = "cancelled", utcnow()
    audit.record(session, user_id=by.id, project_id=job.project_id, action="job.cancel",
                 obj=job)
    return job


def claim(session: Session, *, worker: str, job_id: int | None = None) -> Job | None:
    """Take one runnable job (oldest first, or `job_id`) for `worker`; None if none is free.

    The UPDATE's WHERE repeats the runnable test, so of two workers racing for the same
    job exactly one changes a row. The caller commits.
    """
    now = utcnow()
    runnable = or_(Job.status == "queued",
                   (Job.status == "running") & (Job.heartbeat_at < now - STALE_AFTER))
    query = select(Job.id).where(runnable).order_by(Job.id).limit(5)
    candidates = [job_id] if job_id is not None else list(session.scalars(query))
    for candidate in candidates:
        taken = session.execute(
            update(Job).where(Job.id == candidate, runnable)
            .values(status="running", worker=worker[:100], heartbeat_at=now)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            job = session.get(Job, candidate, populate_existing=True)
            job.started_at = job.started_at or now
            session.flush()
            return job
    return None


def step(session: Session, *, job_id: int, worker: str) -> bool:
    """Run one step of a job this worker holds; True when there is nothing more to do.

    A job that was cancelled, finished or taken over by another worker is left alone.
    A step that raises marks the job failed (the caller rolls the step back first).
    """
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.status != "running" or job.worker != worker[:100]:
        return True
    handler = HANDLERS.get(job.kind)
    if handler is None:
        return finish(job, status="failed", message=f"unknown job kind '{job.kind}'")
    finished = handler(session, job)
    job.heartbeat_at = utcnow()
    if finished:
        finish(job, status="done", message=job.message)
    session.flush()
    return finished


def finish(job: Job, *, status: str, message: str = "") -> bool:
    job.status, job.message, job.finished_at = status, message[:2000], utcnow()
    return True


def fail(session: Session, *, job_id: int, message: str) -> None:
    """Mark a job failed (after its step was rolled back)."""
    job = session.get(Job, job_id)
    if job is not None and job.status == "running":
        finish(job, status="failed", message=message)


def release(session: Session, *, job_id: int, worker: str) -> None:
    """Put a job this worker holds back in the queue (a clean stop: another run resumes it)."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == "running",
                                      Job.worker == worker[:100])
                    .values(status="queued", worker="")
                    .execution_options(synchronize_session=False))
