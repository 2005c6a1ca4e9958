"""The suggestions JSON API: lists, queue, decisions, runs, jobs and the auto setting."""

from app.jobs.worker import Worker
from tests.conftest import token_for

KEYS = {"id", "code", "code_name", "start", "end", "quote", "rule", "reason", "status"}


def test_document_suggestions_explain_themselves(client, suggested):
    headers = token_for(client, "viewer@example.org")
    response = client.get(f"/api/documents/{suggested['document_id']}/suggestions",
                          headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert KEYS <= set(body[0]) and [s["quote"] for s in body] == ["scored 14", "not engaging"]
    assert body[0]["code"] == "PA-PERF" and body[0]["code_name"] and body[0]["reason"]


def test_queue_filters(client, suggested):
    headers = token_for(client, "coder@example.org")
    url = "/api/projects/study/suggestions"
    assert [s["code"] for s in client.get(url, headers=headers).json()] == ["PA-PERF",
                                                                           "RR-DISC-ENG"]
    only = client.get(url, params={"code": "RR-DISC-ENG"}, headers=headers).json()
    assert [s["code"] for s in only] == ["RR-DISC-ENG"]
    assert client.get(url, params={"document": suggested["document_id"] + 99},
                      headers=headers).json() == []
    assert client.get(url, params={"status": "accepted"}, headers=headers).json() == []
    assert client.get(url, params={"status": "nope"}, headers=headers).status_code == 422
    assert client.get(url, params={"code": "NOPE"}, headers=headers).status_code == 404


def test_accept_returns_a_suggested_coding_seen_in_the_document(client, suggested):
    headers = token_for(client, "coder@example.org")
    sid = suggested["ids"]["PA-PERF"]
    response = client.post(f"/api/suggestions/{sid}/accept", headers=headers)
    assert response.status_code == 201, response.text
    coding = response.json()
    assert (coding["origin"], coding["quote"], coding["code"]) == ("suggested", "scored 14",
                                                                   "PA-PERF")
    assert coding["rule"]
    codings = client.get(f"/api/documents/{suggested['document_id']}/codings",
                         headers=headers).json()
    assert [c["id"] for c in codings] == [coding["id"]]
    after = client.get(f"/api/suggestions/{sid}", headers=headers).json()
    assert (after["status"], after["coding"]) == ("accepted", coding["id"])
    again = client.post(f"/api/suggestions/{sid}/accept", headers=headers)
    assert again.status_code == 409


def test_accept_with_an_adjusted_span(client, suggested):
    headers = token_for(client, "coder@example.org")
    text = suggested["text"]
    body = {"start": text.index("scored"), "end": text.index(" on the") + 7}
    response = client.post(f"/api/suggestions/{suggested['ids']['PA-PERF']}/accept",
                           json=body, headers=headers)
    assert response.status_code == 201 and response.json()["quote"] == "scored 14 on the"
    bad = client.post(f"/api/suggestions/{suggested['ids']['RR-DISC-ENG']}/accept",
                      json={"start": 3, "end": 10**6}, headers=headers)
    assert bad.status_code == 422
    pending = client.get(f"/api/suggestions/{suggested['ids']['RR-DISC-ENG']}",
                         headers=headers).json()
    assert pending["status"] == "pending"


def test_reject(client, suggested):
    headers = token_for(client, "coder@example.org")
    response = client.post(f"/api/suggestions/{suggested['ids']['PA-PERF']}/reject",
                           headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_outsiders_get_404_and_viewers_403(client, suggested):
    sid = suggested["ids"]["PA-PERF"]
    outsider = token_for(client, "outsider@example.org")
    viewer = token_for(client, "viewer@example.org")
    for url in (f"/api/suggestions/{sid}", f"/api/documents/{suggested['document_id']}/"
                "suggestions", "/api/projects/study/suggestions"):
        assert client.get(url, headers=outsider).status_code == 404
    for url in (f"/api/suggestions/{sid}/accept", f"/api/suggestions/{sid}/reject",
                "/api/projects/study/suggest"):
        assert client.post(url, headers=outsider).status_code == 404
        assert client.post(url, headers=viewer).status_code == 403
    assert client.get(f"/api/suggestions/{sid}", headers=viewer).json()["status"] == "pending"


def test_run_starts_a_job_that_a_worker_finishes(client, patterned):
    headers = token_for(client, "coder@example.org")
    response = client.post("/api/projects/study/suggest", json={"site": "north"},
                           headers=headers)
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["kind"], job["status"], job["done"]) == ("suggest", "queued", 0)
    assert Worker(name="test").run_once()
    after = client.get(f"/api/jobs/{job['id']}", headers=headers).json()
    assert (after["status"], after["done"], after["total"]) == ("done", 1, 1)
    assert {"id", "kind", "status", "total", "done", "message"} <= set(after)
    assert len(client.get("/api/projects/study/suggestions", headers=headers).json()) == 2
    outsider = token_for(client, "outsider@example.org")
    assert client.get(f"/api/jobs/{job['id']}", headers=outsider).status_code == 404


def test_run_refuses_an_unknown_scope(client, patterned):
    headers = token_for(client, "coder@example.org")
    for body in ({"site": "nowhere"}, {"document": 999999}):
        assert client.post("/api/projects/study/suggest", json=body,
                           headers=headers).status_code == 404


def test_only_owners_change_the_auto_setting(client, patterned):
    url = "/api/projects/study/settings"
    coder = token_for(client, "coder@example.org")
    assert client.put(url, json={"auto_suggest": True}, headers=coder).status_code == 403
    owner = token_for(client, "owner@example.org")
    assert client.put(url, json={"auto_suggest": True}, headers=owner).json() == {
        "auto_suggest": True, "rank_suggestions": False}
    assert client.get(url, headers=coder).json() == {"auto_suggest": True,
                                                     "rank_suggestions": False}
    new = client.post("/api/projects/study/documents", headers=coder,
                      data={"site": "north", "kind": "observation"},
                      files={"file": ("n.txt", b"She was not engaging today.")})
    assert new.status_code == 201
    assert Worker(name="test").run_once()
    found = client.get(f"/api/documents/{new.json()['id']}/suggestions", headers=coder).json()
    assert [s["quote"] for s in found] == ["not engaging"]


def test_owners_turn_the_ranker_on_and_off_and_a_setting_left_out_is_kept(client, patterned):
    url = "/api/projects/study/settings"
    coder, owner = (token_for(client, f"{who}@example.org") for who in ("coder", "owner"))
    assert client.put(url, json={"rank_suggestions": True}, headers=coder).status_code == 403
    assert client.put(url, json={"rank_suggestions": True}, headers=owner).json() == {
        "auto_suggest": False, "rank_suggestions": True}
    assert client.put(url, json={}, headers=owner).json() == {
        "auto_suggest": False, "rank_suggestions": True}
    assert client.put(url, json={"rank_suggestions": "maybe"},
                      headers=owner).status_code == 422
    assert client.get(url, headers=coder).json()["rank_suggestions"] is True
