"""Projects, members and sites through the JSON API and the pages."""

from tests.conftest import sign_in, token_for


def test_create_project_and_sites_through_api(client, make_user):
    make_user("ana@example.org")
    headers = token_for(client, "ana@example.org")
    created = client.post("/api/projects", headers=headers,
                          json={"slug": "innovate", "name": "Innovate"})
    assert created.status_code == 201 and created.json()["role"] == "owner"
    site = client.post("/api/projects/innovate/sites", headers=headers, json={
        "slug": "glen", "name": "Glen Council", "strand": "Trauma-informed Practice",
        "governance": "statutory", "country": "Scotland", "attributes": {"pilot": "2021"}})
    assert site.status_code == 201, site.text
    got = client.get("/api/projects/innovate/sites/glen", headers=headers).json()
    assert got["attributes"] == {"pilot": "2021"} and got["governance"] == "statutory"
    assert client.post("/api/projects", headers=headers,
                       json={"slug": "innovate", "name": "Again"}).status_code == 409


def test_bad_site_input_changes_nothing(client, study):
    headers = token_for(client, "owner@example.org")
    bad_slug = client.post("/api/projects/study/sites", headers=headers,
                           json={"slug": "Not A Slug", "name": "X"})
    assert bad_slug.status_code == 422 and "slug" in bad_slug.json()["detail"]
    bad_gov = client.post("/api/projects/study/sites", headers=headers,
                          json={"slug": "x", "name": "X", "governance": "private"})
    assert bad_gov.status_code == 422
    duplicate = client.post("/api/projects/study/sites", headers=headers,
                            json={"slug": "north", "name": "North again"})
    assert duplicate.status_code == 409
    assert len(client.get("/api/projects/study/sites", headers=headers).json()) == 2


def test_update_site_and_members(client, study):
    headers = token_for(client, "owner@example.org")
    patched = client.patch("/api/projects/study/sites/north", headers=headers,
                           json={"country": "Wales", "attributes": {"lead": "Bo"}})
    assert patched.json()["country"] == "Wales" and patched.json()["name"] == "North"
    added = client.put("/api/projects/study/members", headers=headers,
                       json={"email": "outsider@example.org", "role": "viewer"})
    assert added.status_code == 200
    outsider = token_for(client, "outsider@example.org")
    assert client.get("/api/projects/study", headers=outsider).json()["role"] == "viewer"
    nobody = client.put("/api/projects/study/members", headers=headers,
                        json={"email": "nobody@example.org", "role": "coder"})
    assert nobody.status_code == 404


def test_project_page_lists_sites_with_counts(client, study):
    sign_in(client, "viewer@example.org")
    page = client.get("/p/study")
    assert page.status_code == 200
    assert 'data-site="north">0<' in page.text and "Add a site" not in page.text


def test_owner_adds_site_through_form(client, study):
    csrf = sign_in(client, "owner@example.org")
    response = client.post("/p/study/sites", data={"slug": "east", "name": "East",
                                                   "governance": "voluntary",
                                                   "csrf_token": csrf})
    assert response.status_code == 200 and "East" in response.text
    bad = client.post("/p/study/sites", data={"slug": "north", "name": "Dup",
                                              "csrf_token": csrf})
    assert bad.status_code == 409 and "already has a site" in bad.text


def test_create_project_through_form(client, study):
    csrf = sign_in(client, "coder@example.org")
    response = client.post("/projects", data={"slug": "mine", "name": "Mine",
                                              "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/p/mine")
