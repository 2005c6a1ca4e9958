"""Shared fixtures: a real database (SQLite file, or PostgreSQL when
FIELDBENCH_TEST_DATABASE_URL is set), migrated once per run with Alembic and emptied after
every test; clients signed in as users of each role.

Run in parallel (`pytest -n 2`, pytest-xdist), each worker has a database of its own: its
own SQLite file, or on PostgreSQL the given database for the first worker and a sibling
database named after the worker (`test_gw1`, created when missing) for the others."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IE_YAML = Path(__file__).resolve().parents[1] / "codebooks" / "institutional-ethnography.yaml"
PG_URL = os.environ.get("FIELDBENCH_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite file'}"


def _worker_url(url: str) -> str:
    """The PostgreSQL database of this xdist worker: the given one for the first worker
    (and without xdist), `<name>_<worker>` for the others, created if it does not exist."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker in ("", "gw0"):
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def database(tmp_path_factory) -> Iterator[str]:
    """Point the app at a fresh database and migrate it to head."""
    from alembic import command
    from alembic.config import Config

    from app.db import reset_engine

    data_dir = tmp_path_factory.mktemp("data")
    url = _worker_url(PG_URL) if PG_URL else f"sqlite:///{data_dir / 'test.db'}"
    os.environ.update(DATABASE_URL=url, FIELDBENCH_DATA_DIR=str(data_dir),
                      FIELDBENCH_SECRET_KEY=secrets.token_urlsafe(40),
                      # Real argon2 hashes, with the cheapest parameters, to keep tests fast.
                      FIELDBENCH_ARGON2_PROFILE="CHEAPEST",
                      # No background job worker unless a test starts one.
                      FIELDBENCH_WORKER="0")
    if PG_URL:
        _reset_postgres(url)
    reset_engine()
    command.upgrade(Config(str(Path(__file__).resolve().parents[1] / "alembic.ini")), "head")
    yield url
    reset_engine()


@pytest.fixture(autouse=True)
def empty_tables(database) -> Iterator[None]:
    """Each test starts from empty tables (the schema stays)."""
    yield
    from app.db import get_engine
    from app.models import Base

    engine = get_engine()
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(_postgres_emptying(conn, tables))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))


_EMPTYING: dict[str, str] = {}


def _postgres_emptying(conn, tables: list[str]) -> str:
    """One round trip that deletes every row and restarts the id sequences. DELETE on a
    handful of rows is far cheaper than TRUNCATE, which rewrites each table's files."""
    if "sql" not in _EMPTYING:
        sequences = conn.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").scalars()
        _EMPTYING["sql"] = "; ".join(
            [f"DELETE FROM {name}" for name in reversed(tables)]
            + [f"ALTER SEQUENCE {name} RESTART" for name in sequences])
    return _EMPTYING["sql"]


@pytest.fixture
def session():
    from app.db import new_session

    s = new_session()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def app():
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user():
    """Create a committed user: make_user('a@x.org') -> User."""
    from app.accounts import service
    from app.db import transaction

    def make(email: str, password: str = PASSWORD, name: str = ""):
        with transaction() as s:
            return service.create(s, email=email, password=password, name=name)
    return make


@pytest.fixture
def study(make_user):
    """A project 'study' with sites north and south, an owner, a coder, a viewer and an outsider."""
    from app.db import transaction
    from app.projects import service

    users = {role: make_user(f"{role}@example.org") for role in
             ("owner", "coder", "viewer", "outsider")}
    with transaction() as s:
        project = service.create(s, slug="study", name="Study", owner=users["owner"])
        for role in ("coder", "viewer"):
            service.add_member(s, project=project, user=users[role], role=role,
                               by=users["owner"])
        for slug in ("north", "south"):
            service.add_site(s, project=project, slug=slug, name=slug.title(), by=users["owner"],
                             strand="Contextual Safeguarding", governance="statutory",
                             country="England")
    return users


def token_for(client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers with a fresh bearer token."""
    response = client.post("/api/auth/token", data={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def sign_in(client, email: str, password: str = PASSWORD) -> str:
    """Sign the client in through the form; returns the new session's CSRF token."""
    import re

    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    # Signing in starts a new session, so the token rotates: read it from a page.
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


def api_routes(app_or_router):
    """Every APIRoute of the app, including those of included routers (FastAPI nests them)."""
    from fastapi.routing import APIRoute

    for route in app_or_router.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner)
        elif isinstance(route, APIRoute):
            yield route


@pytest.fixture
def coded_study(study):
    """The study with the IE codebook and one fieldnote; returns handy ids."""
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    text = b"Chair: Row seven, scored 14 on the tool.\nSW: She is not engaging.\n"
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        codebook.load(s, project=project, spec=parse_yaml(IE_YAML.read_text()),
                      by=study["owner"])
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="observation")
        doc, _ = documents.ingest(s, project=project, filename="panel.txt", data=text,
                                  meta=meta, by=study["owner"], max_bytes=10**6)
        return {"users": study, "document_id": doc.id, "text": doc.text}


def _wait_until_up(base_url: str, thread: threading.Thread, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped while starting (see the log above)")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the test server did not answer {base_url}/healthz in {seconds:.0f} s")


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[str]:
    """The app on a free local port; yields its base URL."""
    import uvicorn

    from app.main import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    # Handing uvicorn the bound socket leaves no gap in which another process takes the port.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="fieldbench-live-server")
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
