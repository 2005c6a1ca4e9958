"""The job worker: claims queued (or abandoned) jobs and runs them step by step.

The web app starts one daemon thread per process (`lifespan`, unless FIELDBENCH_WORKER=0);
`fieldbench suggest` runs a job in the foreground through the same `run_job`. Each step is
its own transaction. The NLP model is loaded lazily by the first step that needs it and
then kept for the life of the process.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager

from app.accounts.models import User
from app.db import transaction
from app.documents.models import Document
from app.errors import FieldbenchError
from app.jobs import service as jobs
from app.jobs.models import Job
from app.projects.models import Project
from app.suggestions import service as suggestions

log = logging.getLogger("fieldbench.jobs")
BATCH = 4  # documents per step


def suggest_step(session, job: Job) -> bool:
    """Check the next few documents of the job's scope (after its cursor); True when done."""
    project = session.get(Project, job.project_id)
    params = dict(job.params)
    ids = suggestions.scope_ids(session, project=project, site=params.get("site"),
                                document=params.get("document"))
    rest = [i for i in ids if i > params.get("cursor", 0)]
    batch = rest[:BATCH]
    if batch:  # the job row is written after the engine ran: SQLite's write lock stays short
        by = session.get(User, job.created_by_id) if job.created_by_id else None
        report = suggestions.suggest_documents(
            session, project=project, by=by, documents=[session.get(Document, i) for i in batch])
        for name in ("checked", "skipped", "added", "removed"):
            params[name] = params.get(name, 0) + getattr(report, name)
        params["cursor"] = batch[-1]
        job.params = params
    job.total, job.done = len(ids), len(ids) - len(rest) + len(batch)
    job.message = (f"{_n(params.get('checked', 0), 'document')} checked, "
                   f"{params.get('skipped', 0)} already up to date; "
                   f"{_n(params.get('added', 0), 'new suggestion')}")
    return len(rest) <= BATCH


jobs.HANDLERS[suggestions.KIND] = suggest_step


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def worker_name(prefix: str = "web") -> str:
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_job(job_id: int, worker: str, *, should_stop: Callable[[], bool] = lambda: False,
            on_step: Callable[[Job], None] | None = None) -> str:
    """Step a claimed job until it ends; on `should_stop` put it back in the queue.

    Returns the job's status afterwards.
    """
    while True:
        if should_stop():
            with transaction() as session:
                jobs.release(session, job_id=job_id, worker=worker)
            return "queued"
        try:
            with transaction() as session:
                finished = jobs.step(session, job_id=job_id, worker=worker)
                job = session.get(Job, job_id)
                status = job.status if job else "cancelled"
                if on_step and job:
                    on_step(job)
        except Exception as err:  # the failed step was rolled back
            log.exception("job %s failed", job_id)
            message = err.message if isinstance(err, FieldbenchError) else repr(err)
            with transaction() as session:
                jobs.fail(session, job_id=job_id, message=message)
            return "failed"
        if finished:
            return status


def claim_one(worker: str, job_id: int | None = None) -> int | None:
    """Claim a job in its own transaction; its id, or None."""
    with transaction() as session:
        job = jobs.claim(session, worker=worker, job_id=job_id)
        return job.id if job else None


class Worker:
    """A polling thread: claim a job, run it, repeat; `stop()` ends it after the current step."""

    def __init__(self, poll_seconds: float = 1.0, name: str | None = None):
        self.poll_seconds = poll_seconds
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self.run, name="fieldbench-jobs", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue had nothing runnable."""
        job_id = claim_one(self.name)
        if job_id is None:
            return False
        run_job(job_id, self.name, should_stop=self._stop.is_set)
        return True

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database was away: wait and try again
                log.exception("job worker: claiming failed")
                busy = False
            if not busy:
                self._stop.wait(self.poll_seconds)


def enabled() -> bool:
    """The web app runs a worker unless FIELDBENCH_WORKER=0 (tests set that)."""
    return os.environ.get("FIELDBENCH_WORKER", "1") != "0"


@asynccontextmanager
async def lifespan(app):
    """FastAPI lifespan: one worker thread for the life of the app process."""
    worker = Worker().start() if enabled() else None
    app.state.job_worker = worker
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
