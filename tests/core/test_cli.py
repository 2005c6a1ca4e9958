"""The `fieldbench` command, run in-process against the test database."""

import io

from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import main
from app.db import new_session
from app.documents.models import Document, Speaker
from tests.conftest import FIXTURES

INGEST = FIXTURES / "ingest"


def run(*args, stdin=None):
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


def count_documents():
    with new_session() as s:
        return s.scalar(select(func.count()).select_from(Document))


def test_user_project_site_and_token():
    assert run("user", "add", "ana@example.org", "--password-stdin",
               stdin="a long password\n")[0] == 0
    code, out = run("user", "add", "ana@example.org", "--password-stdin", stdin="another one\n")
    assert code == 1 and "already exists" in out
    assert run("project", "create", "s1", "--name", "S1", "--owner", "ana@example.org")[0] == 0
    code, out = run("site", "add", "s1", "north", "--name", "North", "--strand", "Contextual",
                    "--governance", "statutory", "--country", "England", "--attr", "lead=Ana")
    assert code == 0, out
    code, out = run("token", "create", "ana@example.org")
    assert code == 0 and out.startswith("fb_")


def test_import_reports_refusals_and_keeps_good_files(study):
    code, out = run("import", "study", "--site", "north", "--kind", "interview",
                    str(INGEST / "teams.vtt"), str(INGEST / "empty.txt"))
    assert code == 1
    assert "added teams.vtt" in out and "refused empty.txt: the file is empty" in out
    assert count_documents() == 1


def test_import_with_manifest(study, tmp_path):
    (tmp_path / "a.txt").write_text("Chair: hello there.\nSW: hi.\n")
    (tmp_path / "b.md").write_text("# Notes\n\nA quiet panel.\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,site,kind,title,date,researcher,fieldwork_period\n"
                        "a.txt,north,interview,A,2021-03-01,Ana,wave 1\n"
                        "b.md,south,observation,B,,Ben,wave 2\n")
    code, out = run("import", "study", "--manifest", str(manifest))
    assert code == 0, out
    with new_session() as s:
        rows = s.execute(select(Document.title, Document.researcher, Document.date)
                         .order_by(Document.title)).all()
        assert [r[0] for r in rows] == ["A", "B"] and rows[0][1] == "Ana"
        assert s.scalar(select(func.count()).select_from(Speaker)) == 2


def test_bad_manifest_row_imports_nothing(study, tmp_path):
    (tmp_path / "a.txt").write_text("A note.\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,site,kind\na.txt,north,observation\na.txt,nowhere,observation\n")
    code, out = run("import", "study", "--manifest", str(manifest))
    assert code == 1 and "row 3" in out and "no site 'nowhere'" in out
    assert count_documents() == 0


def test_demo_loads_once():
    code, out = run("demo")
    assert code == 0 and "6 sites, 12 documents" in out and "with password" in out
    from app.settings import get_settings

    if get_settings().is_sqlite:  # a fixed, documented password only for the local demo
        assert "fieldwork-demo" in out
    code, out = run("demo")
    assert code == 0 and "already loaded" in out
    assert count_documents() == 12
