"""A small hand-built corpus whose right answers are worked out by hand in the tests.

Sites: north, south (Contextual Safeguarding, statutory; from `study`) and east
(Transitions, voluntary). Speakers: Chair (Chair, Council), SW (Social Worker, Council),
PC (Police, Police), YP (no role, no agency). Codebook: families RR, DA, PA; RR-TEXT (a
codable parent of RR-TEXT-RISK), RR-DISC, DA-FRAG, DA-RITUAL, PA-RATION, PA-PERF; version 2
adds PA-PART. c1-c9 are coded under version 1, the rest under version 2.

  D1 north interview 2021-03-10 "wave 1" "Panel interview"
     Chair: We ration places by age and the panel scored her risk.
            c1 PA-RATION "We ration places by age" (owner)
            c3 RR-TEXT "places by age and the panel" (owner, suggested): overlaps c1, c2
            c2 RR-TEXT-RISK "the panel scored her risk" (coder); 5 characters after c1
     SW:    The form says she is not engaging with the plan.
            c4 DA-FRAG "she is not engaging" (coder; has a memo)
            c5 RR-DISC "not engaging with the plan" (coder): overlaps c4, c20
     PC:    The police report arrived late again.
            c20 RR-DISC "the plan.\\nPC: The police" (coder): in the SW and PC turns
            c6 PA-PERF "The police report arrived late" (owner, imported): overlaps c20
  D2 north observation 2021-09-15 "wave 1" "Library observation" (no turns)
     c7 RR-TEXT-RISK and c8 DA-RITUAL (owner, coder) on "The risk tool was scored twice";
     c9 PA-RATION "Nobody asked the young person" (owner), 2 characters after c7
  D3 south case_file 2022-02-01 "wave 2" "Case file Jordan"
     SW: c10 PA-RATION "Eligibility criteria exclude anyone over eighteen" (coder),
         c11 RR-TEXT "Eligibility criteria" (owner);
     YP: c12 DA-FRAG "Nobody listens to me" (coder); Chair: c13 DA-RITUAL (owner)
  D4 east interview 2022-06-20 "wave 2" "Station interview"
     PC: c14 RR-TEXT-RISK "The exploitation risk is high" (owner), c15 PA-PERF "near the
         station" (coder): same turn, 1 character apart; Chair: c16 PA-RATION (owner)
  D5 east reflective_group, no date, no period, "Team reflections"
     SW: c17 DA-FRAG (coder), c19 DA-RITUAL (owner, removed); Chair: c18 PA-PART (coder)
"""

from __future__ import annotations

import datetime as dt

import pytest

DOCS = {
    "D1": ("north", "interview", dt.date(2021, 3, 10), "wave 1", "Panel interview",
           "Chair: We ration places by age and the panel scored her risk.\n"
           "SW: The form says she is not engaging with the plan.\n"
           "PC: The police report arrived late again.\n"),
    "D2": ("north", "observation", dt.date(2021, 9, 15), "wave 1", "Library observation",
           "The panel met in the old library. The risk tool was scored twice. Nobody asked "
           "the young person what she wanted.\n"),
    "D3": ("south", "case_file", dt.date(2022, 2, 1), "wave 2", "Case file Jordan",
           "SW: Eligibility criteria exclude anyone over eighteen.\n"
           "YP: Nobody listens to me at these meetings.\n"
           "Chair: We will revisit the safety plan in six weeks.\n"),
    "D4": ("east", "interview", dt.date(2022, 6, 20), "wave 2", "Station interview",
           "PC: The exploitation risk is high near the station.\n"
           "Chair: Funding rules decide who gets a worker.\n"),
    "D5": ("east", "reflective_group", None, "", "Team reflections",
           "SW: We talked about how anxious the team feels.\n"
           "Chair: Exploited children need trusted adults.\n"),
}
# name: (document, code, phrase, coder)
CODINGS_V1 = {
    "c1": ("D1", "PA-RATION", "We ration places by age", "owner"),
    "c2": ("D1", "RR-TEXT-RISK", "the panel scored her risk", "coder"),
    "c3": ("D1", "RR-TEXT", "places by age and the panel", "owner"),
    "c4": ("D1", "DA-FRAG", "she is not engaging", "coder"),
    "c5": ("D1", "RR-DISC", "not engaging with the plan", "coder"),
    "c6": ("D1", "PA-PERF", "The police report arrived late", "owner"),
    "c7": ("D2", "RR-TEXT-RISK", "The risk tool was scored twice", "owner"),
    "c8": ("D2", "DA-RITUAL", "The risk tool was scored twice", "coder"),
    "c9": ("D2", "PA-RATION", "Nobody asked the young person", "owner"),
}
CODINGS_V2 = {
    "c10": ("D3", "PA-RATION", "Eligibility criteria exclude anyone over eighteen", "coder"),
    "c11": ("D3", "RR-TEXT", "Eligibility criteria", "owner"),
    "c12": ("D3", "DA-FRAG", "Nobody listens to me", "coder"),
    "c13": ("D3", "DA-RITUAL", "revisit the safety plan", "owner"),
    "c14": ("D4", "RR-TEXT-RISK", "The exploitation risk is high", "owner"),
    "c15": ("D4", "PA-PERF", "near the station", "coder"),
    "c16": ("D4", "PA-RATION", "Funding rules decide who gets a worker", "owner"),
    "c17": ("D5", "DA-FRAG", "how anxious the team feels", "coder"),
    "c18": ("D5", "PA-PART", "Exploited children need trusted adults", "coder"),
    "c19": ("D5", "DA-RITUAL", "We talked about", "owner"),
    "c20": ("D1", "RR-DISC", "the plan.\nPC: The police", "coder"),
}
ORIGINS = {"c3": "suggested", "c6": "imported"}
ROLES = {"Chair": ("Chair", "Council"), "SW": ("Social Worker", "Council"),
         "PC": ("Police", "Police")}
FAMILIES = [("RR", "Ruling relations"), ("DA", "Depressive anxieties"),
            ("PA", "Persecutory anxieties")]
CODES = [("RR-TEXT", "Texts", "RR"), ("RR-TEXT-RISK", "Risk tools", "RR-TEXT"),
         ("RR-DISC", "Discourses", "RR"), ("DA-FRAG", "Fragmentation", "DA"),
         ("DA-RITUAL", "Ritual", "DA"), ("PA-RATION", "Rationing", "PA"),
         ("PA-PERF", "Performance", "PA")]


def codebook_spec(extra: list[tuple[str, str, str]] = ()):
    from app.codebook.spec import CodebookSpec, CodeSpec

    spec = CodebookSpec(key="small", name="A small codebook")
    for key, name in FAMILIES:
        spec.codes.append(CodeSpec(key=key, name=name, is_category=True,
                                   definition=f"The {name.lower()} family."))
    for key, name, parent in [*CODES, *extra]:
        spec.codes.append(CodeSpec(key=key, name=name, parent=parent,
                                   definition=f"{name}: a code for testing."))
    return spec


@pytest.fixture
def corpus(study):
    """The corpus above; returns {"names": {name: coding id}, "ids": {id: name},
    "docs": {D1..: document id}, "users": study users}."""
    from app.codebook import service as codebook
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.documents.models import Speaker
    from app.memos import service as memos
    from app.projects import service as projects
    from app.retrieval import tallies

    users = study
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        projects.add_site(s, project=project, slug="east", name="East", by=users["owner"],
                          strand="Transitions", governance="voluntary", country="England")
        codebook.load(s, project=project, spec=codebook_spec(), by=users["owner"])
        docs = {}
        for name, (site, kind, date, period, title, text) in DOCS.items():
            meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug=site),
                                          kind=kind, title=title, date=date,
                                          fieldwork_period=period)
            docs[name], _ = documents.ingest(s, project=project, filename=f"{name}.txt",
                                             data=text.encode(), meta=meta, by=users["owner"],
                                             max_bytes=10**6)
        for speaker in s.query(Speaker).filter_by(project_id=project.id):
            if speaker.name in ROLES:
                documents.set_speaker(s, project=project, speaker_id=speaker.id,
                                      by=users["owner"], role=ROLES[speaker.name][0],
                                      agency=ROLES[speaker.name][1])
        made = {}

        def code(table):
            for name, (doc, key, phrase, who) in table.items():
                text = docs[doc].text
                start = text.index(phrase)
                made[name] = coding.create(s, project=project, document=docs[doc],
                                           code_key=key, start=start, end=start + len(phrase),
                                           by=users[who], origin=ORIGINS.get(name, "manual"))
        code(CODINGS_V1)
        codebook.load(s, project=project, by=users["owner"], note="adds PA-PART",
                      spec=codebook_spec([("PA-PART", "Partnerships", "PA")]))
        code(CODINGS_V2)
        coding.remove(s, project=project, coding=made["c19"], by=users["owner"])
        memos.create(s, project=project, by=users["coder"], kind="analytic",
                     body="She is described, not heard.", coding=made["c4"])
        tallies.rebuild(s, project=project)
        s.flush()
        names = {name: c.id for name, c in made.items()}
        return {"names": names, "ids": {v: k for k, v in names.items()},
                "docs": {k: d.id for k, d in docs.items()}, "users": users}


@pytest.fixture
def run(corpus):
    """run(**filter fields) -> the coding names found, in order (every page)."""
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.service import find_excerpts

    def find(_limit: int = 500, **fields) -> list[str]:
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            page = find_excerpts(s, project=project, filter=ExcerptFilter(**fields),
                                 limit=_limit)
            return [corpus["ids"][e.id] for e in page.excerpts]
    return find
