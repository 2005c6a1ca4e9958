"""Saved queries: create, list, read, change, delete, re-run; who may do what."""

import pytest

from tests.conftest import token_for

URL = "/api/projects/study/queries"


@pytest.fixture
def as_(client, corpus):
    tokens = {}

    def call(who, method, path="", **kw):
        if who not in tokens:
            tokens[who] = token_for(client, f"{who}@example.org")
        return client.request(method, URL + path, headers=tokens[who], **kw)
    return call


def test_crud_and_rerun(as_, corpus):
    made = as_("coder", "POST", json={"name": "Rationing in the east", "description": "why",
                                      "query": {"code": ["PA"], "site": "east"}})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["query"] == {"code": ["PA"], "site": ["east"]}
    assert body["author"] == "coder@example.org" and body["description"] == "why"
    ident = body["id"]
    assert [q["name"] for q in as_("viewer", "GET").json()] == ["Rationing in the east"]
    assert as_("viewer", "GET", f"/{ident}").json()["name"] == "Rationing in the east"
    run = as_("viewer", "GET", f"/{ident}/excerpts", params={"limit": 2, "total": "true"})
    page = run.json()
    assert [corpus["ids"][e["id"]] for e in page["excerpts"]] == ["c15", "c16"]
    assert page["total"] == 3 and page["next_cursor"]
    rest = as_("viewer", "GET", f"/{ident}/excerpts", params={"cursor": page["next_cursor"]})
    assert [corpus["ids"][e["id"]] for e in rest.json()["excerpts"]] == ["c18"]

    changed = as_("coder", "PUT", f"/{ident}", json={"query": {"q": "PA-RATION AND RR-TEXT"}})
    assert changed.status_code == 200 and changed.json()["name"] == "Rationing in the east"
    run = as_("coder", "GET", f"/{ident}/excerpts").json()
    assert {corpus["ids"][e["id"]] for e in run["excerpts"]} == {"c1", "c3", "c10", "c11"}
    renamed = as_("owner", "PUT", f"/{ident}", json={"name": "Rationing and texts"})
    assert renamed.json()["name"] == "Rationing and texts"          # an owner may
    assert as_("coder", "DELETE", f"/{ident}").status_code == 204
    assert as_("coder", "GET", f"/{ident}").status_code == 404
    assert as_("coder", "GET", f"/{ident}/excerpts").status_code == 404


def test_permissions(as_, corpus):
    owners = as_("owner", "POST", json={"name": "Owner's", "query": {"code": "RR"}}).json()
    assert as_("viewer", "POST", json={"name": "V", "query": {}}).status_code == 403
    assert as_("viewer", "PUT", f"/{owners['id']}", json={"name": "V"}).status_code == 403
    assert as_("viewer", "DELETE", f"/{owners['id']}").status_code == 403
    assert as_("coder", "PUT", f"/{owners['id']}", json={"name": "C"}).status_code == 403
    assert as_("coder", "DELETE", f"/{owners['id']}").status_code == 403
    for method in ("GET", "PUT", "DELETE"):
        response = as_("outsider", method, f"/{owners['id']}",
                       **({"json": {"name": "O"}} if method == "PUT" else {}))
        assert response.status_code == 404
    assert as_("outsider", "GET").status_code == 404
    assert as_("owner", "DELETE", f"/{owners['id']}").status_code == 204
    assert as_("owner", "GET", "/12345").status_code == 404


def test_names_and_filters_are_checked(as_, corpus):
    assert as_("coder", "POST", json={"name": "Texts", "query": {"code": "RR-TEXT"}}
               ).status_code == 201
    twin = as_("owner", "POST", json={"name": " Texts ", "query": {}})
    assert twin.status_code == 409 and "already exists" in twin.json()["detail"]
    other = as_("coder", "POST", json={"name": "Other", "query": {}}).json()
    assert as_("coder", "PUT", f"/{other['id']}", json={"name": "Texts"}).status_code == 409
    for query, message in (({"code": "NOPE"}, "no code 'NOPE'"),
                           ({"q": "PA AND )"}, "at character 8"),
                           ({"kind": "podcast"}, "kind: unknown value"),
                           ({"text": "*"}, "no words")):
        response = as_("coder", "POST", json={"name": "Bad", "query": query})
        assert response.status_code == 422 and message in response.json()["detail"]
    assert as_("coder", "POST", json={"name": "  ", "query": {}}).status_code == 422
    assert as_("coder", "POST", json={"name": "x" * 201, "query": {}}).status_code == 422
    assert as_("coder", "POST", json={"name": "y", "colour": "red"}).status_code == 422


def test_get_filter_by_name_or_id(corpus):
    from app.db import transaction
    from app.errors import NotFound
    from app.projects import service as projects
    from app.retrieval import saved
    from app.retrieval.filters import ExcerptFilter

    wanted = ExcerptFilter(codes=["PA"], sites=["east"], has_memo=False, sort="date")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        query = saved.create(s, project=project, by=corpus["users"]["coder"], name="2024",
                             filter=wanted)
        other = saved.create(s, project=project, by=corpus["users"]["coder"], name="East PA",
                             filter=ExcerptFilter(codes=["PA"]))
        assert saved.get_filter(s, project=project, name_or_id="East PA").codes == ["PA"]
        assert saved.get_filter(s, project=project, name_or_id=query.id) == wanted
        assert saved.get_filter(s, project=project, name_or_id=str(other.id)).sites == []
        assert saved.get_filter(s, project=project, name_or_id="2024") == wanted
        with pytest.raises(NotFound):
            saved.get_filter(s, project=project, name_or_id="nothing saved")
