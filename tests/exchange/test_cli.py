"""`fieldbench import-qdpx` prints the report; a bad file is one error line and no project."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import main
from tests.exchange.conftest import FIXTURES_QDPX


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_import_qdpx_prints_the_report(make_user):
    make_user("ann@example.org")
    code, out = run("import-qdpx", str(FIXTURES_QDPX / "nvivo.qdpx"), "--project", "nvivo",
                    "--name", "Panel study (NVivo)", "--owner", "ann@example.org")
    assert code == 0, out
    assert out.startswith("Imported into project 'nvivo': 1 users, 1 sites, 1 documents, "
                          "3 codes, 2 codings, 1 memos.")
    assert "positions read as UTF-16 code units" in out


def test_import_qdpx_refuses_clearly(make_user, tmp_path):
    make_user("ann@example.org")
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    code, out = run("import-qdpx", str(bad), "--project", "bad", "--owner", "ann@example.org")
    assert code == 1 and out.startswith("error: bad.qdpx: not a REFI-QDA project")
    code, out = run("import-qdpx", str(FIXTURES_QDPX / "nvivo.qdpx"), "--project", "nvivo",
                    "--owner", "nobody@example.org")
    assert code == 1 and "no user" in out
