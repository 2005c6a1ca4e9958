"""Suggestions from the institutional-ethnography codebook's patterns: pinned passages that
must be suggested (at least one per family), everyday senses that must not be, exact
code-point offsets, the agentless-passive dependency pattern, and paragraph splitting.

The model loads once per test session (the pipeline is cached per process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.codebook.spec import CodeSpec, parse_yaml
from app.nlp.suggest import Found, find_suggestions, split_units

IE_YAML = Path(__file__).resolve().parents[2] / "codebooks" / "institutional-ethnography.yaml"


@pytest.fixture(scope="session")
def codes() -> list[CodeSpec]:
    return parse_yaml(IE_YAML.read_text(encoding="utf-8"), IE_YAML.name).codes


@pytest.fixture(scope="session")
def suggest(codes):
    """suggest(text) -> list[Found]; the first call loads the model for the session."""
    def run(text: str) -> list[Found]:
        return next(find_suggestions([(1, text)], codes))[1]
    run("Warm up.")
    return run


def keys(found: list[Found]) -> set[str]:
    return {f.code for f in found}


# One or more per family, none of them taken from the demo study or the held-out set.
MUST = [
    ("RR-TEXT-RISK", "Chair: Next is row four, a lad who scored 22 on the screening tool last month."),
    ("RR-TEXT-TRACK", "The risk register was shared on screen and the chair read down the names."),
    ("RR-TEXT-ELIG", "He doesn't meet the threshold for adult services, so it will close."),
    ("RR-TEXT-INSP", "Ofsted are due in the spring, so every file needs to be up to date."),
    ("RR-DISC-ENG", "She's not engaging, so we'll close it at the next review."),
    ("RR-DISC-LOS", "What we need is line of sight on every one of them."),
    ("RR-DISC-VFM", "The commissioner asked whether the mentoring was value for money."),
    ("RR-INT", "It was decided that the referral would be closed."),
    ("DA-FRAG-LANG", "Is the YP still missing from home?"),
    ("DA-FRAG-LANG", "Next, a 16-year-old male, known to the team since March."),
    ("DA-ALLOC-OUT", "Honestly, that's a police matter now."),
    ("DA-ALLOC-UP", "That's one for the director, not for this panel."),
    ("DA-RITUAL", "Updating the plan felt like a tick-box exercise."),
    ("DA-FRAG-INFO", "Has anyone got any more intel on the older boys?"),
    ("PA-RATION", "There's a nine-month waiting list for the counselling service."),
    ("PA-RATION", "We lost three posts in the cuts last spring."),
    ("PA-PERF", "We need to evidence that we've done something before the inspectors arrive."),
    ("PA-PART", "Housing sent apologies again, so nobody could speak to the tenancy."),
    ("CT-SPACE-ABSENT", "There is no reflective space for the team at all."),
    ("CT-SPACE-SOUGHT", "I've asked my manager for clinical supervision twice this year."),
    ("CT-INFRA", "My caseload is twenty-six and supervision keeps being cancelled."),
    ("PT-PERFORM", "We made it look like it works for the annual report."),
    ("PT-EXIST", "That's the job, really: being the one who picks up at midnight."),
    ("IJ-STAGE-DEV", "We're piloting the new approach in two schools this term."),
    ("IJ-STAGE-GROW", "The council wants to roll it out across the county next year."),
    ("IJ-RECUR", "After the first cohort we went back to the drawing board."),
    ("CD-READY", "There's still no buy-in from senior leaders for the new model."),
    ("CD-WIDER", "A decade of austerity has hollowed out what is left."),
    ("PR-TRANS", "When she turns 18 the support from children's services just stops."),
    ("PR-WELFARE", "He's treated as an offender rather than as a victim of exploitation."),
    ("PR-PARTIC", "We co-designed the leaflet with young people from the estate."),
]


@pytest.mark.parametrize("code, text", MUST, ids=[f"{c}-{i}" for i, (c, _) in enumerate(MUST)])
def test_must_suggest(suggest, code, text):
    found = suggest(text)
    assert code in keys(found), f"{code} not suggested; got {sorted(keys(found))}"
    hit = next(f for f in found if f.code == code)
    assert hit.rule.startswith(f"{code}:") and "“" in hit.reason and len(hit.reason) <= 300


# Everyday senses of the codes' words: nothing may be suggested at all.
MUST_NOT = [
    "Her neighbour was finally putting back the fence panel that came down in the storm.",
    "Then I ran a five-a-side session. The score was six four to the younger lot.",
    "We won 3-1 on Saturday and Tyler scored twice.",
    "She scored 92 in her maths test and was over the moon.",
    "The editor has done a rough cut, but there are too many cuts in the first minute.",
    "He came home with cuts and bruises on his knees from the bike.",
    "There was a power cut last night so we ate by candlelight.",
    "I spent most of Saturday at my cousin's engagement party.",
    "It was a really engaging film about whales.",
    "The line was engaged all morning so I gave up.",
    "She stood on the threshold of the room for a full minute deciding whether to come in.",
    "Gail's laptop had decided this was the moment to do updates.",
    "I posted a status update on Facebook about the concert.",
    "The pilot announced that we were starting our descent into Glasgow.",
    "He weighed himself on the bathroom scales.",
    "Luis was still wearing his reflective cycling jacket when he asked about the rota.",
    "There's no parking space outside the office on Mondays.",
    "I bought a new phone case. In that case we'll meet at six, just in case it rains.",
    "My fitness tracker counted my typing as steps.",
    "We took the dog to the park on Sunday.",
    "The budget airline lost my bag on the way to Malaga.",
    "The sandwich was good value for money.",
    "What works for you on Thursday?",
    "The kids had no supervision at the swimming pool.",
    "We rolled out the pastry and cut out the shapes.",
    "The boiler inspection is on Monday.",
    "The restaurant has a five-star hygiene rating.",
    "He stepped down from the bus outside the library.",
    "The stadium's capacity is forty thousand.",
    "The baby didn't sleep last night.",
    "My daughter turns 18 next week and we're having a party.",
    "She is studying graphic design at college.",
    "The restaurant had a waiting list for tables on Friday.",
    "There's a high risk of rain this afternoon.",
    "Sorry, my fault, I spilled the coffee.",
    "It was an oversight on my part; I forgot to book the room.",
    "The driver's line of sight was blocked by a van.",
    "Her brother-in-law studies law.",
    "The crown court trial starts next month.",
    "Who owns the red car outside?",
    "I'll pick them up from the station.",
]


@pytest.mark.parametrize("text", MUST_NOT)
def test_must_not_suggest_everyday_senses(suggest, text):
    assert suggest(text) == [], [(f.rule, text[f.start:f.end]) for f in suggest(text)]


def test_agentless_passive_but_not_a_named_decider(suggest):
    for text in ("It was decided at the strategic group that reviews move to monthly.",
                 "It has been agreed that the case steps down.",
                 "A decision was made to close the referral."):
        found = [f for f in suggest(text) if f.rule.startswith("RR-INT:")]
        assert found, text
        assert found[0].start == 0 and found[0].end == len(text)
    for text in ("The chair decided that reviews move to monthly.",
                 "It was decided by the chair that reviews move to monthly.",
                 "A decision was made by the strategic group to close the referral."):
        assert "RR-INT" not in keys(suggest(text)), text


def test_offsets_are_code_points_into_the_original_text(suggest):
    text = ("Zoë 😀🎉: notes from Siân’s visit.\n\n"
            "Naïve café talk 👋🏽🧑‍⚖️ first.\nChair Siân: It was decided 🤷 that Jódie’s referral closes.\n"
            "Renée: She’s not engaging 🙃 with the plan.")
    found = suggest(text)
    decided = "It was decided 🤷 that Jódie’s referral closes."
    engaging = "She’s not engaging 🙃 with the plan."
    spans = {(f.code, text[f.start:f.end]) for f in found}
    assert ("RR-INT", decided) in spans
    assert ("RR-DISC-ENG", engaging) in spans
    hit = next(f for f in found if f.code == "RR-INT")
    assert (hit.start, hit.end) == (text.index(decided), text.index(decided) + len(decided))


def test_one_result_per_input_in_order_and_identical_spans_deduplicated(codes):
    texts = [(30, "Nothing to see here."), (10, "The YP is not engaging. The YP is not engaging."),
             (20, ""), (5, "There is a waiting list for CAMHS.")]
    results = list(find_suggestions(texts, codes, batch_size=2))
    assert [doc_id for doc_id, _ in results] == [30, 10, 20, 5]
    assert results[0][1] == [] and results[2][1] == []
    found = results[1][1]
    assert len({(f.code, f.start, f.end) for f in found}) == len(found)
    assert {f.code for f in found} >= {"DA-FRAG-LANG", "RR-DISC-ENG"}
    starts = [f.start for f in found if f.code == "RR-DISC-ENG"]
    assert starts == [0, 24]


def test_snap_match_and_clause(codes):
    spec = [CodeSpec(key="X-MATCH", name="m", definition="d", patterns=[
                {"id": "m", "reason": "r", "phrases": ["waiting list"], "snap": "match"}]),
            CodeSpec(key="X-CLAUSE", name="c", definition="d", patterns=[
                {"id": "c", "reason": "r", "phrases": ["waiting list"], "snap": "clause"}]),
            CodeSpec(key="X-PARA", name="p", definition="d", patterns=[
                {"id": "p", "reason": "r", "phrases": ["waiting list"], "snap": "paragraph",
                 "requires": ["camhs"]}])]
    text = ("Intro line.\n\nThe school rang again, and there is a long waiting list for CAMHS, "
            "but the family moved anyway. Second sentence.")
    found = {f.code: text[f.start:f.end] for f in next(find_suggestions([(1, text)], spec))[1]}
    assert found["X-MATCH"] == "waiting list"
    assert "waiting list for CAMHS" in found["X-CLAUSE"]
    assert "The school rang again" not in found["X-CLAUSE"]
    assert found["X-PARA"] == text[text.index("The school"):]


def test_unless_and_requires(codes):
    spec = [CodeSpec(key="X", name="x", definition="d", patterns=[
                {"id": "u", "reason": "r", "tokens": [{"LEMMA": "score"}, {"LIKE_NUM": True}],
                 "unless": ["five-a-side", "goal*"]}]),
            CodeSpec(key="Y", name="y", definition="d", patterns=[
                {"id": "q", "reason": "r", "phrases": ["tool"], "requires": ["screening"]}])]
    texts = [(1, "She scored 14 on the screening tool."), (2, "He scored 3 goals."),
             (3, "We played five-a-side and I scored 2."), (4, "Pass me the tool.")]
    found = dict(find_suggestions(texts, spec))
    assert {f.rule for f in found[1]} == {"X:u", "Y:q"}
    assert found[2] == [] and found[3] == [] and found[4] == []


def test_no_patterns_means_no_model_and_empty_results():
    spec = [CodeSpec(key="X", name="x", definition="d")]
    assert list(find_suggestions([(1, "text"), (2, "more")], spec)) == [(1, []), (2, [])]


def test_two_processes_give_the_same_suggestions(codes):
    texts = [(i, f"Chair: Row {i}. She scored {i + 10} on the screening tool. "
                 "It was decided that she is not engaging.") for i in range(40)]
    one = list(find_suggestions(texts, codes, n_process=1, batch_size=8))
    two = list(find_suggestions(texts, codes, n_process=2, batch_size=8))
    assert one == two and all(found for _, found in one)


def test_split_units_paragraphs_turns_and_wrapped_lines():
    text = ("Present: Chair, SW Amira.\n\n"
            "Chair: Row seven.\nDS Patel: Stopped twice\nsince March.\n"
            "A wrapped PDF line that runs\non into the next one.\n\n"
            "| 2020 | Mobilising |\n| 2021 | Piloting |\n"
            "3.2 A numbered clause.\n12/05/2021  A dated entry.\n"
            "Chair:\n")
    units = [text[s:e] for s, e in split_units(text)]
    assert units == ["Present: Chair, SW Amira.", "Row seven.", "Stopped twice\nsince March.",
                     "A wrapped PDF line that runs\non into the next one.",
                     "| 2020 | Mobilising |", "| 2021 | Piloting |", "3.2 A numbered clause.",
                     "12/05/2021  A dated entry."]


def test_split_units_cuts_long_paragraphs_at_sentence_ends():
    sentence = "The panel reviewed the tracker and agreed the actions for the month. "
    text = sentence * 200
    units = split_units(text)
    assert len(units) > 1 and all(e - s <= 3000 for s, e in units)
    assert all(text[s:e].startswith("The panel") for s, e in units)
    assert units[0][0] == 0 and units[-1][1] == len(text.rstrip())
