"""Large excerpt exports as background jobs, their files, and the clean-up of old ones.

The browser downloads an export of up to DIRECT_LIMIT excerpts at once; a larger one is a
`Job` (kind "export") that the worker runs in one step, reporting progress (and its
heartbeat) every batch through short transactions of its own, which the page's progress
bar polls. The file goes to FIELDBENCH_DATA_DIR/exports/<project id>/ under a random name,
readable by the server's user only (0600); members of the project download it through
`pages.export_file`, which checks membership. Files older than KEEP_DAYS are removed when
the next export of the project starts. A job that dies is taken up again after the
worker's stale interval and starts the file afresh.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import transaction, utcnow
from app.errors import FieldbenchError, NotFound
from app.exports import service
from app.exports.service import ExcerptExport
from app.jobs import service as jobs
from app.jobs.models import Job
from app.projects.models import Project
from app.retrieval.params import filter_from_query, query_from_filter
from app.settings import get_settings

KIND = "export"
DIRECT_LIMIT = 5_000      # excerpts: a larger export from the browser becomes a job
KEEP_DAYS = 7


class Cancelled(FieldbenchError):
    """Someone cancelled the export while it ran."""


def folder(project_id: int) -> Path:
    """Where a project's export files are kept (made on first use, owner-only)."""
    path = get_settings().data_dir / "exports" / str(project_id)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def start(session: Session, *, project: Project, by: User, export: ExcerptExport) -> Job:
    """Queue an export job (and clear out the project's old export files)."""
    clean_up(project_id=project.id)
    params = {"format": export.format, "query": query_from_filter(export.filter),
              "saved_query": export.saved_query, "excel": export.excel,
              "group_by": export.group_by, "filename": export.filename}
    return jobs.enqueue(session, project=project, kind=KIND, params=params, by=by)


def export_step(session: Session, job: Job) -> bool:
    """Write the whole export (see the module doc); True: finished."""
    project = session.get(Project, job.project_id)
    by = session.get(User, job.created_by_id) if job.created_by_id else None
    p = dict(job.params)
    export = ExcerptExport(project.id, project.slug, filter_from_query(p["query"]),
                           p["format"], p.get("excel", False), p.get("group_by", ""),
                           p.get("saved_query", ""), by.email if by else "")
    name = f"{job.id}-{secrets.token_hex(8)}.{service.WRITERS[export.format].extension}"
    path = folder(project.id) / name
    part = path.with_name(name + ".part")
    try:
        with open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            written = service.write(session, export, out, _reporter(job.id))
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    job.params = {**p, "file": name}
    job.total = job.done = written
    job.message = f"{written} excerpt{'' if written == 1 else 's'}, ready to download"
    return True


jobs.HANDLERS[KIND] = export_step


def _reporter(job_id: int, every: float = 0.5):
    """Progress (and the heartbeat) written in a transaction of its own, at most every
    `every` seconds; Cancelled if the job was cancelled meanwhile."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.monotonic() - last[0] < every and done < total:
            return
        last[0] = time.monotonic()
        with transaction() as s:
            if s.scalar(select(Job.status).where(Job.id == job_id)) != "running":
                raise Cancelled("the export was cancelled")
            s.execute(update(Job).where(Job.id == job_id)
                      .values(done=done, total=total, heartbeat_at=utcnow(),
                              message=f"{done} of {total} excerpts written")
                      .execution_options(synchronize_session=False))
    return report


def file_of(session: Session, *, job: Job) -> Path:
    """A finished export's file; NotFound while it runs or once it has been cleaned up."""
    if job.kind != KIND or job.status != "done" or not job.params.get("file"):
        raise NotFound(f"export {job.id} has no file (yet)")
    path = folder(job.project_id) / Path(job.params["file"]).name
    if not path.exists():
        raise NotFound(f"the file of export {job.id} was removed after {KEEP_DAYS} days: "
                       "export again")
    return path


def clean_up(*, project_id: int, days: int = KEEP_DAYS) -> int:
    """Remove the project's export files older than `days` (and abandoned partial files);
    how many went."""
    cutoff, removed = time.time() - days * 86400, 0
    for path in folder(project_id).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
