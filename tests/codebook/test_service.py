"""Loading, versioning and evolving a codebook, with codings carried along."""

import pytest
from sqlalchemy import func, select

from app.codebook import evolve
from app.codebook import service as codebook
from app.codebook.spec import CodebookError, parse_yaml
from app.coding import service as coding
from app.coding.models import Coding
from app.db import transaction
from app.documents.models import Document
from app.errors import Conflict, Invalid
from app.projects import service as projects
from tests.codebook.conftest import IE_YAML


def project(s):
    return projects.get_project_or_raise(s, slug="study")


def code_span(s, data, key, phrase):
    doc = s.get(Document, data["document_id"])
    start = doc.text.index(phrase)
    return coding.create(s, project=project(s), document=doc, code_key=key, start=start,
                         end=start + len(phrase), by=data["users"]["coder"])


def test_load_creates_version_one_with_every_code(coded_study):
    with transaction() as s:
        version = codebook.current_version(s, project=project(s))
        spec = codebook.to_spec(s, project=project(s))
    assert version.number == 1 and version.key == "institutional-ethnography"
    assert len(spec.codes) == len(parse_yaml(IE_YAML.read_text()).codes)
    assert spec.family_of("DA-FRAG") == "DA"


def test_reloading_the_same_file_changes_nothing(coded_study):
    with transaction() as s:
        changes = codebook.preview(s, project=project(s), spec=parse_yaml(IE_YAML.read_text()))
    assert changes.empty


def test_load_diff_and_retire_missing_codes(coded_study):
    text = IE_YAML.read_text().replace("name: Rationing anxieties\n", "name: Rationing of care\n", 1)
    spec = parse_yaml(text)
    spec.codes = [c for c in spec.codes if c.key != "PA-PART"]
    with transaction() as s:
        code_span(s, coded_study, "PA-PART", "She is not engaging")
        version, changes = codebook.load(s, project=project(s), spec=spec,
                                         by=coded_study["users"]["owner"])
        assert changes.removed == ["PA-PART"] and changes.changed == {"PA-RATION": ["name"]}
        assert codebook.get_code(s, project=project(s), key="PA-PART").status == "retired"
        assert s.scalar(select(func.count()).select_from(Coding)) == 1
        assert version.number == 2
        old_new = codebook.compare_versions(s, project=project(s), old=1, new=2)
        assert old_new.removed == ["PA-PART"] and "PA-RATION" in old_new.changed


def test_bad_file_reports_line_and_key_and_loads_nothing(coded_study):
    text = IE_YAML.read_text()
    broken = text.replace("key: PA-PERF\n", "key: PA-RATION\n", 1)
    with pytest.raises(CodebookError) as err:
        parse_yaml(broken, "ie.yaml")
    assert any("duplicate key" in p and "PA-RATION" in p and p.startswith("ie.yaml:")
               for p in err.value.problems)


def test_codings_record_the_version(coded_study):
    with transaction() as s:
        first = code_span(s, coded_study, "RR-TEXT", "scored 14 on the tool")
        evolve.edit_code(s, project=project(s), by=coded_study["users"]["owner"],
                         key="RR-TEXT", definition="Texts that coordinate work.")
        second = code_span(s, coded_study, "RR-TEXT", "Row seven")
        assert second.codebook_version_id != first.codebook_version_id


def test_rename_and_merge_keep_every_coding(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        a = code_span(s, coded_study, "PA-RATION", "scored 14")
        b = code_span(s, coded_study, "PA-PERF", "Row seven")
        evolve.rename(s, project=project(s), by=owner, key="PA-RATION", new_key="PA-RATIONING",
                      new_name="Rationing anxiety")
        target = evolve.merge(s, project=project(s), by=owner, key="PA-PERF",
                              into="PA-RATIONING")
        s.flush()
        assert {s.get(Coding, a.id).code_id, s.get(Coding, b.id).code_id} == {target.id}
        merged = codebook.get_code(s, project=project(s), key="PA-PERF")
        assert merged.status == "retired" and merged.merged_into_id == target.id


def test_move_refuses_a_cycle(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        evolve.move(s, project=project(s), by=owner, key="RR-TEXT-RISK", parent="DA")
        assert codebook.to_spec(s, project=project(s)).family_of("RR-TEXT-RISK") == "DA"
        with pytest.raises(Invalid, match="inside"):
            evolve.move(s, project=project(s), by=owner, key="RR-TEXT", parent="RR-TEXT-TRACK")


def test_split_leaves_codings_with_the_original(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        kept = code_span(s, coded_study, "DA-FRAG", "She is not engaging")
        parts = evolve.split(s, project=project(s), by=owner, key="DA-FRAG", parts=[
            {"key": "DA-FRAG-WORKER", "name": "Worker changes", "definition": "Churn."}])
        assert parts[0].split_from_id == s.get(Coding, kept.id).code_id


def test_retired_code_cannot_be_applied_but_keeps_codings(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        code_span(s, coded_study, "DA-RITUAL", "Row seven")
        evolve.retire(s, project=project(s), by=owner, key="DA-RITUAL")
        with pytest.raises(Invalid, match="retired"):
            code_span(s, coded_study, "DA-RITUAL", "scored 14")
        assert evolve.coding_count(s, code=codebook.get_code(s, project=project(s),
                                                             key="DA-RITUAL")) == 1


def test_delete_with_codings_needs_confirmation(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        code_span(s, coded_study, "PA-BIND", "Row seven")
        with pytest.raises(Conflict, match="1 codings"):
            evolve.delete(s, project=project(s), by=owner, key="PA-BIND")
        assert evolve.delete(s, project=project(s), by=owner, key="PA-BIND", confirm=True) == 1
        assert s.scalar(select(func.count()).select_from(Coding)
                        .where(Coding.deleted_at.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Coding)) == 1


def test_blank_or_mismatched_coding_is_refused(coded_study):
    with transaction() as s:
        doc = s.get(Document, coded_study["document_id"])
        kwargs = dict(project=project(s), document=doc, code_key="RR-TEXT",
                      by=coded_study["users"]["coder"])
        with pytest.raises(Invalid, match="white space"):
            coding.create(s, start=doc.text.index("\n"), end=doc.text.index("\n") + 1, **kwargs)
        with pytest.raises(Conflict, match="does not match"):
            coding.create(s, start=0, end=5, quote="Other", **kwargs)
        with pytest.raises(Invalid, match="category"):
            coding.create(s, **{**kwargs, "code_key": "DA"}, start=0, end=5)


def test_merge_refuses_a_target_inside_the_source_or_retired(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        with pytest.raises(Invalid, match="inside"):
            evolve.merge(s, project=project(s), by=owner, key="RR-TEXT", into="RR-TEXT-RISK")
        with pytest.raises(Invalid, match="inside"):
            evolve.merge(s, project=project(s), by=owner, key="RR-TEXT", into="RR-TEXT")
        evolve.retire(s, project=project(s), by=owner, key="PA-PERF")
        with pytest.raises(Invalid, match="retired"):
            evolve.merge(s, project=project(s), by=owner, key="PA-PART", into="PA-PERF")
        with pytest.raises(Invalid, match="retired"):
            evolve.move(s, project=project(s), by=owner, key="PA-PART", parent="PA-PERF")


def test_no_op_changes_make_no_version_and_split_makes_one(coded_study):
    owner = coded_study["users"]["owner"]
    with transaction() as s:
        before = codebook.current_version(s, project=project(s)).number
        evolve.rename(s, project=project(s), by=owner, key="DA-FRAG", new_key="DA-FRAG")
        code = codebook.get_code(s, project=project(s), key="DA-FRAG")
        parent = s.get(type(code), code.parent_id).key
        evolve.move(s, project=project(s), by=owner, key="DA-FRAG", parent=parent)
        assert codebook.current_version(s, project=project(s)).number == before
        evolve.split(s, project=project(s), by=owner, key="DA-FRAG", parts=[
            {"key": "DA-FRAG-A", "name": "A", "definition": "a."},
            {"key": "DA-FRAG-B", "name": "B", "definition": "b."}])
        assert codebook.current_version(s, project=project(s)).number == before + 1


def test_delete_keeps_a_code_that_has_memos(coded_study):
    from app.memos import service as memos

    owner = coded_study["users"]["owner"]
    with transaction() as s:
        code = codebook.get_code(s, project=project(s), key="PA-BIND")
        memos.create(s, project=project(s), by=owner, kind="analytic", body="Why it binds.",
                     code=code)
        evolve.delete(s, project=project(s), by=owner, key="PA-BIND")
        assert codebook.get_code(s, project=project(s), key="PA-BIND").status == "retired"


def test_a_codebook_read_twice_gives_each_reader_its_own_copy():
    """parse_yaml keeps what it read: a caller changing its spec changes no one else's."""
    first = parse_yaml(IE_YAML.read_text())
    first.codes[0].name = "Changed"
    first.codes.pop()
    again = parse_yaml(IE_YAML.read_text())
    assert again.codes[0].name != "Changed"
    assert len(again.codes) == len(first.codes) + 1
