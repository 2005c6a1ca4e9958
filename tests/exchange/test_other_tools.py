"""Import of `.qdpx` files in the shapes NVivo, ATLAS.ti, MAXQDA and QualCoder write
(tests/fixtures/qdpx/, made by make_fixtures.py): what comes over, and what the report says."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.exchange.conftest import import_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "qdpx"


@pytest.fixture
def importer(make_user):
    return make_user("importer@example.org", name="Importer")


def load(name: str, slug: str):
    report = import_bytes((FIXTURES / name).read_bytes(), slug, by_email="importer@example.org")
    return report, contents(slug)


def contents(slug: str) -> dict:
    from app.accounts.models import User
    from app.codebook import service as codebook
    from app.coding.models import Coding
    from app.db import transaction
    from app.documents import service as documents
    from app.memos import service as memos
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug=slug)
        codes = {c.id: c for c in codebook.list_codes(s, project=project)}
        docs = {d.id: d for d in documents.list_for_project(s, project=project)}
        users = {u.id: u for u in s.scalars(select(User))}
        sites = {x.id: x for x in projects.list_sites(s, project=project)}
        codings = list(s.scalars(select(Coding).where(Coding.project_id == project.id)))
        return {
            "project": (project.name, project.description),
            "codes": {c.name: (codes[c.parent_id].name if c.parent_id else None,
                               c.is_category, c.colour) for c in codes.values()},
            "documents": {d.title: (d.text, d.kind, d.date, sites[d.site_id].name)
                          for d in docs.values()},
            "sites": {x.name: x.attributes for x in sites.values()},
            "codings": sorted((docs[c.document_id].title, codes[c.code_id].name, c.quote,
                               users[c.coder_id].name) for c in codings),
            "memos": sorted((memos.target_of(m)[0], m.title, m.body, users[m.author_id].name)
                            for m in memos.list_for_project(s, project=project)),
            "members": sorted((u.name, u.is_active, r)
                              for u, r in projects.list_members(s, project=project)),
            "dates": sorted(c.created_at.replace(tzinfo=None).isoformat() for c in codings),
        }


def test_nvivo(importer):
    report, got = load("nvivo.qdpx", "nvivo")
    assert got["codings"] == [
        ("Chair interview", "Rationing", "Rationing again", "Ann Analyst"),
        ("Chair interview", "Texts", "The form decides who is seen", "Ann Analyst")]
    text, kind, _, site = got["documents"]["Chair interview"]
    assert text.startswith("Interview with a panel chair\n\nI:") and "\r" not in text
    assert site == "North Council" and got["sites"]["North Council"] == {"Region": "North"}
    assert got["codes"]["Rationing"] == ("Anxieties", False, "#33aa33")
    assert got["codes"]["Anxieties"][2] == "#AA3333"
    assert got["memos"] == [("coding", "Rationing memo", "The chair says rationing twice.",
                             "Ann Analyst")]
    assert ("Ann Analyst", False, "coder") in got["members"]
    assert ("Importer", True, "owner") in got["members"]
    assert got["dates"] == ["2023-02-02T09:30:00", "2023-02-02T09:31:00"]
    assert "'Chair interview': positions read as UTF-16 code units." in report.notes
    assert report.counts["codings"] == 2 and report.not_brought_over == []


def test_atlas_ti(importer):
    report, got = load("atlasti.qdpx", "atlas")
    assert got["codings"] == [("Fieldnote 5 May", "Meetings", "The panel met", "Importer"),
                              ("Fieldnote 5 May", "Scores and tools", "read the score aloud",
                               "Importer")]
    assert got["codes"]["Scores and tools"] == (None, False, "")
    assert got["memos"] == [("coding", "", "Ruling relations at work: the tool speaks.",
                             "Importer")]
    assert got["documents"]["Fieldnote 5 May"][3] == "Imported"
    assert any("CRLF as one" in note for note in report.notes)
    dropped = " | ".join(report.dropped())
    assert "zero-length or reversed selections" in dropped
    assert "picture sources (Fieldbench holds text only)" in dropped
    assert any("attributed to you" in note for note in report.notes)


def test_maxqda(importer):
    report, got = load("maxqda.qdpx", "maxqda")
    assert got["codings"] == [
        ("Interview 3", "Cliff edge", "They close the case at eighteen", "MB"),
        ("Panel guidance", "Thresholds", "Scores above 12 are referred", "Importer")]
    import datetime as dt
    assert got["documents"]["Interview 3"][2] == dt.date(2022, 6, 9)
    assert got["documents"]["Panel guidance"][0].startswith("Guidance for panels")
    assert got["codes"]["Thresholds"][2] == "#0080ff"
    assert got["memos"] == [("document", "", "A stark answer.", "MB")]
    assert set(got["sites"]) == {"Imported"}  # nameless cases are per-file variables
    dropped = " | ".join(report.dropped())
    assert "document variable 'Gender'" in dropped
    assert "PDF area selections" in dropped
    assert ("MB", False, "coder") in got["members"]


def test_qualcoder(importer):
    report, got = load("qualcoder.qdpx", "qualcoder")
    assert got["project"] == ("Blame", "A small study of blame.")
    text = got["documents"]["meeting"][0]
    assert text.startswith("Caf\u00e9 meeting")
    assert got["codings"] == [("meeting", "Blame", "felt blamed for the outcome", "default")]
    assert got["codes"]["Persecutory anxieties"][1] is True
    assert got["memos"] == [("document", "Source memo", "Written straight after the meeting.",
                             "default"),
                            ("project", "Journal", "A reflexive journal entry.", "default")]
    assert any("urn:QDA-XML:project:0:4" in note for note in report.notes)
    assert "1 × <Set>: Fieldbench has no place for these" in report.dropped()


def test_placeholders_are_reused_and_cannot_sign_in(importer):
    from app.accounts import service as accounts
    from app.db import transaction

    load("maxqda.qdpx", "first")
    load("maxqda.qdpx", "second")
    with transaction() as s:
        placeholder = accounts.get_by_email(
            s, email="refi-b0000000-0000-4000-8000-000000000001@imported.invalid")
        assert placeholder is not None and not placeholder.is_active
        assert accounts.authenticate(s, email=placeholder.email, password="!") is None
