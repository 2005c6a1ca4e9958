"""Helpers for the pseudonymisation tests (spaCy is loaded once per process by
app.pseudonyms.detect, so every test here shares one pipeline)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tests.conftest import FIXTURES

PSEUDO = FIXTURES / "pseudonyms"
INGEST = FIXTURES / "ingest"
FIELDNOTE = (PSEUDO / "fieldnote.txt").read_bytes()
TRANSCRIPT = (PSEUDO / "transcript.txt").read_bytes()
# Every real name in the fixtures: none may reach a document, a speaker or the audit log.
REAL_NAMES = ("Jordan", "Smith", "Siobhán", "Gallacher", "Zoë", "Paisley", "Dundee",
              "Barnardo", "Briain", "Strathclyde", "Glasgow")


def counts() -> dict[str, int]:
    """Rows per table that a preview must not touch."""
    from app.audit.models import AuditEvent
    from app.db import new_session
    from app.documents.models import Document, Speaker
    from app.pseudonyms.models import PseudonymEntry

    with new_session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Document, Speaker, PseudonymEntry, AuditEvent)}


def register() -> dict[str, str]:
    from app.db import new_session
    from app.pseudonyms.models import PseudonymEntry

    with new_session() as s:
        return {e.real_name: e.pseudonym for e in s.scalars(select(PseudonymEntry))}


def audit_text() -> str:
    """Every audit event, as one string to search for real names."""
    from app.audit.models import AuditEvent
    from app.db import new_session

    with new_session() as s:
        return "\n".join(json.dumps([e.action, e.object_type, e.detail], ensure_ascii=False)
                         for e in s.scalars(select(AuditEvent)))


def documents() -> list:
    """(document, [(speaker name, turn)]) for every stored document."""
    from app.db import new_session
    from app.documents import service
    from app.documents.models import Document

    with new_session() as s:
        docs = list(s.scalars(select(Document).order_by(Document.id)))
        for d in docs:
            d.original_bytes  # noqa: B018  (deferred: load it before the session closes)
        return [(d, [(sp.name, t) for t, sp in service.turns_of(s, document=d)]) for d in docs]


class FormReader(HTMLParser):
    """The fields a browser would send from the page's pseudonymisation form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.checkboxes: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                self.checkboxes.append((a["name"], a.get("value", "on")))
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            else:
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._chosen = True

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chosen:
                self.fields.append((self._select, self._first or ""))
            self._select = None


def confirm_form(html: str) -> dict[str, list[str]]:
    """The confirmation form's fields as a browser sends them (checked boxes only)."""
    start = html.rindex("<form", 0, html.index('class="pseudonymise"'))
    reader = FormReader()
    reader.feed(html[start:html.index("</form>", start)])
    out: dict[str, list[str]] = {}
    for name, value in reader.fields:
        out.setdefault(name, []).append(value)
    return out


@pytest.fixture
def owner_headers(client, study):
    from tests.conftest import token_for

    return token_for(client, "owner@example.org")
