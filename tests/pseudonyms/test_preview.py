"""The preview form's hidden payload and its checkbox groups."""

import random

import pytest

from app.errors import Invalid
from app.pseudonyms import preview
from app.pseudonyms.preview import Plan
from app.pseudonyms.service import Candidate, Name


def test_files_travel_in_pieces_under_the_form_parsers_field_limit():
    data = random.Random(7).randbytes(2_000_000)    # 2 MB that zlib cannot shrink
    chunks = preview.pack(data)
    assert len(chunks) > 1 and all(len(c) <= preview.CHUNK for c in chunks)
    assert preview.unpack(chunks, limit=len(data)) == data
    with pytest.raises(Invalid):
        preview.unpack(chunks, limit=len(data) - 1)
    with pytest.raises(Invalid):
        preview.unpack(["not base64!"], limit=100)


def test_the_plan_round_trips_and_refuses_damage():
    plan = Plan(files=["a.txt"], candidates=[Candidate(0, "Zoë", 0, 3, "person", "ner", "Zoë")],
                names=[Name("Zoë", "person", "", "Person 1")])
    again = Plan.load(plan.dump())
    assert again.files == ["a.txt"] and again.names == plan.names
    assert (again.candidates[0].text, again.candidates[0].end) == ("Zoë", 3)
    with pytest.raises(Invalid):
        Plan.load(b'{"files": []}')


def test_speaker_labels_group_and_a_large_preview_goes_compact():
    text = "Zoë: hi\nKim: hello Zoë\nZoë: bye\n"
    plan = Plan(files=["a.txt"], names=[Name("Zoë", "person", "", "Person 1")], candidates=[
        Candidate(0, "Zoë", 0, 3, "person", "speaker", "Zoë"),
        Candidate(0, "Zoë", 19, 22, "person", "ner", "Zoë"),
        Candidate(0, "Zoë", 23, 26, "person", "speaker", "Zoë")])
    groups, = preview.groups(plan, [text], compact=False)
    assert [g["value"] for g in groups] == ["0,2", "1"]
    compact, = preview.groups(plan, [text], compact=True)
    assert [g["value"] for g in compact] == ["0,1,2"]
    assert compact[0]["contexts"][1] == ("Zoë: hi Kim: hello ", "Zoë", " Zoë: bye ")
