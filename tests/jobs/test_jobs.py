"""Jobs: atomic claims, resuming a job whose worker died, progress in committed steps."""

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from app.db import new_session, transaction, utcnow
from app.documents import service as documents
from app.jobs import service as jobs
from app.jobs import worker as worker_mod
from app.jobs.models import Job
from app.projects import service as projects
from app.suggestions.models import Suggestion, SuggestionState


def add_documents(owner, n: int) -> None:
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="south"),
                                      kind="observation")
        for i in range(n):
            documents.ingest(s, project=project, filename=f"note{i}.txt",
                             data=f"Note {i}: she was not engaging, scored {i}.".encode(),
                             meta=meta, by=owner, max_bytes=10**6)


def enqueue(params=None, owner=None) -> int:
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        return jobs.enqueue(s, project=project, kind="suggest", params=params or {},
                            by=owner).id


def job(job_id: int) -> Job:
    with new_session() as s:
        return s.get(Job, job_id)


def test_enqueue_does_not_duplicate_a_waiting_job(patterned):
    assert enqueue({"site": "north"}) == enqueue({"site": "north"})
    assert enqueue({"site": "north"}) != enqueue({"site": "south"})


def test_of_two_racing_workers_exactly_one_claims(patterned):
    job_id = enqueue()
    barrier, won = threading.Barrier(4), []

    def race(name):
        barrier.wait()
        won.append((name, worker_mod.claim_one(name)))

    threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [(name, got) for name, got in won if got is not None]
    assert len(winners) == 1 and winners[0][1] == job_id
    assert job(job_id).worker == winners[0][0] and job(job_id).status == "running"
    assert worker_mod.claim_one("late") is None


def test_a_running_job_with_a_fresh_heartbeat_is_not_taken(patterned):
    job_id = enqueue()
    assert worker_mod.claim_one("alive") == job_id
    assert worker_mod.claim_one("other") is None


def test_a_stale_job_is_resumed_and_finishes(patterned):
    add_documents(patterned["users"]["owner"], 5)
    job_id = enqueue()
    assert worker_mod.claim_one("doomed") == job_id
    with transaction() as s:                        # one step, then the process "dies"
        assert jobs.step(s, job_id=job_id, worker="doomed") is False
    first = job(job_id)
    assert (first.done, first.total) == (4, 6)
    with transaction() as s:
        s.get(Job, job_id).heartbeat_at = utcnow() - timedelta(seconds=61)
    patterned["calls"].documents.clear()
    assert worker_mod.Worker(name="restarted").run_once() is True
    done = job(job_id)
    assert (done.status, done.done, done.total, done.worker) == ("done", 6, 6, "restarted")
    assert len(patterned["calls"].documents) == 2   # only the documents not yet checked
    with new_session() as s:
        assert len(list(s.scalars(select(SuggestionState)))) == 6


def test_progress_is_committed_step_by_step(patterned):
    add_documents(patterned["users"]["owner"], 5)
    job_id = enqueue()
    seen = []
    assert worker_mod.claim_one("w") == job_id
    status = worker_mod.run_job(job_id, "w", on_step=lambda j: seen.append((j.done, j.total)))
    assert status == "done" and seen == [(4, 6), (6, 6)]
    assert "6 documents checked" in job(job_id).message


def test_a_rerun_skips_documents_already_up_to_date(patterned):
    first = enqueue()
    worker_mod.Worker(name="w").run_once()
    patterned["calls"].documents.clear()
    second = enqueue()
    assert second != first
    worker_mod.Worker(name="w").run_once()
    assert patterned["calls"].documents == []
    assert "0 documents checked, 1 already up to date" in job(second).message


def test_a_stopped_worker_puts_its_job_back(patterned):
    job_id = enqueue()
    assert worker_mod.claim_one("w") == job_id
    assert worker_mod.run_job(job_id, "w", should_stop=lambda: True) == "queued"
    assert (job(job_id).status, job(job_id).worker) == ("queued", "")


def test_a_failing_step_fails_the_job_and_rolls_back(patterned, monkeypatch):
    def broken(session, j):
        session.add(Suggestion(project_id=j.project_id, document_id=patterned["document_id"],
                               code_id=1, start=0, end=1, rule="x", reason="y"))
        raise RuntimeError("the model is missing")

    monkeypatch.setitem(jobs.HANDLERS, "suggest", broken)
    job_id = enqueue()
    assert worker_mod.Worker(name="w").run_once()
    assert job(job_id).status == "failed" and "model is missing" in job(job_id).message
    with new_session() as s:
        assert list(s.scalars(select(Suggestion))) == []


def test_a_cancelled_job_stops(patterned):
    job_id = enqueue()
    with transaction() as s:
        jobs.cancel(s, job=s.get(Job, job_id), by=patterned["users"]["owner"])
    assert worker_mod.claim_one("w") is None and job(job_id).status == "cancelled"


def test_the_worker_thread_runs_jobs_and_stops(patterned):
    worker = worker_mod.Worker(poll_seconds=0.05, name="thread").start()
    try:
        job_id = enqueue()
        deadline = time.monotonic() + 30
        while job(job_id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job(job_id).status == "done"
    finally:
        worker.stop()
    assert not worker._thread.is_alive()


def test_the_web_app_starts_no_worker_in_tests(client):
    assert client.app.state.job_worker is None


def test_the_web_app_runs_one_worker_when_asked(monkeypatch, patterned):
    from fastapi.testclient import TestClient

    from app.main import create_app

    monkeypatch.setenv("FIELDBENCH_WORKER", "1")
    with TestClient(create_app()) as client:
        worker = client.app.state.job_worker
        assert worker is not None and worker._thread.is_alive()
        job_id = enqueue()
        deadline = time.monotonic() + 30
        while job(job_id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert job(job_id).status == "done"
    assert not worker._thread.is_alive()
