"""`fieldbench export` (success, failure, no partial file) and the background export job
behind the browser's large downloads (progress, file, access)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from app.cli import main
from tests.conftest import sign_in


def export(*args):
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def test_cli_writes_the_filtered_excerpts(tmp_path, corpus):
    out = tmp_path / "rationing.csv"
    result = export("study", "--format", "csv", "--code", "PA-RATION", "--site", "north",
                    "--site", "east", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 3 excerpts" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [corpus["ids"][int(r["excerpt_id"])] for r in rows] == ["c16", "c1", "c9"]
    assert [p.name for p in tmp_path.iterdir()] == ["rationing.csv"]


def test_cli_formats_and_saved_query(tmp_path, corpus):
    from openpyxl import load_workbook

    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval import saved
    from app.retrieval.filters import ExcerptFilter

    with transaction() as s:
        saved.create(s, project=projects.get_project_or_raise(s, slug="study"),
                     by=corpus["users"]["owner"], name="Risk", filter=ExcerptFilter(
                         codes=["RR-TEXT-RISK"]))
    result = export("study", "--format", "xlsx", "--query", "Risk", "--sheets", "code",
                    "-o", str(tmp_path / "risk.xlsx"))
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "risk.xlsx")
    assert book.sheetnames == ["Excerpts", "RR-TEXT-RISK", "Codebook", "About"]
    assert len(list(book["Excerpts"].values)) == 4
    result = export("study", "--format", "csv", "--excel", "--expr", "DA-FRAG OR PA-PERF",
                    "--memo", "yes", "-o", str(tmp_path / "memo.csv"))
    assert result.exit_code == 0
    data = (tmp_path / "memo.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 2


@pytest.mark.parametrize("args, message", [
    (["nowhere"], "no project 'nowhere'"),
    (["study", "--code", "NOPE"], "no code 'NOPE'"),
    (["study", "--from", "someday"], "from: 'someday' is not a date"),
    (["study", "--query", "Not saved"], "no saved query named 'Not saved'"),
    (["study", "--format", "docx", "--excel"], "for CSV only"),
    (["study", "--format", "qdpx", "--code", "PA"], "holds the whole project")])
def test_cli_failures_say_why_and_leave_nothing(tmp_path, corpus, args, message):
    out = tmp_path / "out.file"
    result = export(*args, "-o", str(out))
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_unwritable_output(tmp_path, corpus):
    result = export("study", "-o", str(tmp_path / "missing" / "out.csv"))
    assert result.exit_code == 1 and "cannot write to" in result.output


def test_cli_qdpx_uses_the_exchange_service(tmp_path, corpus, monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("app.exchange.service")
    fake.export_project = lambda session, *, project, out: (calls.append(project.slug),
                                                            out.write(b"PK-fake"))
    monkeypatch.setitem(sys.modules, "app.exchange.service", fake)
    result = export("study", "--format", "qdpx", "-o", str(tmp_path / "study.qdpx"))
    assert result.exit_code == 0, result.output
    assert calls == ["study"] and (tmp_path / "study.qdpx").read_bytes() == b"PK-fake"


def _start(client, csrf: str, **fields):
    return client.post("/p/study/exports/excerpts", follow_redirects=False,
                       data={"csrf_token": csrf, **fields})


def test_small_browser_exports_download_at_once(client, corpus):
    csrf = sign_in(client, "viewer@example.org")
    response = _start(client, csrf, format="csv", code="DA-FRAG")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert len(list(csv.reader(io.StringIO(response.text, newline="")))) == 4
    assert _start(client, "wrong", format="csv").status_code == 403       # CSRF
    refused = _start(client, csrf, format="csv", code="NOPE")
    assert refused.status_code == 422 and "no code" in refused.text


def test_large_browser_exports_run_as_a_job(client, corpus, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    from app.db import transaction
    from app.exports import jobs as export_jobs
    from app.jobs.models import Job
    from app.jobs.worker import claim_one, run_job

    monkeypatch.setattr(export_jobs, "DIRECT_LIMIT", 5)
    csrf = sign_in(client, "viewer@example.org")
    response = _start(client, csrf, format="xlsx", site="north")
    assert response.status_code == 303
    status_url = response.headers["location"]
    export_id = int(re.search(r"/exports/(\d+)$", status_url).group(1))
    page = client.get(status_url)
    assert page.status_code == 200 and "waiting to start" in page.text
    assert 'hx-trigger="every 1s"' in page.text
    seen = []
    assert run_job(claim_one("test", export_id), "test",
                   on_step=lambda job: seen.append((job.done, job.total))) == "done"
    with transaction() as s:
        job = s.get(Job, export_id)
        assert (job.status, job.done, job.total) == ("done", 10, 10)
        assert job.message == "10 excerpts, ready to download"
        path = export_jobs.folder(job.project_id) / job.params["file"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    page = client.get(status_url, headers={"HX-Request": "true"})
    assert "every 1s" not in page.text and "Download study-excerpts-" in page.text
    download = client.get(f"{status_url}/file")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert len(list(load_workbook(io.BytesIO(download.content))["Excerpts"].values)) == 11
    client.get("/logout")
    sign_in(client, "outsider@example.org")
    assert client.get(f"{status_url}/file").status_code == 404
    assert client.get(status_url).status_code == 404


def test_progress_is_reported_while_the_export_runs(corpus, monkeypatch):
    from app.db import transaction
    from app.exports import jobs as export_jobs
    from app.exports import service, stream
    from app.jobs.models import Job
    from app.jobs.worker import claim_one, run_job
    from app.projects import service as projects

    monkeypatch.setattr(stream, "BATCH", 4)
    original = service.run
    monkeypatch.setattr(service, "run", lambda s, e, out: original(s, e, out))
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        job = export_jobs.start(s, project=project, by=corpus["users"]["coder"],
                                export=service.prepare(s, project=project, format="jsonl"))
        job_id = job.id
    progress = []

    def spy(job_id, every=0.5):
        report = real(job_id, every=0)

        def wrapped(done, total):
            report(done, total)
            with transaction() as s:
                found = s.get(Job, job_id)
                progress.append((found.done, found.total))
        return wrapped
    real = export_jobs._reporter
    monkeypatch.setattr(export_jobs, "_reporter", spy)
    monkeypatch.setattr(stream, "excerpts", _small_batches(stream.excerpts))
    assert run_job(claim_one("test", job_id), "test") == "done"
    assert progress[0] == (0, 19) and progress[-1] == (19, 19)
    assert (4, 19) in progress and len(progress) >= 6


def _small_batches(excerpts):
    def small(*args, **kwargs):
        return excerpts(*args, **{**kwargs, "batch": 4})
    return small


def test_cancelled_export_stops_and_leaves_no_file(corpus, monkeypatch):
    from app.db import transaction
    from app.exports import jobs as export_jobs
    from app.exports import service, stream
    from app.jobs import service as jobs
    from app.jobs.models import Job
    from app.jobs.worker import claim_one, run_job
    from app.projects import service as projects

    monkeypatch.setattr(stream, "excerpts", _small_batches(stream.excerpts))
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        job_id = export_jobs.start(s, project=project, by=corpus["users"]["owner"],
                                   export=service.prepare(s, project=project,
                                                          format="csv")).id
        project_id = project.id
    before = set(export_jobs.folder(project_id).iterdir())
    real = export_jobs._reporter

    def cancelling(job_id, every=0.5):
        report = real(job_id, every=0)

        def wrapped(done, total):
            if done >= 8:
                with transaction() as s:
                    jobs.cancel(s, job=s.get(Job, job_id), by=corpus["users"]["owner"])
            report(done, total)
        return wrapped
    monkeypatch.setattr(export_jobs, "_reporter", cancelling)
    assert run_job(claim_one("test", job_id), "test") in ("failed", "cancelled")
    with transaction() as s:
        assert s.get(Job, job_id).status == "cancelled"
    assert set(export_jobs.folder(project_id).iterdir()) == before


def test_old_export_files_are_cleaned_up(corpus, tmp_path):
    import os
    import time

    from app.exports import jobs as export_jobs

    folder = export_jobs.folder(999)
    old, new = folder / "1-old.csv", folder / "2-new.csv"
    old.write_text("x")
    new.write_text("y")
    week_ago = time.time() - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    assert export_jobs.clean_up(project_id=999) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["2-new.csv"]
