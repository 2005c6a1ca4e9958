"""Pseudonymised import through the services: consistency, roles, turns, formats, audit."""

import pytest

from app.db import transaction
from app.documents.service import DocumentMeta
from app.errors import Conflict
from app.projects import service as projects
from app.pseudonyms import importing, service
from app.pseudonyms.service import Name
from tests.pseudonyms.conftest import (FIELDNOTE, INGEST, REAL_NAMES, TRANSCRIPT, audit_text,
                                       documents, register)


def import_file(study, filename, data, site="north", kind="observation", **kw):
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        meta = DocumentMeta(site=projects.get_site(s, project=project, slug=site), kind=kind,
                            title=kw.pop("title", ""))
        outcome = importing.import_one(s, project=project, by=study["owner"], filename=filename,
                                       data=data, meta=meta, max_bytes=10**6, **kw)
        return outcome.replacements, outcome.new_entries


def add(study, name, category="person", role="", pseudonym=None):
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        return service.add(s, project=project, by=study["owner"], real_name=name,
                           category=category, role_hint=role, pseudonym=pseudonym).pseudonym


def test_the_same_name_gets_the_same_pseudonym_across_documents_and_sites(study):
    import_file(study, "fieldnote.txt", FIELDNOTE, site="north")
    first = register()
    assert first["Jordan Smith"].startswith("Person ") and first["Paisley"].startswith("Place ")
    second = "Jordan Smith and Zoë went back to Paisley.\nZoë's mum was there too.\n"
    replaced, new = import_file(study, "south.txt", second.encode(), site="south")
    assert new == 0 and replaced == 4 and register() == first
    (_, _), (doc, _) = documents()
    assert doc.text == (f"{first['Jordan Smith']} and {first['Zoë']} went back to "
                        f"{first['Paisley']}.\n{first['Zoë']}'s mum was there too.")


def test_first_names_take_the_full_names_pseudonym_within_a_document(study):
    with transaction() as s:   # a site's own (pseudonymous) name is left alone
        project = projects.get_project_or_raise(s, slug="study")
        projects.add_site(s, project=project, slug="riverbank", name="Riverbank",
                          by=study["owner"], strand="Contextual Safeguarding",
                          governance="voluntary", country="Scotland")
    import_file(study, "fieldnote.txt", FIELDNOTE)
    (doc, _), = documents()
    yp = register()["Jordan Smith"]
    assert f"{yp} arrived late" in doc.text and f"{yp}'s placement" in doc.text
    assert f"In March, {yp} told me" in doc.text
    assert not any(name in doc.text for name in REAL_NAMES)
    assert "Riverbank Youth Centre" in doc.text and "The Social Worker" in doc.text


def test_role_hints_choose_the_label(study):
    assert add(study, "Jordan Smith", role="young person") == "Young person 1"
    assert add(study, "Kim Lee", role="young person") == "Young person 2"
    assert add(study, "Siobhán Gallacher", role="social worker") == "Social worker A"
    assert add(study, "Ann Ray", role="parent") == "Parent 1"
    assert add(study, "Bob Dee", role="police officer") == "Police officer A"
    assert add(study, "Paisley", category="place") == "Place 1"
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        names = service.settle(s, project=project, names=[
            Name("Tom Fox", "person", "social worker"), Name("Jordan Smith", "person", "parent"),
            Name("Amy Roe", "person", "", "Young person 2"), Name("Al Day", "person", "", "Al")])
    assert names["Tom Fox"].pseudonym == "Social worker B"
    assert names["Jordan Smith"].pseudonym == "Young person 1"   # the register wins
    assert names["Amy Roe"].pseudonym == "Young person 2"    # an alias of Kim Lee's
    assert names["Al Day"].pseudonym == "Al"


def test_register_refuses_a_name_or_pseudonym_twice(study):
    add(study, "Zoë", pseudonym="Young person 7")
    with pytest.raises(Conflict):
        add(study, "Zoë")
    with pytest.raises(Conflict):
        add(study, "Kim", pseudonym="Young person 7")


def test_speaker_turns_carry_the_pseudonym_not_the_real_name(study):
    add(study, "Siobhán Gallacher", role="social worker")
    import_file(study, "transcript.txt", TRANSCRIPT, kind="interview")
    (doc, turns), = documents()
    speakers = [name for name, _ in turns]
    yp = register()["Jordan Smith"]
    assert speakers == ["Social worker A", yp, "Chair", "Social worker A"]
    assert doc.text.startswith(f"Social worker A: {yp}, can you tell")
    assert "Social worker A, anything to add?" in doc.text   # bare first name, same person
    assert not any(name.encode() in doc.original_bytes for name in REAL_NAMES)
    assert doc.original_bytes == doc.text.encode()


def test_captions_keep_their_timings(study):
    import_file(study, "teams.vtt", (INGEST / "teams.vtt").read_bytes(), kind="interview")
    (doc, turns), = documents()
    assert doc.original_filename == "teams.vtt" and doc.format == "vtt"
    assert [t.time_start_ms for _, t in turns] == [1000, 9500, 16500]
    assert [name for name, _ in turns] == ["Person 1", "Person 2", "Person 1"]
    assert "Priya" not in doc.text and "Tomás" not in doc.text


def test_other_formats_are_stored_as_pseudonymised_text(study):
    import_file(study, "notes.docx", (INGEST / "notes.docx").read_bytes())
    (doc, turns), = documents()
    assert doc.original_filename == "notes.txt" and doc.format == "txt"
    assert "Dr. Person 1: The health" in doc.text and "Ahmed" not in doc.text
    assert [name for name, _ in turns] == ["Chair", "Dr. Person 1", "YP"]


def test_names_in_the_file_name_and_title_are_replaced(study):
    import_file(study, "case_file_jordan_2022.txt", b"Jordan Smith missed school.\n",
                title="Jordan Smith: case file")
    (doc, _), = documents()
    assert doc.original_filename == "case_file_person-1_2022.txt"
    assert doc.title == "Person 1: case file"


def test_known_only_replaces_only_registered_names(study):
    add(study, "Zoë", role="young person")
    replaced, new = import_file(study, "fieldnote.txt", FIELDNOTE, known_only=True)
    (doc, _), = documents()
    assert (replaced, new) == (2, 0) and "Young person 1's key worker" in doc.text
    assert "Jordan Smith" in doc.text and list(register()) == ["Zoë"]


def test_audit_events_never_name_real_people(study):
    add(study, "Siobhán Gallacher", role="social worker")
    import_file(study, "fieldnote.txt", FIELDNOTE, title="Jordan's panel")
    import_file(study, "transcript.txt", TRANSCRIPT, kind="interview", site="south")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        entry = service.register_of(s, project=project)["Dundee"]
        service.delete(s, project=project, by=study["owner"], entry_id=entry.id)
    logged = audit_text()
    assert "pseudonym.add" in logged and "pseudonym.delete" in logged
    assert "document.pseudonymise" in logged
    for name in REAL_NAMES:
        assert name not in logged, name


def test_csv_export_lists_the_register():
    from types import SimpleNamespace as Row

    text = service.csv_text([Row(id=1, real_name="Siobhán Ó Briain, Jr", pseudonym="Person 1",
                                 category="person", role_hint="", created_at=None)])
    assert text.splitlines() == ["id,real_name,pseudonym,category,role_hint,created_at",
                                 '1,"Siobhán Ó Briain, Jr",Person 1,person,,']
