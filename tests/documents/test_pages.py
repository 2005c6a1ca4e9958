"""The upload and document pages, through the signed-in browser session."""

import re

from tests.conftest import FIXTURES, sign_in

INGEST = FIXTURES / "ingest"


def files(*names, field="files"):
    return [(field, (name, (INGEST / name).read_bytes())) for name in names]


def test_multi_file_upload_keeps_good_files_and_lists_refusals(client, study):
    csrf = sign_in(client, "coder@example.org")
    response = client.post("/p/study/upload", files=files("notes.docx", "scan.pdf", "notes.xyz",
                                                          "meeting.srt"),
                           data={"site": "south", "kind": "observation", "date": "2021-06-01",
                                 "csrf_token": csrf})
    assert response.status_code == 200
    added = re.search(r'<ul class="added">(.*?)</ul>', response.text, re.S).group(1)
    refused = re.search(r'<ul class="refused"[^>]*>(.*?)</ul>', response.text, re.S).group(1)
    assert added.count("<li>") == 2
    assert "scan.pdf: the PDF has no text layer" in refused
    assert "notes.xyz:" in refused
    page = client.get("/p/study")
    assert 'data-site="south">2<' in page.text


def test_upload_with_bad_date_stores_nothing(client, study):
    csrf = sign_in(client, "coder@example.org")
    response = client.post("/p/study/upload", files=files("notes.rtf"),
                           data={"site": "north", "kind": "observation", "date": "12/05/2021",
                                 "csrf_token": csrf})
    assert response.status_code == 422 and "YYYY-MM-DD" in response.text
    assert 'data-site="north">0<' in client.get("/p/study").text


def test_document_page_shows_turns_and_metadata(client, study):
    csrf = sign_in(client, "coder@example.org")
    client.post("/p/study/upload", files=files("teams.vtt"),
                data={"site": "north", "kind": "interview", "title": "Panel",
                      "researcher": "Ana", "period": "wave 1", "csrf_token": csrf})
    site = client.get("/p/study/sites/north").text
    link = re.search(r'href="http://testserver(/p/study/documents/\d+)">Panel<', site).group(1)
    page = client.get(link).text
    assert page.count('class="turn"') >= 2 and "wave 1" in page and 'class="stamp"' in page
    original = client.get(link.replace("/p/study", "") + "/original")
    assert original.content == (INGEST / "teams.vtt").read_bytes()
