"""Suggestions from the institutional-ethnography codebook's patterns: pinned passages that
must be suggested (at least one per family), everyday senses that must not be, exact
code-point offsets, the agentless-passive dependency pattern, and paragraph splitting.

The model loads once per test session (the pipeline is cached per process)."""

from __future__ import annotations

from dataclasses import replace
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


# Wording none of the original phrase lists held: the generalised (lemma, token and dependency)
# patterns must still find these. Invented for this test, not taken from any gold set.
GENERALISED = [
    ('RR-TEXT-RISK', 'Points-wise she has dropped to 22, so the tool moves her from red to amber.'),
    ('RR-TEXT-RISK', 'The checklist total for him went up by eight after the last missing episode.'),
    ('RR-TEXT-TRACK', 'The analyst added two more names to the exploitation register before the meeting.'),
    ('RR-TEXT-ELIG', 'Once he turns 18 the team will close him, whatever is happening on the estate.'),
    ('RR-TEXT-ELIG', 'She no longer qualifies for the service because she has moved out of the borough.'),
    ('RR-TEXT-GUIDE', 'The procedure says we must hold a strategy discussion within two working days.'),
    ('RR-TEXT-INSP', 'The performance clinic wants every visit in timescale before the quarter ends.'),
    ('RR-TEXT-FUND', 'The lottery money pays for the mentor until the end of June.'),
    ('RR-DISC-ENG', 'He declined the offer of mentoring twice, so the referral was closed.'),
    ('RR-DISC-LOS', 'The sergeant wants us to map the links between the older lads and the younger ones.'),
    ('RR-DISC-RESP', "It's on Dad to keep her indoors after dark, the manager said."),
    ('RR-DISC-VFM', 'A residential placement costs the council more than the whole youth service.'),
    ('RR-DISC-WW', 'The board wants us to prove the mentoring works before it will fund a second year.'),
    ('RR-WORK', 'I rang round four hostels before nine to find him a bed.'),
    ('RR-WORK-EMO', 'I felt completely helpless driving home after that visit.'),
    ('RR-INT', 'The partnership board wants the numbers; the young people want someone to turn up.'),
    ('DA-FRAG', 'She is on her fifth social worker since the summer.'),
    ('DA-FRAG-LANG', 'Case 14 has had two further missing episodes this month.'),
    ('DA-FRAG-LANG', 'The 15-year-old female was found in a car with two adults.'),
    ('DA-FRAG-INFO', 'Can everyone gather whatever information they have on the older group before next month?'),
    ('DA-RITUAL', 'The plan was marked as complete although nothing had changed for him.'),
    ('DA-ALLOC', 'The boy fell through the gaps between the two teams.'),
    ('DA-ALLOC-UP', "I'll need sign-off from the head of service before we can agree that."),
    ('DA-ALLOC-DOWN', 'If the worker had recorded the visit we would not be having this conversation.'),
    ('DA-ALLOC-OUT', "We'll hand it over to the youth justice service and close our involvement."),
    ('PA-RATION', 'There are no beds anywhere in the county for a sixteen-year-old girl.'),
    ('PA-RATION', 'The youth budget was cut again, so the Friday session has gone.'),
    ('PA-PERF', 'Nobody wants to be the one who lowered her score before the inspection.'),
    ('PA-PART', "Housing didn't send anyone again, and I can't make them come."),
    ('PA-BIND', 'Amira said she was frightened for him. The chair said, "Let\'s move on," and the next name came up.'),
    ('CT-SPACE-ABSENT', 'There is never any time to talk about how a visit like that lands on you.'),
    ('CT-SPACE-PRESENT', 'The group helped me to notice how angry I was, and I went back calmer.'),
    ('CT-SPACE-SOUGHT', 'We have asked the service manager for a monthly reflective session with a psychologist.'),
    ('CT-INFRA', 'I hold thirty-one cases and supervision is once every six weeks.'),
    ('PT-NORM', 'The panel exists to reduce harm to young people at risk outside the home.'),
    ('PT-PERFORM', 'The slides made the project look more successful than it was.'),
    ('IJ-STAGE-DEV', "We're trying it out with one school first and adjusting the format as we go."),
    ('IJ-STAGE-GROW', 'Two neighbouring councils want to adopt the model next year.'),
    ('IJ-ECO-DESTRUCT', "The steering group hasn't met since the chair left."),
    ('CD-READY', 'The chief executive is right behind it, but the police are not yet.'),
    ('CD-OPCAP', 'With three vacancies in the team and high turnover, nobody has time for the pilot.'),
    ('PR-RIGHTS', 'Does he even know that he is on the map?'),
    ('PR-TRAUMA', 'She should not have to repeat her account to a third officer.'),
    ('PR-YOUTH', 'She told me she wants to become a nurse.'),
    ('PR-REL', 'He only talks to me because I kept turning up for two years.'),
    ('PR-WELFARE', 'He was arrested for carrying drugs he had been forced to hold.'),
    ('PR-PARTIC', 'We paid young people to help design the new referral pathway.'),
    ('PR-ANTIOPP', 'Black boys are stopped far more often than their white friends.'),
    # further concepts from the definitions (issue #5, second round), in new wording
    ('PT-EXIST-CARRY', "If I left tomorrow the whole scheme would fold, and everyone knows it."),
    ('PT-EXIST-CARRY', 'If she were off for a fortnight the forum would simply stop.'),
    ('CT-SPACE-PRESENT', 'The facilitator asked what it had been like for him, and he said he felt heard.'),
    ('CT-SPACE-PRESENT', "It was the first time she'd said it aloud, and afterwards she felt less alone with it."),
    ('CT-SPACE-SOUGHT', 'Could we keep this group going, even once a month, just to think?'),
    ('CT-SPACE-ABSENT', 'My supervision is twenty minutes on overdue visits and nothing else.'),
    ('PR-REL', 'She did not want a new worker again after the summer; she has told her story enough.'),
    ('PR-REL', "Her mentor for three years is the one she rings when it goes wrong."),
    ('PR-YOUTH', 'Nobody had thought to find out what he would choose for himself.'),
    ('CD-OPCAP', 'No additional funding has been found, so the scheme runs on one part-time post.'),
    ('CD-OPCAP', 'There was one member of staff on shift for six young people.'),
    ('CD-CULTURE', "Here you're allowed to get it wrong, as long as you say so."),
    ('CD-READY', 'The new director has other priorities, mostly the budget gap.'),
    ('PR-PARTIC', 'The care-experienced panel told the board which parts of the offer had let them down.'),
    ('PR-TRAUMA', 'Nightmares and trouble sleeping started after the assault, she told the nurse.'),
    ('PR-TRAUMA', 'The interview was moved somewhere she chose, with her worker beside her.'),
    ('PR-RIGHTS', 'He asked me not to tell his dad, and I explained what I would have to share and why.'),
    ('PR-DEV', 'The brain keeps developing into the mid twenties, so the care should not stop at 18.'),
    ('PR-ANTIOPP', 'The councillors kept steering the talk to one community and where their families came from.'),
    ('PA-PERF', 'She worried how the numbers would look in the self-evaluation.'),
    ('PA-RATION', 'The home is at capacity, and the only other bed is £5,900 a week.'),
    ('PA-PART', "We can't tell the police what to prioritise; we can only ask."),
    ('PT-PERFORM', 'That one quote has been in every presentation to the board since.'),
    ('PT-PHEN-AVOID', 'When the impact question came up, the discussion moved on to the cover rota.'),
    ('DA-RITUAL', 'Then mark it as actioned and move to the next name.'),
    ('IJ-ECO-DESTRUCT', 'Our sponsor moved to another council and the work just drained away.'),
    ('IJ-ECO-RENEW', "The project is dormant, not finished; someone new will pick it up."),
    ('IJ-ECO-EMERGE', 'The forum began after the review into a young man\'s death in 2019.'),
    ('IJ-MEMORY', 'She left the notes in a folder for whoever comes next.'),
    ('IJ-STAGE-DEV', 'The new plan will be tested in one locality for six months.'),
    ('CT-SYSTEM', 'The director told us that if it is not working she wants to hear it early.'),
    ('PR-TRANS', 'Adult services will only pick her up at 18 if she meets their criteria.'),
]


@pytest.mark.parametrize("code, text", GENERALISED,
                         ids=[f"{c}-{i}" for i, (c, _) in enumerate(GENERALISED)])
def test_generalised_patterns_find_new_wording(suggest, code, text):
    found = suggest(text)
    assert code in keys(found), f"{code} not suggested; got {sorted(keys(found))}"


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
    # the same words again in a second writer's everyday wording
    "The director's cut of the film runs to three hours, and the editor made forty cuts.",
    'Before the session two of the lads argued about the cuts in their music video.',
    'The tracker on my parcel has said "out for delivery" since Monday.',
    'We lost 2-0 at home and the keeper let in two soft goals; the score was embarrassing.',
    'Her brother scored 31 points in the basketball final.',
    'The annual boiler inspection is booked for Thursday morning.',
    "The gas engineer did a safety inspection of the flat's boiler.",
    "The garden fence panel blew into the neighbour's yard again.",
    'My son has just got engaged to his girlfriend of six years.',
    'We took the cut-through behind the shops to get to the bus.',
    'The article was trimmed and a cut was marked for length.',
    'She turned 18 last week and we had a party with a cake.',
    'The supermarket reduced the price of the bread at closing time.',
    'Ticket prices were cut in the January sale.',
    'He spent the afternoon at the garden centre looking at hedge trimmers.',
    'The band played their new single and the crowd sang along.',
    'The weather forecast says there is a high risk of frost tonight.',
    "The film's plot was hard to follow but the soundtrack was engaging.",
    'I put the shopping list on the fridge.',
    'The train was cancelled so we waited forty minutes on the platform.',
    "The chef's knife slipped and she needed two stitches for the cut on her thumb.",
    'Our holiday budget ran out after the first week in Spain.',
    'The hotel was full so we stayed at a campsite.',
    'My fitness tracker says I walked twelve thousand steps.',
    'The cricket team were rated as the best in the league.',
    'The darts match went to a deciding leg and he scored 180.',
    'He read the football scores out loud at breakfast.',
    'The pilot of the helicopter waved to the children.',
    'We trialled a new recipe for the school bake sale.',
    'The kids designed a poster for the school fair.',
    # a third set of everyday senses (issue #5, second round)
    'My sister is training to be a pilot with a budget airline.',
    'Her nephew\'s team were top of the league table.',
    'The dog needs constant supervision around the baby.',
    'She got her eighteenth birthday cake from the bakery.',
    "The bakery's new protocol for allergens is pinned on the wall.",
    'The outcome of the vote was announced at midnight.',
    'The detective found new evidence in the third episode.',
    "Dad's knee operation has a six-month waiting list.",
    'The lottery grant paid for a new roof on the village hall.',
    'The teenager next door plays drums until midnight.',
    'We watched a documentary about trauma surgeons in a big hospital.',
    'He cut his hand on the bread knife and needed three stitches.',
    'The partnership between the two law firms ended in court.',
    "The plumber's contract was only for the bathroom.",
    'The kitten trusts nobody except my daughter.',
    'Scaling the climbing wall took her three attempts.',
    'The garden centre is piloting late-night opening on Fridays.',
    'She was devastated when her team lost the final.',
    'I lay awake worrying about my driving test.',
    'The football manager blamed the referee for the defeat.',
    'My laptop keeps dropping the wifi connection.',
    'She nearly tripped over the threshold of the new office.',
    'The comms team filmed a recruitment video for the final cut.',
    'Confidence in the new timetable is up 30 points in the survey.',
    'They bid on a flat through the housing association.',
    'Eyes on the floor, he mumbled an answer to the teacher.',
    # everyday asides inside fieldnotes, where the practice words around them could mislead
    '[RN: the social worker was late because the bridge was closed for a safety inspection.]',
    "[CR: the psychologist had just come back from her sister's wedding in Cork.]",
    "[Researcher: the team's quiz night raised £300 for the food bank.]",
    '[NO: a colleague announced her engagement, and there was cake.]',
    '[Aside: the car park barrier was broken, so everyone arrived late and flustered.]',
    "[HL: the worker's car failed its MOT on the brakes, so she came by bus.]",
    'Before the meeting the police officer talked about his allotment and the slugs.',
    "[Aside: the team manager's teenager has passed her driving theory test.]",
    "[NO: the chair's allotment committee has cut the water supply to save money.]",
    '[NO: through the window a man was replacing a fence panel in the garden next door.]',
    "[Note: she checked her parcel tracker twice during the break; her trainers are lost in a depot.]",
    "[NO: he tripped on the threshold of the meeting room and spilled his tea.]",
]


@pytest.mark.parametrize("text", MUST_NOT)
def test_must_not_suggest_everyday_senses(suggest, text):
    assert suggest(text) == [], [(f.rule, text[f.start:f.end]) for f in suggest(text)]


@pytest.fixture(scope="session")
def ranked(codes):
    """suggest(text) with the codebook's shipped ranker, as the app runs it."""
    from app.nlp.ranker import ranker_for

    ranker = ranker_for("institutional-ethnography")
    assert ranker is not None

    def run(text: str) -> list[Found]:
        return next(find_suggestions([(1, text)], codes, ranker=ranker))[1]
    return run


@pytest.mark.parametrize("text", MUST_NOT)
def test_the_ranker_adds_nothing_where_a_word_is_used_in_its_everyday_sense(ranked, text):
    """The ranker can add sentences the patterns did not find; never these."""
    assert ranked(text) == [], [(f.rule, text[f.start:f.end]) for f in ranked(text)]


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


def test_a_documents_title_line_is_not_coded(suggest):
    titled = "Fieldnotes: Transitional Safeguarding panel and trauma-informed pilot\nThe YP was not discussed."
    found = suggest(titled)
    assert all(f.start >= titled.index("The YP") for f in found), [(f.rule, f.start) for f in found]
    assert "DA-FRAG-LANG" in keys(found)
    sentence = "The trauma-informed pilot was trialled in two schools."   # ends like a sentence
    assert suggest(sentence) != []


@pytest.mark.parametrize("text", [
    "Everyone went on the trauma-informed course in May.",
    "The Transitional Safeguarding working group meets on Thursdays.",
    "The pilot money pays for the worker until the spring.",
])
def test_the_name_of_an_innovation_is_not_its_principle(suggest, text):
    """A programme's name (trauma-informed, Transitional Safeguarding, the pilot) is not
    the principle or stage being enacted."""
    assert not keys(suggest(text)) & {"PR-TRAUMA", "PR-TRANS", "IJ-STAGE-DEV"}, \
        [(f.rule, text[f.start:f.end]) for f in suggest(text)]


def test_the_interviewers_turns_and_the_list_of_who_was_there_are_not_coded(suggest):
    """The interviewer's prompts are not data, and neither is the header's list of people;
    the participant's answer, and a sentence after the list, still are."""
    interview = ("Interview: Millford youth service\n"
                 "Participant: Ola Brandt, team lead. Interviewer: Kit Marsh. 2 May 2022.\n\n"
                 "Kit: How did the inspection go, and did the risk matrix come up?\n"
                 "Ola: Ofsted are due in the spring, so every file needs to be up to date.\n"
                 "Interviewer: Was there any reflective space for the team?\n")
    found = suggest(interview)
    answer = interview.index("Ofsted")
    assert found and all(answer <= f.start < interview.index("Interviewer: Was")
                         for f in found), [(f.rule, f.start) for f in found]
    assert "RR-TEXT-INSP" in keys(found)
    notes = ("Fieldnotes: Ashdale panel\n\n"
             "Present: Chair (exploitation lead), SW Priya, the reflective practice lead. "
             "Housing sent apologies again, so nobody could speak to the tenancy.\n")
    found = suggest(notes)
    assert keys(found) == {"PA-PART"} and all(f.start >= notes.index("Housing") for f in found)


def test_a_header_block_that_records_the_setting_is_not_coded(suggest):
    """The opening block (up to the first blank line) that names the date, the researcher
    and who was there describes the occasion: nothing in it is suggested, though its words
    (a "Trauma-informed steering group", "supervision record") would fire elsewhere."""
    body = "The chair said the tracker had not been updated since the inspection."
    notes = ("Observation fieldnote: Dunmere Council\n"
             "Meeting: Trauma-informed practice steering group\n"
             "Date: 4 May 2022\nResearcher: R2\n"
             "Present: Jo (chair), the supervision lead, two team managers\n\n" + body + "\n")
    found = suggest(notes)
    assert found and all(f.start >= notes.index(body) for f in found), \
        [(f.rule, notes[f.start:f.end]) for f in found]
    assert suggest(notes[notes.index(body):]) == [
        replace(f, start=f.start - notes.index(body), end=f.end - notes.index(body))
        for f in found]


@pytest.mark.parametrize("opening", [
    # no metadata line: the first block is data
    "The trauma-informed supervision record was read aloud by the chair.\n"
    "Everyone agreed the tracker had been updated.\n\n",
    # a question: speaker turns, not a header
    "Researcher: Did the tracker get updated?\n"
    "Participant: Yes, the trauma-informed supervision record was read aloud.\n\n",
    # no blank line at all: a whole document is not a header
    "Date: 4 May 2022\nThe trauma-informed supervision record was read aloud by the chair.\n",
])
def test_an_opening_block_that_is_not_a_header_is_still_coded(suggest, opening):
    found = suggest(opening)
    assert any(f.start < opening.index("\n", opening.index("trauma")) for f in found), \
        [(f.rule, f.start) for f in found]
