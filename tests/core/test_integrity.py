"""Integrity rules held by the schema itself, not only by the services."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent, AuditLogIsAppendOnly
from app.db import transaction
from app.documents.models import Document, Speaker, Turn
from app.projects.models import Project, Site


def test_document_site_must_belong_to_its_project(study):
    with transaction() as s:
        other = Project(slug="other", name="Other")
        s.add(other)
        s.flush()
        other_site = Site(project_id=other.id, slug="x", name="X")
        s.add(other_site)
        s.flush()
        study_id = s.scalar(select(Project.id).where(Project.slug == "study"))
        ids = (study_id, other_site.id)
    with pytest.raises(IntegrityError), transaction() as s:
        s.add(Document(project_id=ids[0], site_id=ids[1], kind="interview", title="t",
                       original_filename="t.txt", format="txt", original_bytes=b"x",
                       content_hash="0" * 64, text="x", word_count=1))


def test_unknown_kind_and_empty_turn_are_refused(study):
    with transaction() as s:
        site = s.scalar(select(Site).where(Site.slug == "north"))
        values = dict(project_id=site.project_id, site_id=site.id, title="t",
                      original_filename="t.txt", format="txt", original_bytes=b"x",
                      content_hash="1" * 64, text="hello", word_count=1)
    with pytest.raises(IntegrityError), transaction() as s:
        s.add(Document(kind="gossip", **values))
    with pytest.raises(IntegrityError), transaction() as s:
        doc = Document(kind="interview", **values)
        s.add(doc)
        s.flush()
        speaker = Speaker(project_id=site.project_id, name="Chair")
        s.add(speaker)
        s.flush()
        s.add(Turn(document_id=doc.id, speaker_id=speaker.id, start=3, end=3))


def test_audit_log_is_append_only(study):
    with transaction() as s:
        event = s.scalar(select(AuditEvent).limit(1))
        assert event is not None
        event.action = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
        s.rollback()
    with transaction() as s:
        s.delete(s.scalar(select(AuditEvent).limit(1)))
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
        s.rollback()


def test_every_json_endpoint_documents_its_errors(app):
    schema = app.openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert codes - {"200", "201", "422"}, f"{method} {path} documents no error"


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
