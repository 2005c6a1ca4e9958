"""Codings through the JSON API: offsets in code points, quotes checked, soft deletes."""

from tests.conftest import token_for

BASE = "/api/documents/{}/codings"


def create(client, headers, doc, phrase, code, text, **extra):
    start = text.index(phrase)
    return client.post(BASE.format(doc), headers=headers, json={
        "code": code, "start": start, "end": start + len(phrase)} | extra)


def test_create_returns_the_quote_and_lists_in_text_order(client, coded_study):
    headers = token_for(client, "coder@example.org")
    doc, text = coded_study["document_id"], coded_study["text"]
    second = create(client, headers, doc, "not engaging", "DA-FRAG", text)
    first = create(client, headers, doc, "scored 14", "RR-TEXT-RISK", text)
    assert first.status_code == 201 and first.json()["quote"] == "scored 14"
    assert first.json()["coder"] == "coder@example.org" and first.json()["codebook_version"] == 1
    listed = client.get(BASE.format(doc), headers=headers).json()
    assert [c["id"] for c in listed] == [first.json()["id"], second.json()["id"]]


def test_span_is_trimmed_and_blank_or_wrong_quote_refused(client, coded_study):
    headers = token_for(client, "coder@example.org")
    doc, text = coded_study["document_id"], coded_study["text"]
    start = text.index("Row seven")
    padded = client.post(BASE.format(doc), headers=headers, json={
        "code": "DA-FRAG", "start": start - 1, "end": start + 10, "quote": " Row seven,"})
    assert padded.status_code == 201 and padded.json()["quote"] == "Row seven,"
    newline = text.index("\n")
    blank = client.post(BASE.format(doc), headers=headers,
                        json={"code": "DA-FRAG", "start": newline, "end": newline + 1})
    assert blank.status_code == 422 and "white space" in blank.json()["detail"]
    wrong = create(client, headers, doc, "Row seven", "DA-FRAG", text, quote="Row eight")
    assert wrong.status_code == 409
    outside = client.post(BASE.format(doc), headers=headers,
                          json={"code": "DA-FRAG", "start": 0, "end": 10_000})
    assert outside.status_code == 422
    category = create(client, headers, doc, "Row seven", "DA", text)
    assert category.status_code == 422


def test_remove_restore_recode(client, coded_study):
    headers = token_for(client, "coder@example.org")
    doc, text = coded_study["document_id"], coded_study["text"]
    coding = create(client, headers, doc, "Row seven", "DA-FRAG", text).json()
    url = f"/api/codings/{coding['id']}"
    assert client.delete(url, headers=headers).json()["removed"] is True
    assert client.get(BASE.format(doc), headers=headers).json() == []
    assert client.delete(url, headers=headers).status_code == 404
    assert client.post(url + "/restore", headers=headers).json()["removed"] is False
    recoded = client.patch(url, headers=headers, json={"code": "DA-RITUAL"})
    assert recoded.json()["code"] == "DA-RITUAL" and recoded.json()["quote"] == "Row seven"


def test_etag_polling(client, coded_study):
    headers = token_for(client, "coder@example.org")
    doc, text = coded_study["document_id"], coded_study["text"]
    first = client.get(BASE.format(doc), headers=headers)
    tag = first.headers["etag"]
    assert client.get(BASE.format(doc), headers=headers | {"If-None-Match": tag}).status_code == 304
    create(client, headers, doc, "Row seven", "DA-FRAG", text)
    changed = client.get(BASE.format(doc), headers=headers | {"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


def test_code_a_turn_and_every_turn_of_a_speaker(client, coded_study):
    headers = token_for(client, "coder@example.org")
    doc = coded_study["document_id"]
    document = client.get(f"/api/documents/{doc}", headers=headers).json()
    turn = document["turns"][0]
    made = client.post(f"/api/documents/{doc}/turns/{turn['id']}/codings", headers=headers,
                       json={"code": "PA-PERF"})
    assert made.status_code == 201
    assert made.json()[0]["quote"] == document["text"][turn["start"]:turn["end"]].strip()
    speakers = client.get("/api/projects/study/speakers", headers=headers).json()
    chair = next(s for s in speakers if s["name"] == turn["speaker"])
    bulk = client.post(f"/api/documents/{doc}/speakers/{chair['id']}/codings", headers=headers,
                       json={"code": "PA-PERF"})
    assert bulk.status_code == 201 and bulk.json() == []  # that turn already had the code
    other = client.post(f"/api/documents/{doc}/speakers/{chair['id']}/codings", headers=headers,
                        json={"code": "RR-TEXT"})
    assert len(other.json()) == sum(t["speaker"] == chair["name"] for t in document["turns"])
