"""Ingest through the JSON API, against a real database."""

from tests.conftest import FIXTURES, token_for

INGEST = FIXTURES / "ingest"


def upload(client, headers, path, **form):
    data = {"site": "north", "kind": "interview"} | form
    with path.open("rb") as handle:
        return client.post("/api/projects/study/documents", headers=headers, data=data,
                           files={"file": (path.name, handle.read())})


def test_upload_vtt_returns_speakers_and_turns(client, study):
    headers = token_for(client, "coder@example.org")
    response = upload(client, headers, INGEST / "teams.vtt", title="Panel", date="2021-05-12")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Panel" and body["turns"] > 0 and body["word_count"] > 0
    document = client.get(f"/api/documents/{body['id']}", headers=headers).json()
    assert document["date"] == "2021-05-12" and document["site"] == "north"
    for turn in document["turns"]:
        assert document["text"][turn["start"]:turn["end"]].strip()
        assert turn["speaker"] in body["speakers"]


def test_duplicate_upload_is_reported(client, study):
    headers = token_for(client, "coder@example.org")
    assert upload(client, headers, INGEST / "interview.txt").status_code == 201
    again = upload(client, headers, INGEST / "interview.txt")
    assert again.status_code == 409
    assert "already in the project" in again.json()["detail"]


def test_refused_file_names_the_file_and_stores_nothing(client, study):
    headers = token_for(client, "coder@example.org")
    response = upload(client, headers, INGEST / "empty.txt")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("empty.txt:")
    assert client.get("/api/projects/study/documents", headers=headers).json() == []


def test_viewer_cannot_upload_and_outsider_sees_nothing(client, study):
    viewer = token_for(client, "viewer@example.org")
    assert upload(client, viewer, INGEST / "interview.txt").status_code == 403
    outsider = token_for(client, "outsider@example.org")
    assert upload(client, outsider, INGEST / "interview.txt").status_code == 404
