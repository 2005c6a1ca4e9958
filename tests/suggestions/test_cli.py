"""`fieldbench suggest`: the same job in the foreground, resumable, with a summary."""

from click.testing import CliRunner
from sqlalchemy import select

from app.cli import main
from app.db import new_session, transaction
from app.jobs import service as jobs
from app.jobs.models import Job
from app.jobs.worker import claim_one
from app.projects import service as projects
from app.suggestions import service
from tests.jobs.test_jobs import add_documents


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_suggest_then_rerun_computes_nothing_new(patterned):
    code, out = run("suggest", "study")
    assert code == 0, out
    assert "1 document checked" in out and "PA-PERF" in out and "RR-DISC-ENG" in out
    patterned["calls"].documents.clear()
    code, out = run("suggest", "study")
    assert code == 0 and "0 documents checked, 1 already up to date" in out
    assert patterned["calls"].documents == []


def test_an_interrupted_run_is_continued(patterned):
    add_documents(patterned["users"]["owner"], 5)
    with transaction() as s:                     # a run stopped after its first step
        project = projects.get_project_or_raise(s, slug="study")
        job_id = service.start_run(s, project=project, by=None).id
    assert claim_one("cli:gone", job_id) == job_id
    with transaction() as s:
        jobs.step(s, job_id=job_id, worker="cli:gone")
        jobs.release(s, job_id=job_id, worker="cli:gone")
    patterned["calls"].documents.clear()
    code, out = run("suggest", "study")
    assert code == 0, out
    assert f"continuing job {job_id} (4 of 6 documents done)" in out
    assert len(patterned["calls"].documents) == 2
    with new_session() as s:
        assert [j.status for j in s.scalars(select(Job))] == ["done"]


def test_suggest_scopes_and_errors(patterned):
    code, out = run("suggest", "study", "--site", "south")
    assert code == 0 and "0 documents checked" in out and "no pending suggestions" in out
    code, out = run("suggest", "study", "--site", "nowhere")
    assert code == 1 and "no site 'nowhere'" in out
    code, out = run("suggest", "study", "--document", str(patterned["document_id"]))
    assert code == 0 and "1 document checked" in out
