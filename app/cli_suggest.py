"""`fieldbench suggest PROJECT`: run the codebook's patterns in the foreground.

It runs the same job the web app runs in the background, step by step, each step committed.
Ctrl+C puts the job back in the queue; running the command again continues it, and
documents already up to date are skipped. Nothing is coded: suggestions wait for review.
"""

from __future__ import annotations

import sys

import click

from app.cli import fail, main
from app.db import transaction, utcnow
from app.jobs import service as jobs
from app.jobs.models import Job
from app.jobs.worker import claim_one, run_job, worker_name
from app.projects import service as projects
from app.suggestions import service as suggestions

SCOPE = ("site", "document")


def _resumable(session, project, params: dict) -> Job | None:
    """A queued (or abandoned) run of the same scope, to continue rather than restart."""
    stale = utcnow() - jobs.STALE_AFTER
    for job in jobs.recent(session, project=project, kind=suggestions.KIND):
        same = {k: job.params.get(k) for k in SCOPE} == params
        waiting = job.status == "queued" or (
            job.status == "running" and job.heartbeat_at and job.heartbeat_at < stale)
        if same and waiting:
            return job
    return None


def _prepare(project_slug: str, site: str | None, document: int | None) -> tuple[int, int]:
    """The job to run (resumed or new) and how many documents it covers."""
    with transaction() as session:
        project = projects.get_project_or_raise(session, slug=project_slug)
        total = len(suggestions.scope_ids(session, project=project, site=site,
                                          document=document))
        job = _resumable(session, project, {"site": site, "document": document})
        if job is not None:
            click.echo(f"continuing job {job.id} ({job.done} of {total} documents done)")
        else:
            job = suggestions.start_run(session, project=project, site=site, document=document,
                                        by=projects.first_owner(session, project=project))
        return job.id, total


def _report(project_slug: str, job_id: int) -> None:
    with transaction() as session:
        job = session.get(Job, job_id)
        click.echo(f"job {job.id} {job.status}: {job.message}")
        project = projects.get_project_or_raise(session, slug=project_slug)
        counts = suggestions.pending_counts(session, project=project)
        click.echo("pending suggestions by code:" if counts else "no pending suggestions")
        for code, count in counts:
            click.echo(f"  {code.key:<24} {count:>6}  {code.name}")


@main.command("suggest")
@click.argument("project_slug", metavar="PROJECT")
@click.option("--site", help="Only the documents of this site (its short name).")
@click.option("--document", type=int, help="Only this document (its number).")
def suggest(project_slug: str, site: str | None, document: int | None) -> None:
    """Suggest codings from the codebook's patterns, for people to review.

    Resumable: stop it with Ctrl+C and run it again to continue.
    """
    job_id, total = _prepare(project_slug, site, document)
    name = worker_name("cli")
    if claim_one(name, job_id) is None:
        fail(f"job {job_id} is being run by another worker; wait for it to finish, "
             "or run this again in a minute if that worker has stopped")
    with click.progressbar(length=max(total, 1), label="Checking documents",
                           show_pos=True) as bar:
        def on_step(job: Job) -> None:
            bar.update(job.done - bar.pos)
        try:
            status = run_job(job_id, name, on_step=on_step)
        except KeyboardInterrupt:
            with transaction() as session:
                jobs.release(session, job_id=job_id, worker=name)
            click.echo(f"\nstopped; run the same command again to continue job {job_id}",
                       err=True)
            sys.exit(130)
    _report(project_slug, job_id)
    if status == "failed":
        sys.exit(1)
