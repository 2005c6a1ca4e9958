"""The memos JSON API: write on each target, list and filter, change and delete by role."""

import pytest
from sqlalchemy import func, select

from tests.conftest import token_for

SOUTH_NOTE = b"Chair: The south panel met late.\nYP: Nobody asked me.\n"
OTHER_NOTE = b"Chair: Another study entirely.\nSW: Yes.\n"


@pytest.fixture
def memo_study(coded_study, make_user):
    """coded_study plus a second coder, a south document, a coding in each document
    (PA-RATION in the north, PA-PERF in the south) and a project 'other' with its own
    site, document and coding."""
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.documents.models import Document
    from app.projects import service as projects
    from tests.conftest import IE_YAML

    users = coded_study["users"]
    users["coder2"] = make_user("coder2@example.org")
    owner = users["owner"]

    def add_doc(s, project, site, name, data):
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug=site),
                                      kind="observation")
        return documents.ingest(s, project=project, filename=name, data=data, meta=meta,
                                by=owner, max_bytes=10**6)[0]

    def code(s, project, doc, key):
        return coding.create(s, project=project, document=doc, code_key=key, start=7,
                             end=16, by=owner)

    with transaction() as s:
        study = projects.get_project_or_raise(s, slug="study")
        projects.add_member(s, project=study, user=users["coder2"], role="coder", by=owner)
        north = s.get(Document, coded_study["document_id"])
        south = add_doc(s, study, "south", "south.txt", SOUTH_NOTE)
        other = projects.create(s, slug="other", name="Other", owner=owner)
        projects.add_site(s, project=other, slug="east", name="East", by=owner)
        codebook.load(s, project=other, spec=parse_yaml(IE_YAML.read_text()), by=owner)
        other_doc = add_doc(s, other, "east", "other.txt", OTHER_NOTE)
        return {"users": users, "north_doc": north.id, "south_doc": south.id,
                "north_coding": code(s, study, north, "PA-RATION").id,
                "south_coding": code(s, study, south, "PA-PERF").id,
                "other_doc": other_doc.id,
                "other_coding": code(s, other, other_doc, "PA-RATION").id}


def memo_count() -> int:
    from app.db import new_session
    from app.memos.models import Memo

    with new_session() as s:
        return s.scalar(select(func.count()).select_from(Memo))


def write(client, who, **body):
    body.setdefault("kind", "analytic")
    body.setdefault("body", "A note.")
    return client.post("/api/projects/study/memos", headers=token_for(client, who), json=body)


def made(client, who, **body) -> dict:
    response = write(client, who, **body)
    assert response.status_code == 201, response.text
    return response.json()


def test_write_on_the_project_and_read_back(client, memo_study):
    memo = made(client, "coder@example.org", kind="interest", title="Whose tool?",
                body="The *scoring tool* serves the **panel**.")
    assert memo["kind"] == "interest" and memo["kind_name"] == "In whose interest?"
    assert memo["title"] == "Whose tool?" and memo["author"] == "coder@example.org"
    assert memo["html"] == "<p>The <em>scoring tool</em> serves the <strong>panel</strong>.</p>\n"
    assert memo["target"] == {"type": "project", "id": None, "label": "Study"}
    again = client.get(f"/api/memos/{memo['id']}", headers=token_for(client, "viewer@example.org"))
    assert again.status_code == 200 and again.json() == memo


def test_write_on_each_kind_of_target(client, memo_study):
    ids = memo_study
    site = made(client, "owner@example.org", site="north")["target"]
    assert site["type"] == "site" and site["label"] == "North"
    doc = made(client, "owner@example.org", document=ids["north_doc"])["target"]
    assert doc == {"type": "document", "id": ids["north_doc"], "label": "panel"}
    code = made(client, "owner@example.org", code="PA-RATION")["target"]
    assert code["type"] == "code" and code["label"].startswith("PA-RATION ")
    coding = made(client, "owner@example.org", coding=ids["north_coding"])["target"]
    assert coding["type"] == "coding" and coding["id"] == ids["north_coding"]
    assert coding["label"].startswith("PA-RATION on “")


def test_viewers_cannot_write_and_outsiders_cannot_see(client, memo_study):
    assert write(client, "viewer@example.org").status_code == 403
    assert write(client, "outsider@example.org").status_code == 404
    memo = made(client, "coder@example.org")
    assert client.get(f"/api/memos/{memo['id']}",
                      headers=token_for(client, "outsider@example.org")).status_code == 404
    assert client.get("/api/projects/study/memos",
                      headers=token_for(client, "outsider@example.org")).status_code == 404
    assert memo_count() == 1


@pytest.mark.parametrize("body, reason", [
    ({"body": ""}, "empty"),
    ({"body": "   \n\t "}, "empty"),
    ({"kind": "gossip"}, "unknown memo kind"),
    ({"title": "x" * 201}, "title"),
    ({"site": "north", "code": "PA-RATION"}, "at most one"),
    ({"document": 1, "coding": 1}, "at most one"),
    ({"project": "other"}, "extra"),
])
def test_refused_input_is_422_and_stores_nothing(client, memo_study, body, reason):
    response = write(client, "coder@example.org", **body)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"].lower()
    assert memo_count() == 0


def test_targets_from_another_project_are_not_found(client, memo_study):
    ids = memo_study
    for target in ({"site": "east"}, {"document": ids["other_doc"]},
                   {"coding": ids["other_coding"]}, {"code": "NO-SUCH-CODE"},
                   {"document": 999999}):
        response = write(client, "owner@example.org", **target)
        assert response.status_code == 404, (target, response.text)
    assert memo_count() == 0


@pytest.fixture
def spread(client, memo_study):
    """One memo on every kind of target, by different authors; returns their ids by name."""
    ids = memo_study
    plan = [
        ("project", "owner", {"kind": "analytic"}),
        ("north", "coder", {"kind": "reflexive", "site": "north"}),
        ("north_doc", "coder", {"kind": "interest", "document": ids["north_doc"]}),
        ("north_coding", "coder2", {"kind": "analytic", "coding": ids["north_coding"]}),
        ("south", "owner", {"kind": "methodological", "site": "south"}),
        ("south_coding", "owner", {"kind": "reflexive", "coding": ids["south_coding"]}),
        ("ration", "owner", {"kind": "interest", "code": "PA-RATION"}),
        ("perf", "coder", {"kind": "methodological", "code": "PA-PERF"}),
    ]
    return {name: made(client, f"{who}@example.org", **body)["id"] for name, who, body in plan}


def listed(client, spread, **params) -> list[str]:
    response = client.get("/api/projects/study/memos", params=params,
                          headers=token_for(client, "viewer@example.org"))
    assert response.status_code == 200, response.text
    names = {memo_id: name for name, memo_id in spread.items()}
    return [names[m["id"]] for m in response.json()]


def test_the_list_is_newest_first(client, spread):
    assert listed(client, spread) == list(reversed(list(spread)))


@pytest.mark.parametrize("params, expected", [
    ({"kind": "analytic"}, ["north_coding", "project"]),
    ({"author": "coder@example.org"}, ["perf", "north_doc", "north"]),
    ({"author": "nobody@example.org"}, []),
    # a site: the site itself, its documents, and codings in them
    ({"site": "north"}, ["north_coding", "north_doc", "north"]),
    ({"site": "south"}, ["south_coding", "south"]),
    # a code: the code itself and codings with it
    ({"code": "PA-RATION"}, ["ration", "north_coding"]),
    ({"code": "PA-PERF"}, ["perf", "south_coding"]),
    # a document: the document and its codings
    ({"document": "north_doc"}, ["north_coding", "north_doc"]),
    ({"coding": "north_coding"}, ["north_coding"]),
    ({"target": "project"}, ["project"]),
    ({"target": "code"}, ["perf", "ration"]),
    ({"site": "north", "kind": "analytic"}, ["north_coding"]),
    ({"site": "south", "code": "PA-RATION"}, []),
])
def test_filters(client, memo_study, spread, params, expected):
    params = {k: memo_study.get(v, v) for k, v in params.items()}
    assert listed(client, spread, **params) == expected


@pytest.mark.parametrize("params, status", [
    ({"kind": "gossip"}, 422), ({"target": "speaker"}, 422), ({"site": "east"}, 404),
    ({"code": "NO-SUCH"}, 404), ({"document": "other_doc"}, 404),
    ({"coding": "other_coding"}, 404)])
def test_bad_filters(client, memo_study, params, status):
    params = {k: memo_study.get(v, v) for k, v in params.items()}
    response = client.get("/api/projects/study/memos", params=params,
                          headers=token_for(client, "coder@example.org"))
    assert response.status_code == status, response.text


def patch(client, who, memo_id, **body):
    return client.patch(f"/api/memos/{memo_id}", headers=token_for(client, who), json=body)


def delete(client, who, memo_id):
    return client.delete(f"/api/memos/{memo_id}", headers=token_for(client, who))


def test_only_the_author_or_an_owner_may_edit(client, memo_study):
    memo = made(client, "coder@example.org", title="First", body="draft")
    assert patch(client, "coder2@example.org", memo["id"], body="mine now").status_code == 403
    assert patch(client, "viewer@example.org", memo["id"], body="x").status_code == 403
    assert patch(client, "outsider@example.org", memo["id"], body="x").status_code == 404
    mine = patch(client, "coder@example.org", memo["id"], body="Second **draft**", kind="reflexive")
    assert mine.status_code == 200, mine.text
    assert mine.json()["html"] == "<p>Second <strong>draft</strong></p>\n"
    assert mine.json()["kind"] == "reflexive" and mine.json()["title"] == "First"
    assert mine.json()["updated_at"] >= memo["updated_at"]
    owner = patch(client, "owner@example.org", memo["id"], title="")
    assert owner.status_code == 200 and owner.json()["title"] == ""
    assert owner.json()["author"] == "coder@example.org"


def test_edits_are_checked(client, memo_study):
    memo = made(client, "coder@example.org")
    assert patch(client, "coder@example.org", memo["id"], body=" ").status_code == 422
    assert patch(client, "coder@example.org", memo["id"], kind="gossip").status_code == 422
    assert patch(client, "coder@example.org", memo["id"], site="north").status_code == 422
    assert client.get(f"/api/memos/{memo['id']}", headers=token_for(
        client, "coder@example.org")).json()["body"] == "A note."


def test_only_the_author_or_an_owner_may_delete(client, memo_study):
    first = made(client, "coder@example.org")
    second = made(client, "coder@example.org")
    for who, status in (("coder2", 403), ("viewer", 403), ("outsider", 404)):
        assert delete(client, f"{who}@example.org", first["id"]).status_code == status
    assert delete(client, "coder@example.org", first["id"]).status_code == 204
    assert delete(client, "owner@example.org", second["id"]).status_code == 204
    headers = token_for(client, "coder@example.org")
    assert client.get(f"/api/memos/{first['id']}", headers=headers).status_code == 404
    assert delete(client, "coder@example.org", first["id"]).status_code == 404
    assert client.get("/api/projects/study/memos", headers=headers).json() == []
    assert memo_count() == 2     # soft delete: the rows stay


def test_every_change_is_audited(client, memo_study):
    from app.audit.models import AuditEvent
    from app.db import new_session

    memo = made(client, "coder@example.org", site="north")
    patch(client, "coder@example.org", memo["id"], body="changed")
    delete(client, "owner@example.org", memo["id"])
    with new_session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.object_type == "memo")
                           .order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == ["memo.create", "memo.update", "memo.delete"]
        assert events[0].detail["target"] == "site" and events[1].detail["fields"] == ["body"]
        assert {e.object_id for e in events} == {memo["id"]}


def test_openapi_lists_the_error_codes(app):
    paths = app.openapi()["paths"]
    expected = {("/api/projects/{project}/memos", "post"): {"401", "403", "404", "422"},
                ("/api/projects/{project}/memos", "get"): {"401", "404", "422"},
                ("/api/memos/{memo_id}", "get"): {"401", "404"},
                ("/api/memos/{memo_id}", "patch"): {"401", "403", "404", "422"},
                ("/api/memos/{memo_id}", "delete"): {"401", "403", "404"}}
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, method)
        assert operation["tags"] == ["memos"]
    assert not any(p.startswith("/p/") and "memos" in p for p in paths)


def test_the_access_walk_covers_the_memo_routes(app):
    from tests.accounts.test_access import project_routes

    names = {route.name for route, _ in project_routes(app)}
    assert {"api_memo_create", "api_memos", "api_memo", "api_memo_update", "api_memo_delete",
            "memos_page", "memo_create", "memo_edit", "memo_delete"} <= names
