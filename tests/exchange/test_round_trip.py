"""Export → .qdpx → import into a new project gives the same project; the export is valid."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from tests.exchange.conftest import describe, export_bytes, import_bytes

NS = "{urn:QDA-XML:project:1.0}"


def test_export_is_valid_against_the_schema(demo, schema):
    data = export_bytes(demo["slug"])
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(archive.read("project.qde"))
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    names = archive.namelist()
    assert names[0] == "project.qde"
    sources = root.findall(f"{NS}Sources/{NS}TextSource")
    assert len(sources) == len(names) - 1 == 13
    for source in sources:
        guid = source.get("guid")
        assert source.get("plainTextPath") == f"internal://{guid}.txt"
        text = archive.read(f"sources/{guid}.txt")
        assert not text.startswith(b"\xef\xbb\xbf") and b"\r" not in text


def test_positions_are_code_points_end_exclusive(demo):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(demo["slug"])))
    root = etree.fromstring(archive.read("project.qde"))
    checked = 0
    for source in root.iter(f"{NS}TextSource"):
        text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
        for sel in source.iter(f"{NS}PlainTextSelection"):
            quote = text[int(sel.get("startPosition")):int(sel.get("endPosition"))]
            assert quote.startswith(sel.get("name"))
            checked += 1
    assert checked > 40
    emoji = [s for s in root.iter(f"{NS}PlainTextSelection")
             if s.get("name") == "rationing again"]
    assert emoji and int(emoji[0].get("startPosition")) == 31  # ë (NFC) and 😀 count one each


def test_export_is_reproducible_and_has_no_empty_wrappers(demo):
    first, second = export_bytes(demo["slug"]), export_bytes(demo["slug"])
    assert first == second
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(first)).read("project.qde"))
    for wrapper in ("Users", "Codes", "Variables", "Cases", "Sources", "Notes", "Links"):
        for element in root.iter(NS + wrapper):
            assert len(element), wrapper
    for stamp in root.xpath("//@creationDateTime | //@modifiedDateTime"):
        assert stamp.endswith("Z") and len(stamp) == 20


def test_round_trip_gives_the_same_project(demo):
    report = import_bytes(export_bytes(demo["slug"]), "innovate-copy")
    before, after = describe(demo["slug"]), describe("innovate-copy")
    for part in ("description", "documents", "sites", "codes", "codings", "memos", "people"):
        assert after[part] == before[part], part
    assert report.not_brought_over == [], report.lines()
    assert report.counts["documents"] == 13 and report.counts["memos"] == 5
    assert report.counts["codings"] == sum(before["codings"].values())


def test_round_trip_keeps_code_guids_dates_and_roles(demo):
    from sqlalchemy import select

    from app.codebook.models import Code
    from app.coding.models import Coding
    from app.db import transaction
    from app.projects import service as projects

    import_bytes(export_bytes(demo["slug"]), "innovate-copy")
    with transaction() as s:
        old = projects.get_project_or_raise(s, slug=demo["slug"])
        new = projects.get_project_or_raise(s, slug="innovate-copy")
        guids = [set(s.scalars(select(Code.guid).where(Code.project_id == p.id)))
                 for p in (old, new)]
        assert guids[0] == guids[1]
        stamps = [sorted(c.created_at.replace(tzinfo=None, microsecond=0) for c in s.scalars(
            select(Coding).where(Coding.project_id == p.id))) for p in (old, new)]
        assert stamps[0] == stamps[1]
        roles = dict((u.email, r) for u, r in projects.list_members(s, project=new))
        assert roles == {"demo@fieldbench.example": "owner", "zoe@example.org": "coder"}
        assert all(c.origin == "imported" for c in s.scalars(
            select(Coding).where(Coding.project_id == new.id)))


def test_import_refuses_an_existing_slug(demo):
    import pytest

    from app.errors import Conflict

    with pytest.raises(Conflict, match="already exists"):
        import_bytes(export_bytes(demo["slug"]), demo["slug"])


def test_the_copy_s_tallies_match_its_codings(demo):
    from sqlalchemy import func, select

    from app.db import transaction
    from app.projects import service as projects
    from app.projects.models import Site
    from app.retrieval import tallies
    from app.retrieval.models import SiteCodeTally

    import_bytes(export_bytes(demo["slug"]), "innovate-copy")

    def counts(s, project):
        return sorted(s.execute(select(SiteCodeTally.code_id, func.sum(SiteCodeTally.excerpts))
                                .join(Site, Site.id == SiteCodeTally.site_id)
                                .where(Site.project_id == project.id)
                                .group_by(SiteCodeTally.code_id)).all())
    with transaction() as s:
        copy = projects.get_project_or_raise(s, slug="innovate-copy")
        stored = counts(s, copy)
        tallies.rebuild(s, project=copy)
        assert stored == counts(s, copy) and stored


def test_a_variable_only_later_documents_have_is_declared_before_the_sources(study, schema):
    """Sources are written one at a time, so the documents' variables are declared first:
    one the first document lacks (an undated note, then a dated one) is still there."""
    import datetime as dt

    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        site = projects.get_site(s, project=project, slug="north")
        for name, date in (("undated.txt", None), ("dated.txt", dt.date(2022, 3, 9))):
            documents.ingest(s, project=project, filename=name,
                             data=f"Chair: Hello from {name}.\n".encode(),
                             meta=documents.DocumentMeta(site=site, kind="observation",
                                                         date=date, researcher=""),
                             by=study["owner"], max_bytes=10**6)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(export_bytes("study")))
                            .read("project.qde"))
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    declared = {v.get("name") for v in root.iter(f"{NS}Variable")}
    assert "Document date" in declared and "Researcher" not in declared
    dates = [v.findtext(f"{NS}DateValue") for v in root.iter(f"{NS}VariableValue")
             if v.find(f"{NS}DateValue") is not None]
    assert dates == ["2022-03-09"]
