"""REFI-QDA codebook exchange (app/codebook/refi.py): export validity, stable GUIDs, lossless
round trips, and tolerant import of what NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette
write (tests/fixtures/refi/, shaped after shared/refi-qda/NOTES.md).

The schema is read from shared/refi-qda/Codebook.xsd beside the repository (never copied in).
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from pathlib import Path

import pytest
from lxml import etree

from app.codebook.refi import (NS, code_guid, export_qdc, import_qdc, normalise_colour,
                               pack_description, unpack_description)
from app.codebook.spec import CodebookError, CodebookSpec, CodeSpec, check, parse_yaml

HERE = Path(__file__).resolve()
XSD_PATH = HERE.parents[3] / "shared" / "refi-qda" / "Codebook.xsd"
CODEBOOK_PATH = HERE.parents[2] / "codebooks" / "institutional-ethnography.yaml"
FIXTURES = HERE.parents[1] / "fixtures" / "refi"
TAGUETTE_NS = uuid.UUID("51B2B2B7-27EB-4ECB-9D56-E75B0A0496C2")
Q = f"{{{NS}}}"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not XSD_PATH.exists():
        reason = f"REFI-QDA Codebook.xsd not found at {XSD_PATH} (shared/ sits beside the repo)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


@pytest.fixture(scope="module")
def real() -> CodebookSpec:
    return parse_yaml(CODEBOOK_PATH.read_text(encoding="utf-8"), str(CODEBOOK_PATH))


@pytest.fixture(scope="module")
def real_qdc(real) -> bytes:
    return export_qdc(real)


def assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    doc = etree.fromstring(data)
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)


def content(code: CodeSpec) -> dict:
    data = code.content()
    data.pop("patterns")
    return data


def small_spec(**extra) -> CodebookSpec:
    codes = [CodeSpec(key="RP", name="Resource pressures", is_category=True,
                      definition="Scarcity as people describe it.", colour="#2364A2"),
             CodeSpec(key="RP-RATION", name="Rationing", parent="RP",
                      definition="Deciding who gets a scarce service.", **extra)]
    return CodebookSpec(key="demo", name="Demo", codes=codes)


def imported(name: str) -> tuple[CodebookSpec, list[str], dict[str, CodeSpec]]:
    spec, notes = import_qdc((FIXTURES / name).read_bytes(), filename=name)
    return spec, notes, spec.by_key()


# ---------------------------------------------------------------- export

def test_export_of_real_codebook_is_valid(schema, real_qdc):
    assert real_qdc.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    real_qdc.decode("utf-8")
    assert not real_qdc.startswith(b"\xef\xbb\xbf")
    assert_valid(schema, real_qdc)


def test_one_code_element_per_codespec_nested_by_parent(real, real_qdc):
    root = etree.fromstring(real_qdc)
    elements = root.findall(f".//{Q}Code")
    assert len(elements) == len(real.codes) == 87
    index = real.by_key()
    for element in elements:
        key = element.find(f"{Q}Description").text.rsplit("Key: ", 1)[1]
        parent = element.getparent()
        parent_key = (parent.find(f"{Q}Description").text.rsplit("Key: ", 1)[1]
                      if parent.tag == f"{Q}Code" else None)
        assert parent_key == index[key].parent
        assert element.get("name") == index[key].name
        assert element.get("color") == (index[key].colour or None)


def test_categories_are_not_codable(real, real_qdc):
    elements = etree.fromstring(real_qdc).iter(f"{Q}Code")
    flags = {e.get("name"): e.get("isCodable") for e in elements}
    assert sorted(n for n, flag in flags.items() if flag == "false") == sorted(
        c.name for c in real.codes if c.is_category)
    assert sum(flag == "false" for flag in flags.values()) == 8
    assert set(flags.values()) == {"true", "false"}


def test_no_empty_elements(real_qdc):
    root = etree.fromstring(real_qdc)
    assert root.find(f"{Q}Sets") is None
    assert len(root.find(f"{Q}Codes")) > 0
    for element in root.iter(f"{Q}Description"):
        assert element.text and element.text.strip()
    for element in root.iter():
        assert len(element) or (element.text or "").strip()


def test_origin_and_header(real, real_qdc):
    root = etree.fromstring(real_qdc)
    assert root.get("origin") == "Fieldbench 0.1"
    other = etree.fromstring(export_qdc(real, origin="Fieldbench 9"))
    assert other.get("origin") == "Fieldbench 9"
    pi = root.getprevious()
    assert pi.target == "fieldbench" and "institutional-ethnography" in pi.text


def test_description_layout():
    code = CodeSpec(key="RP-RATION", name="Rationing", definition="Short.",
                    full_definition="Longer text.", when_to_use="A decision.",
                    when_not_to_use="Budget talk.", example='"We can\'t fund it."',
                    citation="Chapter Six", patterns=["rationing"])
    assert pack_description(code) == (
        "Short.\n\nLonger text.\n\nWhen to use: A decision.\n\nWhen not to use: Budget talk."
        "\n\nExample: \"We can't fund it.\"\n\nSource: Chapter Six\n\nKey: RP-RATION")
    sparse = CodeSpec(key="X", name="X", definition="Only this.", citation="Ch 1")
    assert pack_description(sparse) == "Only this.\n\nSource: Ch 1\n\nKey: X"


def test_patterns_are_not_exported(schema):
    spec = small_spec(patterns=[r"\bpanel said no\b"])
    data = export_qdc(spec)
    assert_valid(schema, data)
    assert b"panel said no" not in data
    assert import_qdc(data)[0].by_key()["RP-RATION"].patterns == []


def test_code_without_description_text_has_no_empty_description(schema):
    spec = small_spec()
    spec.codes.append(CodeSpec(key="RP-BARE", name="Bare", parent="RP"))
    data = export_qdc(spec)
    assert_valid(schema, data)
    descriptions = [e.text for e in etree.fromstring(data).iter(f"{Q}Description")]
    assert len(descriptions) == 3 and all(text and text.strip() for text in descriptions)
    assert "Key: RP-BARE" in descriptions
    back, notes = import_qdc(data)
    assert back.by_key()["RP-BARE"].definition == "Bare"
    assert notes == ["1 code had no description; its name stands in as definition."]


@pytest.mark.parametrize("change, message", [
    ({"parent": "NOPE"}, "unknown parent 'NOPE'"),
    ({"colour": "red"}, "is not #RRGGBB"),
    ({"guid": "not-a-guid"}, "is not a GUID"),
    ({"key": "RP"}, "the key is used 2 times"),
])
def test_export_refuses_what_the_schema_cannot_hold(change, message):
    spec = small_spec()
    spec.codes[1] = dataclasses.replace(spec.codes[1], **change)
    with pytest.raises(CodebookError, match=message):
        export_qdc(spec)


def test_export_refuses_cycles_and_empty_codebooks():
    spec = small_spec()
    spec.codes[0].parent = "RP-RATION"
    with pytest.raises(CodebookError, match="cycle"):
        export_qdc(spec)
    with pytest.raises(CodebookError, match="no codes"):
        export_qdc(CodebookSpec(key="empty", name="Empty"))


def test_export_drops_characters_xml_cannot_carry(schema):
    data = export_qdc(small_spec(example="bell\x07 here"))
    assert_valid(schema, data)
    assert import_qdc(data)[0].by_key()["RP-RATION"].example == "bell here"


# ---------------------------------------------------------------- GUIDs

def test_guids_are_stable_and_well_formed(real, real_qdc):
    first = [e.get("guid") for e in etree.fromstring(real_qdc).iter(f"{Q}Code")]
    again = [e.get("guid") for e in etree.fromstring(export_qdc(real)).iter(f"{Q}Code")]
    assert first == again and len(set(first)) == len(first)
    assert first[0] == code_guid(real.key, real.codes[0].key)
    assert all(str(uuid.UUID(g)) == g for g in first)  # lower case, no braces
    assert code_guid("a", "X") == code_guid("a", "X") != code_guid("b", "X") != code_guid("a", "Y")
    assert uuid.UUID(code_guid("a", "X")).version == 5


def test_code_guid_set_is_kept(schema):
    spec = small_spec(guid="{6F9619FF-8B86-D011-B42D-00C04FC964FF}")
    spec.codes[0].guid = "0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b"
    data = export_qdc(spec)
    assert_valid(schema, data)
    guids = [e.get("guid") for e in etree.fromstring(data).iter(f"{Q}Code")]
    assert guids == ["0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b",
                     "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"]
    back = import_qdc(data)[0].by_key()
    assert back["RP-RATION"].guid == "6f9619ff-8b86-d011-b42d-00c04fc964ff"  # same GUID


# ---------------------------------------------------------------- round trip

def test_round_trip_gives_equal_codes(real, real_qdc):
    back, notes = import_qdc(real_qdc, filename="anything.qdc")
    assert notes == []
    assert check(back, "anything.qdc") == []
    expected = {c.key: content(c) | {"guid": c.guid or code_guid(real.key, c.key)}
                for c in real.codes}
    assert {c.key: content(c) for c in back.codes} == expected
    for name in ("key", "name", "version", "description", "source"):
        assert getattr(back, name) == getattr(real, name)


def test_round_trip_export_again_is_identical(real, real_qdc):
    back, _ = import_qdc(real_qdc)
    assert export_qdc(back) == real_qdc


def test_round_trip_keeps_multi_paragraph_fields_and_guids():
    spec = small_spec(guid="1d5e2f3a-4b6c-4d7e-8f90-a1b2c3d4e5f6",
                      full_definition="First para.\n\nSecond para.",
                      example="Line one.\n\nExample: a second example.", citation="Ch 2")
    back = import_qdc(export_qdc(spec))[0]
    assert content(back.by_key()["RP-RATION"]) == content(spec.codes[1])


# ---------------------------------------------------------------- tool fixtures

TOOLS = ["nvivo.qdc", "atlasti.qdc", "maxqda.qdc", "qualcoder.qdc", "taguette.qdc"]


@pytest.mark.parametrize("name", TOOLS)
def test_tool_fixture_imports_and_checks(name, schema):
    spec, notes, _ = imported(name)
    assert spec.key == name.removesuffix(".qdc") and spec.name == spec.key
    assert check(spec, name) == []
    assert all(c.definition and c.guid for c in spec.codes)
    assert not any("Unknown" in note for note in notes)
    again, again_notes = import_qdc(export_qdc(spec), filename=name)  # and ours is valid
    assert_valid(schema, export_qdc(spec))
    assert [content(c) for c in again.codes] == [content(c) for c in spec.codes]
    assert again_notes == []


@pytest.mark.parametrize("name, valid", [("qualcoder.qdc", True), ("atlasti.qdc", True),
                                         ("maxqda.qdc", True), ("nvivo.qdc", False),
                                         ("taguette.qdc", False)])
def test_tool_fixtures_keep_their_quirks(name, valid, schema):
    """NVivo's namespace drift and Taguette's empty <Sets/> make those files invalid."""
    assert schema.validate(etree.fromstring((FIXTURES / name).read_bytes())) is valid


def test_nvivo():
    spec, notes, codes = imported("nvivo.qdc")
    assert [c.key for c in spec.codes] == [
        "THRESHOLDS", "RATIONING", "RISK-SCORES", "OTHER", "MULTI-AGENCY-WORKING",
        "MULTI-AGENCY-HAND-OFFS", "LOST-IN-HAND-OFF", "OTHER-2", "REFLECTIVE-SUPERVISION"]
    assert codes["OTHER"].parent == "THRESHOLDS"
    assert codes["OTHER-2"].parent == "MULTI-AGENCY-WORKING"
    assert codes["LOST-IN-HAND-OFF"].parent == "MULTI-AGENCY-HAND-OFFS"
    assert codes["MULTI-AGENCY-HAND-OFFS"].parent == "MULTI-AGENCY-WORKING"
    assert not any(c.is_category for c in spec.codes)  # NVivo parents are codable nodes
    assert codes["THRESHOLDS"].colour == "#3366CC" and codes["OTHER"].colour == ""
    assert codes["RATIONING"].definition == "Deciding who gets a scarce service."
    assert codes["RATIONING"].full_definition.endswith("not the wider budget talk.")
    assert codes["RATIONING"].full_definition.startswith("Deciding who gets")
    assert codes["RISK-SCORES"].full_definition == ""  # one paragraph: no copy
    assert codes["OTHER"].definition == "Other"
    assert codes["RATIONING"].guid == "7c0ac4b1-cec6-4c4f-8af2-0f68236ce7e9"
    assert notes == [
        "The file uses namespace 'urn:QDA-XML:codebook:1:0' instead of "
        "'urn:QDA-XML:codebook:1.0'; it was read as REFI-QDA codebook 1.0.",
        "2 codes had no description; their name stands in as definition."]


def test_atlasti():
    spec, notes, codes = imported("atlasti.qdc")
    assert [c.key for c in spec.codes] == ["RATIONING", "RISK-SCORES", "MULTI-AGENCY-HAND-OFFS",
                                           "ZOES-CASE-NOTES", "SAFETY-PLANNING"]
    assert all(c.parent is None and not c.is_category and c.colour == "" for c in spec.codes)
    assert codes["ZOES-CASE-NOTES"].name == "Zoë's case notes"
    assert codes["ZOES-CASE-NOTES"].definition == "Zoë's case notes"
    assert codes["RATIONING"].guid == "84b3fa64-ab1b-4b4e-ab1c-6b6c050487bb"
    assert codes["RATIONING"].definition == "Deciding who gets a scarce service and who waits."
    assert notes == [
        "Sets are not imported: 2 set(s) left out (Resource pressures, Working together); "
        "Fieldbench has no code sets.",
        "1 code had no description; its name stands in as definition."]


def test_maxqda():
    spec, notes, codes = imported("maxqda.qdc")
    assert {c.key: c.parent for c in spec.codes} == {
        "RESOURCE-PRESSURES": None, "RATIONING": "RESOURCE-PRESSURES",
        "WAITING-LISTS": "RESOURCE-PRESSURES", "RISK": None, "RISK-SCORES": "RISK",
        "MULTI-AGENCY-HAND-OFFS": None, "SAFETY-PLANNING": None}
    assert not any(c.is_category for c in spec.codes)
    assert codes["RATIONING"].colour == "#e5372d"
    assert codes["RISK-SCORES"].definition.startswith("A numeric score")
    assert codes["RISK-SCORES"].full_definition.endswith('belongs here.')
    assert codes["RISK"].definition == "Risk"
    assert codes["SAFETY-PLANNING"].guid == "2e0b14f6-6e3d-42f5-8265-9021a80d2d97"
    assert notes == ["3 codes had no description; their name stands in as definition."]


def test_qualcoder():
    data = (FIXTURES / "qualcoder.qdc").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    spec, notes, codes = imported("qualcoder.qdc")
    assert {c.key: (c.parent, c.is_category) for c in spec.codes} == {
        "RESOURCE-PRESSURES": (None, True), "WAITING-LISTS": ("RESOURCE-PRESSURES", True),
        "RATIONING": ("WAITING-LISTS", False), "PANEL-GATEKEEPING": ("RATIONING", False),
        "RATIONING-ANXIETY": ("WAITING-LISTS", False), "RISK-TOOLS": (None, True),
        "RISK-SCORES": ("RISK-TOOLS", False), "MULTI-AGENCY-HAND-OFFS": (None, False)}
    assert codes["RATIONING"].colour == "#EB7333" and codes["RISK-TOOLS"].colour == ""
    assert codes["RATIONING"].definition == "Deciding who gets a scarce service and who waits."
    assert "holding" in codes["RATIONING"].full_definition
    assert codes["RATIONING-ANXIETY"].guid == "d208fb40-13cd-44c5-8842-c7a975366fea"
    assert notes == ["3 codes had no description; their name stands in as definition."]


def test_taguette():
    spec, notes, codes = imported("taguette.qdc")
    assert [c.key for c in spec.codes] == ["RATIONING", "RISK-SCORES", "RISK-SCORES-2",
                                           "MULTI-AGENCY-HAND-OFFS", "WAITING-LISTS"]
    assert all(c.parent is None and not c.is_category for c in spec.codes)
    for code in spec.codes:  # upper-case uuid5 of the tag path, kept as the same GUID
        assert code.guid == str(uuid.uuid5(TAGUETTE_NS, code.name))
        assert code.definition == code.name and code.full_definition == ""
    assert codes["RISK-SCORES-2"].name == "Risk-scores"
    assert notes == ["5 codes had no description; their name stands in as definition."]


# ---------------------------------------------------------------- refused files

def test_malformed_is_refused():
    with pytest.raises(CodebookError) as err:
        import_qdc((FIXTURES / "malformed.qdc").read_bytes(), filename="malformed.qdc")
    assert err.value.problems[0].startswith("malformed.qdc:6: not well-formed XML")


def test_entities_are_refused_without_expansion():
    started = time.monotonic()
    with pytest.raises(CodebookError) as err:
        import_qdc((FIXTURES / "entities.qdc").read_bytes(), filename="entities.qdc")
    assert time.monotonic() - started < 2
    assert "entities.qdc: refused: the file declares XML entities" in err.value.problems[0]
    assert "lollol" not in str(err.value)


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE CodeBook [<!ENTITY who "a small entity">]>',
    '<!DOCTYPE CodeBook [<!ENTITY who SYSTEM "file:///etc/passwd">]>'])
def test_any_declared_entity_is_refused(doctype):
    data = (f'<?xml version="1.0"?>{doctype}<CodeBook xmlns="{NS}"><Codes><Code guid='
            f'"4d1c0b7e-2f3a-4c5d-8e9f-0a1b2c3d4e5f" name="&who;" isCodable="true"/></Codes>'
            '</CodeBook>').encode()
    with pytest.raises(CodebookError, match="declares XML entities"):
        import_qdc(data, filename="x.qdc")


def test_not_a_codebook_is_refused():
    with pytest.raises(CodebookError) as err:
        import_qdc((FIXTURES / "not_a_codebook.qdc").read_bytes(), filename="not_a_codebook.qdc")
    assert err.value.problems == [
        "not_a_codebook.qdc: not a REFI-QDA codebook: the root element is <Project>, not "
        "<CodeBook>. This is a REFI-QDA project; export a codebook (.qdc) from your QDA "
        "software instead."]


@pytest.mark.parametrize("data, message", [
    (b"", "not well-formed XML"),
    (b"<rss version='2.0'><channel/></rss>", "the root element is <rss>"),
    (f'<CodeBook xmlns="{NS}"><Codes/></CodeBook>'.encode(), "has no codes"),
])
def test_other_bad_files(data, message):
    with pytest.raises(CodebookError, match=message):
        import_qdc(data, filename="bad.qdc")


# ---------------------------------------------------------------- tolerant details

def test_tolerant_import_of_odd_shapes():
    data = b"""<?xml version="1.0"?>
<CodeBook origin="Somewhere"><Codes>
  <Code guid="{0B5E7A2C-9D4F-4E1A-8C3B-2A1F0E9D8C7B}" name="Rationing anxiety" color="#abc">
    <Description>Worry about saying no.&#13;&#10;&#13;&#10;Second paragraph.</Description>
    <NoteRef targetGUID="0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b"/>
    <Code guid="bad" name="Zo&#235;'s code" isCodable="0" color="rgb(10, 20, 30)"/>
    <Code name="Zoes code" isCodable="true" color="#11223344"/>
  </Code>
  <Code guid="0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b" name="Rationing-anxiety" color="blue"/>
  <Code guid="6f9619ff-8b86-d011-b42d-00c04fc964ff" name="  "/>
</Codes><Graphs/></CodeBook>"""
    spec, notes = import_qdc(data, filename="From the team.qdc")
    assert (spec.key, spec.name) == ("from-the-team", "From the team")
    assert check(spec) == []
    codes = spec.codes
    assert [c.key for c in codes] == ["RATIONING-ANXIETY", "ZOES-CODE", "ZOES-CODE-2",
                                      "RATIONING-ANXIETY-2", "UNNAMED-CODE"]
    assert [c.colour for c in codes] == ["#aabbcc", "#0a141e", "#112233", "", ""]
    assert [c.parent for c in codes] == [None, "RATIONING-ANXIETY", "RATIONING-ANXIETY",
                                         None, None]
    assert [c.is_category for c in codes] == [False, True, False, False, False]
    assert codes[0].guid == "0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b"
    assert codes[1].guid == code_guid("from-the-team", "ZOES-CODE")
    assert codes[3].guid == code_guid("from-the-team", "RATIONING-ANXIETY-2")  # repeated
    assert codes[0].definition == "Worry about saying no."
    assert codes[0].full_definition == "Worry about saying no.\n\nSecond paragraph."
    assert codes[4].name == "Unnamed code"
    assert notes == [
        "The file uses namespace '(none)' instead of 'urn:QDA-XML:codebook:1.0'; it was read "
        "as REFI-QDA codebook 1.0.",
        "Unknown elements ignored: <Graphs> (1), <NoteRef> (1).",
        "3 codes had a missing, invalid or repeated GUID; new stable GUIDs were made.",
        "Colours that could not be read were left out: 'Rationing-anxiety' (blue)",
        "1 code had no name; now called 'Unnamed code'.",
        "4 codes had no description; their name stands in as definition."]


@pytest.mark.parametrize("value, expected", [
    ("#1f5f8b", "#1f5f8b"), ("#ABC", "#AABBCC"), ("1F5F8B", "#1F5F8B"),
    ("#1f5f8bff", "#1f5f8b"), ("rgb(255, 0, 16)", "#ff0010"), ("RGBA(1,2,3,0.5)", "#010203"),
    ("", ""), ("rgb(300,0,0)", None), ("hsl(0, 50%, 50%)", None), ("#12345", None)])
def test_normalise_colour(value, expected):
    assert normalise_colour(value) == expected


def test_unpack_description_reads_our_sections_and_plain_text():
    fields, key = unpack_description(
        "Short.\n\nWhen to use: A decision.\n\nExample: One.\n\nTwo.\n\nKey: RP-RATION")
    assert key == "RP-RATION"
    assert fields == {"definition": "Short.", "full_definition": "", "when_to_use": "A decision.",
                      "example": "One.\n\nTwo."}
    assert unpack_description("Plain text.\n\nMore.") == (
        {"definition": "Plain text.", "full_definition": "Plain text.\n\nMore."}, None)
    assert unpack_description("") == ({"definition": "", "full_definition": ""}, None)


def test_our_key_lines_win_and_bad_ones_are_replaced():
    data = f"""<CodeBook xmlns="{NS}"><Codes>
      <Code guid="0b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b" name="Rationing" isCodable="true">
        <Description>Deciding.\n\nKey: RP-RATION</Description></Code>
      <Code guid="1b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b" name="Rationing copy" isCodable="true">
        <Description>Copied in another tool.\n\nKey: RP-RATION</Description></Code>
      <Code guid="2b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b" name="Odd" isCodable="true">
        <Description>Hand-edited.\n\nKey: ODD!KEY</Description></Code>
      <Code guid="3b5e7a2c-9d4f-4e1a-8c3b-2a1f0e9d8c7b" name="Foreign" isCodable="true">
        <Description>Not ours.\n\nKey: two words</Description></Code>
    </Codes></CodeBook>""".encode()
    spec, notes = import_qdc(data)
    assert [c.key for c in spec.codes] == ["RP-RATION", "RATIONING-COPY", "ODD", "FOREIGN"]
    assert spec.codes[1].definition == "Copied in another tool."
    assert spec.codes[2].definition == "Hand-edited."
    assert spec.codes[3].full_definition == "Not ours.\n\nKey: two words"  # not our Key line
    assert notes == [
        "Code 'Rationing copy': key 'RP-RATION' is not usable (invalid or used twice); a new "
        "key was made from its name.",
        "Code 'Odd': key 'ODD!KEY' is not usable (invalid or used twice); a new key was made "
        "from its name."]


def test_key_slugs():
    names = ["Rationing anxiety", "Zoë's code", "Rationing  anxiety!", "日本", "x" * 80]
    data = (f'<CodeBook xmlns="{NS}"><Codes>' + "".join(
        f'<Code guid="{uuid.uuid4()}" name="{n}" isCodable="true"/>' for n in names)
        + "</Codes></CodeBook>").encode()
    keys = [c.key for c in import_qdc(data)[0].codes]
    assert keys == ["RATIONING-ANXIETY", "ZOES-CODE", "RATIONING-ANXIETY-2", "CODE", "X" * 56]
