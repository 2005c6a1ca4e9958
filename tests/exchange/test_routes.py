"""The exchange API and pages: owners download a project; anyone signed in imports one."""

from __future__ import annotations

import io
import zipfile

from tests.conftest import sign_in, token_for
from tests.exchange.conftest import FIXTURES_QDPX, export_bytes  # noqa: F401


def test_owner_downloads_the_project(client, demo):
    headers = token_for(client, "demo@fieldbench.example")
    response = client.get("/api/projects/innovate-demo/qdpx", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="innovate-demo.qdpx"' in response.headers["content-disposition"]
    assert response.content == export_bytes("innovate-demo")
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_coders_may_not_download(client, demo):
    headers = token_for(client, "zoe@example.org")
    assert client.get("/api/projects/innovate-demo/qdpx", headers=headers).status_code == 403


def test_api_import_reports_and_makes_the_caller_owner(client, make_user):
    make_user("ann@example.org")
    headers = token_for(client, "ann@example.org")
    data = (FIXTURES_QDPX / "atlasti.qdpx").read_bytes()
    response = client.post("/api/projects/import-qdpx", headers=headers,
                           data={"slug": "atlas", "name": "From ATLAS.ti"},
                           files={"file": ("My Study.qdpx", data)})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"]["codings"] == 2 and body["project"] == "atlas"
    assert any("picture sources" in d for d in body["not_brought_over"])
    project = client.get("/api/projects/atlas", headers=headers).json()
    assert project["role"] == "owner" and project["name"] == "From ATLAS.ti"
    again = client.post("/api/projects/import-qdpx", headers=headers, data={"slug": "atlas"},
                        files={"file": ("My Study.qdpx", data)})
    assert again.status_code == 409


def test_api_import_refuses_a_bad_package_and_creates_nothing(client, make_user):
    make_user("ann@example.org")
    headers = token_for(client, "ann@example.org")
    response = client.post("/api/projects/import-qdpx", headers=headers, data={"slug": "x"},
                           files={"file": ("x.qdpx", b"not a zip")})
    assert response.status_code == 422 and "ZIP" in response.json()["detail"]
    assert client.get("/api/projects/x", headers=headers).status_code == 404


def test_api_import_respects_the_upload_limit(client, make_user, monkeypatch):
    from app import settings

    make_user("ann@example.org")
    headers = token_for(client, "ann@example.org")
    real = settings.get_settings()
    monkeypatch.setattr("app.exchange.routes.get_settings",
                        lambda: type(real)(**{**real.__dict__, "max_upload_bytes": 100}))
    response = client.post("/api/projects/import-qdpx", headers=headers, data={"slug": "x"},
                           files={"file": ("x.qdpx", b"0" * 101)})
    assert response.status_code == 413


def test_import_page_shows_the_report(client, make_user):
    make_user("ann@example.org")
    csrf = sign_in(client, "ann@example.org")
    page = client.get("/projects/import-qdpx")
    assert page.status_code == 200 and "Import a REFI-QDA project" in page.text
    data = (FIXTURES_QDPX / "maxqda.qdpx").read_bytes()
    response = client.post("/projects/import-qdpx", data={"slug": "maxqda", "csrf_token": csrf},
                           files={"file": ("maxqda.qdpx", data)})
    assert response.status_code == 200
    assert "Imported into" in response.text and "document variable &#39;Gender&#39;" in \
        response.text
    bad = client.post("/projects/import-qdpx", data={"slug": "maxqda", "csrf_token": csrf},
                      files={"file": ("maxqda.qdpx", data)})
    assert bad.status_code == 409 and "Nothing was imported" in bad.text


def test_project_page_links_the_export_for_owners(client, demo):
    sign_in(client, "demo@fieldbench.example")
    assert "Export project (.qdpx)" in client.get("/p/innovate-demo").text
