"""Finding names: spaCy's entities, speaker labels and the register; labels; apply."""

import pytest

from app.errors import Invalid
from app.pseudonyms.detect import find_names
from app.pseudonyms.labels import Labeller, check_pseudonym
from app.pseudonyms.service import Candidate, apply
from tests.pseudonyms.conftest import FIELDNOTE, TRANSCRIPT

NOTE = FIELDNOTE.decode()
TALK = TRANSCRIPT.decode()


def spans(found):
    return {(f.text, f.category) for f in found}


def test_people_places_and_organisations_in_a_fieldnote():
    found = find_names(NOTE, {}, ignore={"Riverbank"})
    assert {("Jordan Smith", "person"), ("Siobhán Gallacher", "person"), ("Zoë", "person"),
            ("Ó Briain", "person"), ("Paisley", "place"), ("Dundee", "place"),
            ("Glasgow Central Station", "place"), ("Strathclyde Police", "organisation"),
            ("Glasgow City Council", "organisation")} <= spans(found)
    for f in found:
        assert NOTE[f.start:f.end] == f.text


def test_roles_months_days_and_the_sites_own_names_are_not_proposed():
    texts = {f.text for f in find_names(NOTE, {}, ignore={"Riverbank"})}
    for word in ("Chair", "Social Worker", "The Social Worker", "Tuesday", "March", "May",
                 "mum", "Ms", "Riverbank Youth Centre", "Riverbank"):
        assert word not in texts


def test_possessives_keep_their_s_and_first_names_go_with_the_full_name():
    found = find_names(NOTE, {}, ignore={"Riverbank"})
    jordans = [f for f in found if f.text == "Jordan"]
    assert len(jordans) == 2 and {f.key for f in jordans} == {"Jordan Smith"}
    possessive = NOTE.index("Jordan's")
    assert any(f.start == possessive and f.end == possessive + 6 for f in jordans)
    assert {f.category for f in jordans} == {"person"}   # spaCy says GPE for one of them
    zoe = NOTE.index("Zoë's")
    assert any(f.start == zoe and f.end == zoe + 3 for f in found)


def test_speaker_labels_are_names_and_roles_are_not():
    found = find_names(TALK, {})
    labels = [f for f in found if f.source == "speaker"]
    assert {f.text for f in labels} >= {"Siobhán Gallacher", "Jordan Smith"}
    assert all(TALK[f.end] == ":" and (f.start == 0 or TALK[f.start - 1] == "\n")
               for f in labels if f.text != "Siobhán")
    assert "Chair" not in {f.text for f in found}
    bare = [f for f in found if f.text in ("Jordan", "Siobhán")]
    assert bare and {f.key for f in bare} <= {"Jordan Smith", "Siobhán Gallacher"}


def test_register_names_match_whole_words_case_sensitive_longest_first():
    text = ("Zoë's friend Zoëy met zoë and Zoë Ann.\n"
            "Siobhán Gallacher: hello\nZoë-Ann: hi\nSiobhán Gallacher: bye\n")
    register = {"Zoë": "person", "Zoë Ann": "person", "Siobhán Gallacher": "person"}
    found = find_names(text, register, use_ner=False)
    got = [(f.text, f.start, f.source) for f in found if f.source == "register"]
    assert got == [("Zoë", 0, "register"), ("Zoë Ann", text.index("Zoë Ann"), "register"),
                   ("Siobhán Gallacher", text.index("Siobhán"), "register"),
                   ("Siobhán Gallacher", text.rindex("Siobhán"), "register")]


def test_a_new_full_name_goes_with_a_registered_first_name():
    found = find_names("Later Jordan Smith phoned the office.", {"Jordan": "person"})
    assert [(f.text, f.key) for f in found if "Jordan" in f.text] == [("Jordan Smith", "Jordan")]


def test_labels_number_people_and_letter_professionals():
    labeller = Labeller({"Person 1", "Person 3", "Social worker A", "Young person 2",
                         "Police officer Z"})
    assert labeller.next("person") == "Person 4"
    assert labeller.next("person") == "Person 5"
    assert labeller.next("person", "social worker") == "Social worker B"
    assert labeller.next("person", "young person") == "Young person 3"
    assert labeller.next("person", "parent") == "Parent 1"
    assert labeller.next("person", "police officer") == "Police officer AA"
    assert labeller.next("place") == "Place 1"
    assert labeller.next("organisation") == "Organisation 1"


@pytest.mark.parametrize("bad", ["", "person 1", "Date 3", "Person: 1", "Tom & Jerry", "X" * 41,
                                 "One two three four five six"])
def test_pseudonyms_must_read_as_names_and_speaker_labels(bad):
    with pytest.raises(Invalid):
        check_pseudonym(bad)
    assert check_pseudonym("  Young   person 3 ") == "Young person 3"


def test_apply_replaces_right_to_left():
    text = "Jordan's mum met Zoë in Paisley."
    decisions = [Candidate(0, "Zoë", 17, 20, "person", "ner", "Zoë", "Person 2"),
                 Candidate(0, "Jordan", 0, 6, "person", "ner", "Jordan", "Young person 1"),
                 Candidate(0, "Paisley", 24, 31, "place", "ner", "Paisley", "Place 1")]
    assert apply(text, decisions) == "Young person 1's mum met Person 2 in Place 1."
    with pytest.raises(Invalid):
        apply(text, decisions + [Candidate(0, "Jor", 0, 3, "person", "ner", "J", "P")])


def test_a_long_line_is_fed_in_pieces_with_true_offsets():
    text = "Jordan Smith went to Paisley with Zoë. " * 150   # one 5,850-character line
    found = find_names(text, {})
    assert all(text[f.start:f.end] == f.text for f in found)
    assert sum(f.key == "Jordan Smith" for f in found) == 150
    assert sum(f.text == "Paisley" for f in found) == 150


def test_months_at_the_start_of_a_name_are_kept_and_titles_dropped():
    found = find_names("May Smith and Mum Zoë Ray met Dr. Kim Lee.", {})
    assert [f.text for f in found] == ["May Smith", "Zoë Ray", "Kim Lee"]
