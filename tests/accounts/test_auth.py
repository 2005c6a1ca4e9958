"""Sign-in, sign-out, sessions, CSRF and bearer tokens."""

import re

from tests.conftest import PASSWORD, sign_in, token_for


def test_password_is_stored_as_argon2(session, make_user):
    from app.accounts.models import User

    make_user("a@example.org")
    from sqlalchemy import select

    stored = session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_and_out(client, study):
    sign_in(client, "owner@example.org")
    page = client.get("/")
    assert page.status_code == 200 and "Study" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused(client, study):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"email": "owner@example.org", "password": "nope",
                                           "csrf_token": csrf})
    assert response.status_code == 401 and "do not match" in response.text


def test_sign_in_redirects_only_to_local_paths(client, study):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", follow_redirects=False, data={
        "email": "owner@example.org", "password": PASSWORD, "csrf_token": csrf,
        "next": "//evil.example/steal"})
    assert response.headers["location"] == "/"


def test_form_without_csrf_token_is_refused_and_changes_nothing(client, study):
    sign_in(client, "owner@example.org")
    response = client.post("/p/study/sites", data={"slug": "east", "name": "East"})
    assert response.status_code == 403 and "expired" in response.text
    bad = client.post("/p/study/sites", data={"slug": "east", "name": "East",
                                              "csrf_token": "forged"})
    assert bad.status_code == 403
    headers = token_for(client, "owner@example.org")
    sites = client.get("/api/projects/study/sites", headers=headers).json()
    assert [s["slug"] for s in sites] == ["north", "south"]


def test_htmx_header_token_is_accepted(client, study):
    csrf = sign_in(client, "owner@example.org")
    response = client.post("/p/study/sites", data={"slug": "east", "name": "East"},
                           headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert response.status_code == 303


def test_cookie_json_request_needs_csrf_header(client, study):
    csrf = sign_in(client, "owner@example.org")
    body = {"slug": "east", "name": "East"}
    assert client.post("/api/projects/study/sites", json=body).status_code == 403
    ok = client.post("/api/projects/study/sites", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_bearer_token(client, study):
    headers = token_for(client, "coder@example.org")
    assert client.get("/api/me", headers=headers).json()["email"] == "coder@example.org"
    bad = client.get("/api/me", headers={"Authorization": "Bearer fb_wrong"})
    assert bad.status_code == 401 and bad.json()["detail"]
    wrong = client.post("/api/auth/token", data={"email": "coder@example.org", "password": "x"})
    assert wrong.status_code == 401


def test_token_is_stored_as_digest(client, session, study):
    from sqlalchemy import select

    from app.accounts.models import ApiToken

    raw = token_for(client, "coder@example.org")["Authorization"].split()[1]
    stored = session.scalar(select(ApiToken.token_hash))
    assert raw not in stored and len(stored) == 64


def test_tampered_session_cookie_is_ignored(client, study):
    sign_in(client, "owner@example.org")
    cookie = client.cookies.get("fieldbench_session")
    client.cookies.set("fieldbench_session", cookie[:-4] + "AAAA")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_form_needs_its_csrf_token(client, study):
    response = client.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303
