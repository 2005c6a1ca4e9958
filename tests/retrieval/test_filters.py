"""Every filter and the query language on the hand-built corpus (tests/retrieval/conftest.py):
the expected sets were worked out by hand from the spans listed there."""

import datetime as dt

import pytest

from app.errors import Invalid
from app.retrieval.filters import NO_ROLE

LIVE = {f"c{i}" for i in range(1, 21)} - {"c19"}
OWNER, CODER = "owner@example.org", "coder@example.org"


def found(run, **fields) -> set[str]:
    return set(run(**fields))


@pytest.mark.parametrize("codes, expected", [
    (["PA-RATION"], {"c1", "c9", "c10", "c16"}),
    (["PA"], {"c1", "c9", "c10", "c16", "c6", "c15", "c18"}),           # a family
    (["RR-TEXT"], {"c3", "c11", "c2", "c7", "c14"}),                     # and the code below
    (["=RR-TEXT"], {"c3", "c11"}),                                        # the code alone
    (["RR"], {"c2", "c3", "c5", "c7", "c11", "c14", "c20"}),
    (["DA-RITUAL", "PA-PART"], {"c8", "c13", "c18"}),                    # any of them
    ([], LIVE),                                                           # c19 was removed
])
def test_codes(run, codes, expected):
    assert found(run, codes=codes) == expected


@pytest.mark.parametrize("expr, expected", [
    ("PA-RATION AND RR-TEXT", {"c1", "c3", "c10", "c11"}),   # each side's codings
    ("pa-ration and rr-text", {"c1", "c3", "c10", "c11"}),   # case-insensitive
    ("PA-RATION OR DA-RITUAL", {"c1", "c9", "c10", "c16", "c8", "c13"}),
    ("RR AND NOT PA", {"c2", "c5", "c7", "c14"}),            # c3, c11, c20 overlap PA
    ("NOT PA", LIVE - {"c1", "c9", "c10", "c16", "c6", "c15", "c18"}),
    ("RR-TEXT OVERLAPS PA", {"c3", "c11"}),                  # left-anchored
    ("PA OVERLAPS RR-TEXT", {"c1", "c10"}),
    ("=RR-TEXT OVERLAPS RR-TEXT-RISK", {"c3"}),
    ("RR-TEXT-RISK OVERLAPS =RR-TEXT", {"c2"}),
    ("PA-RATION NEAR/2 RR-TEXT-RISK", {"c9"}),               # c9 is 2 after c7: inside
    ("PA-RATION NEAR/1 RR-TEXT-RISK", set()),                # just outside
    ("PA-RATION NEAR/5 RR-TEXT-RISK", {"c1", "c9"}),         # c1 is 5 before c2: inside
    ("PA-RATION NEAR/4 RR-TEXT-RISK", {"c9"}),               # just outside for c1
    ("RR-TEXT-RISK NEAR/1 PA-PERF", {"c14"}),                # c15 starts 1 after c14
    ("RR-TEXT-RISK SAMETURN PA-PERF", {"c14"}),              # PC's turn in D4
    ("PA-RATION SAMETURN RR-TEXT-RISK", {"c1"}),             # Chair's turn in D1
    ("PA-PERF SAMETURN RR-TEXT-RISK", {"c15"}),
    ("DA-RITUAL SAMETURN RR-TEXT-RISK", set()),              # D2 has no turns
    ("(DA-FRAG OR DA-RITUAL) OVERLAPS RR", {"c4", "c8"}),
    ("RR-DISC AND PA-PERF", {"c20", "c6"}),
    ("RR-DISC AND DA-FRAG", {"c5", "c4"}),
    ("RR AND RR-TEXT", {"c2", "c3"}),                        # scopes that overlap
    ("RR-TEXT AND RR", {"c2", "c3"}),
    ("(PA OVERLAPS RR) AND DA", set()),
    ("RR-DISC AND (DA-FRAG OR PA-PERF)", {"c5", "c4", "c20", "c6"}),
])
def test_query_language(run, expr, expected):
    assert found(run, expr=expr) == expected


@pytest.mark.parametrize("fields, expected", [
    ({"sites": ["north"]}, {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c20"}),
    ({"sites": ["east"]}, {"c14", "c15", "c16", "c17", "c18"}),
    ({"sites": ["south", "east"]}, {"c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17",
                                    "c18"}),
    ({"strands": ["Transitions"]}, {"c14", "c15", "c16", "c17", "c18"}),
    ({"governance": ["voluntary"]}, {"c14", "c15", "c16", "c17", "c18"}),
    ({"governance": ["statutory"]}, LIVE - {"c14", "c15", "c16", "c17", "c18"}),
    ({"kinds": ["interview"]}, {"c1", "c2", "c3", "c4", "c5", "c6", "c20", "c14", "c15",
                                "c16"}),
    ({"kinds": ["case_file", "reflective_group"]}, {"c10", "c11", "c12", "c13", "c17", "c18"}),
    ({"speakers": ["YP"]}, {"c12"}),
    ({"speakers": ["PC"]}, {"c6", "c20", "c14", "c15"}),
    ({"roles": ["Police"]}, {"c6", "c20", "c14", "c15"}),
    ({"roles": ["Social Worker"]}, {"c4", "c5", "c20", "c10", "c11", "c17"}),
    ({"roles": [NO_ROLE]}, {"c7", "c8", "c9", "c12"}),       # no turns; YP has no role
    ({"roles": ["Police", NO_ROLE]}, {"c6", "c20", "c14", "c15", "c7", "c8", "c9", "c12"}),
    ({"agencies": ["Police"]}, {"c6", "c20", "c14", "c15"}),
    ({"agencies": ["Council"]}, {"c1", "c2", "c3", "c4", "c5", "c20", "c10", "c11", "c13",
                                 "c16", "c17", "c18"}),
    ({"date_from": dt.date(2021, 9, 15), "date_to": dt.date(2022, 2, 1)},
     {"c7", "c8", "c9", "c10", "c11", "c12", "c13"}),          # inclusive; D5 has no date
    ({"date_from": dt.date(2022, 1, 1)}, {"c10", "c11", "c12", "c13", "c14", "c15", "c16"}),
    ({"date_to": dt.date(2021, 9, 14)}, {"c1", "c2", "c3", "c4", "c5", "c6", "c20"}),
    ({"periods": ["wave 1"]}, {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c20"}),
    ({"periods": ["wave 2"]}, {"c10", "c11", "c12", "c13", "c14", "c15", "c16"}),
    ({"coders": [CODER]}, {"c2", "c4", "c5", "c8", "c10", "c12", "c15", "c17", "c18", "c20"}),
    ({"coders": ["Owner@Example.org"]}, {"c1", "c3", "c6", "c7", "c9", "c11", "c13", "c14",
                                         "c16"}),
    ({"origins": ["suggested"]}, {"c3"}),
    ({"origins": ["imported", "suggested"]}, {"c3", "c6"}),
    ({"versions": [1]}, {f"c{i}" for i in range(1, 10)}),
    ({"versions": [2]}, LIVE - {f"c{i}" for i in range(1, 10)}),
    ({"has_memo": True}, {"c4"}),
    ({"has_memo": False}, LIVE - {"c4"}),
])
def test_each_filter(run, fields, expected):
    assert found(run, **fields) == expected


@pytest.mark.parametrize("text, expected", [
    ("risk", {"c2", "c7", "c8", "c14"}),
    ("RISK", {"c2", "c7", "c8", "c14"}),                      # case-insensitive
    ('"scored twice"', {"c7", "c8"}),                          # a phrase
    ('"twice scored"', set()),                                 # words out of order
    ("exploit*", {"c14", "c18"}),                              # a prefix
    ("exploit", set()),                                        # a word must match whole
    ("ration", {"c1"}),
    ("rationing", set()),                                      # no stemming
    ("risk tool", {"c7", "c8"}),                               # every term
    ('risk "the panel"', {"c2"}),
])
def test_full_text(run, text, expected):
    assert found(run, text=text) == expected


@pytest.mark.parametrize("fields, expected", [
    ({"codes": ["PA"], "sites": ["east"]}, {"c15", "c16", "c18"}),
    ({"expr": "RR AND NOT PA", "coders": [OWNER]}, {"c7", "c14"}),
    ({"expr": "PA-RATION AND RR-TEXT", "roles": ["Social Worker"]}, {"c10", "c11"}),
    ({"codes": ["DA"], "governance": ["statutory"], "has_memo": False}, {"c8", "c12", "c13"}),
    ({"codes": ["RR"], "text": "risk", "kinds": ["interview"]}, {"c2", "c14"}),
    ({"expr": "RR-TEXT-RISK", "date_from": dt.date(2021, 6, 1), "versions": [1]}, {"c7"}),
    ({"codes": ["PA-RATION"], "expr": "PA SAMETURN RR", "periods": ["wave 1"]}, {"c1"}),
])
def test_combinations(run, fields, expected):
    assert found(run, **fields) == expected


def test_sorting(run):
    assert run() == ["c14", "c15", "c16", "c17", "c18",               # East: D4, D5 undated
                     "c1", "c3", "c2", "c4", "c5", "c20", "c6",       # North: D1, then D2
                     "c7", "c8", "c9", "c10", "c11", "c12", "c13"]    # South: D3
    assert run(sort="date") == ["c1", "c3", "c2", "c4", "c5", "c20", "c6", "c7", "c8", "c9",
                                "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18"]
    assert run(sort="document") == ["c10", "c11", "c12", "c13", "c7", "c8", "c9",  # Case, Lib
                                    "c1", "c3", "c2", "c4", "c5", "c20", "c6",     # Panel
                                    "c14", "c15", "c16", "c17", "c18"]             # Sta, Team
    assert run(codes=["PA"], sort="date") == ["c1", "c6", "c9", "c10", "c15", "c16", "c18"]


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 19])
@pytest.mark.parametrize("fields, total", [({}, 19), ({"codes": ["PA", "RR"]}, 14),
                                           ({"expr": "NOT DA"}, 14), ({"text": "the"}, 12)])
@pytest.mark.parametrize("few", [10_000, 0, 1])   # sort the codings at once, or walk
def test_pages_join_up(corpus, run, limit, fields, total, few, monkeypatch):
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval import paging
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.service import find_excerpts

    from app.retrieval import matrix_counts

    monkeypatch.setattr(paging, "CHUNKS", (1, 2) if few == 1 else paging.CHUNKS)
    monkeypatch.setattr(paging, "FEW", few)
    monkeypatch.setattr(matrix_counts, "TALLIES_IN_STEP", True)
    for sort in ("site", "date", "document"):
        seen, cursor = [], None
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            while True:
                page = find_excerpts(s, project=project, limit=limit, cursor=cursor,
                                     filter=ExcerptFilter(sort=sort, **fields), with_total=True)
                assert page.total == total and len(page.excerpts) <= limit
                seen += [corpus["ids"][e.id] for e in page.excerpts]
                if not (cursor := page.next_cursor):
                    break
        assert seen == run(sort=sort, **fields)


def test_cursor_stable_when_codings_are_added(corpus, run):
    from app.coding import service as coding
    from app.db import transaction
    from app.documents.models import Document
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.service import find_excerpts

    def page(cursor=None):
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            found = find_excerpts(s, project=project, filter=ExcerptFilter(), limit=5,
                                  cursor=cursor)
            return [corpus["ids"].get(e.id, e.id) for e in found.excerpts], found.next_cursor

    first, cursor = page()
    assert first == ["c14", "c15", "c16", "c17", "c18"]
    with transaction() as s:                 # before the cursor (D4, East) and after (D1)
        project = projects.get_project_or_raise(s, slug="study")
        for doc, phrase in (("D4", "The exploitation"), ("D1", "The form says")):
            document = s.get(Document, corpus["docs"][doc])
            start = document.text.index(phrase)
            made = coding.create(s, project=project, document=document, code_key="DA-FRAG",
                                 start=start, end=start + len(phrase),
                                 by=corpus["users"]["owner"])
            corpus["ids"][made.id] = f"new {doc}"
    second, _ = page(cursor)
    assert second == ["c1", "c3", "c2", "new D1", "c4"]


def test_bad_values_are_refused(corpus, run):
    with pytest.raises(Invalid, match="no code 'NOPE'"):
        run(codes=["NOPE"])
    with pytest.raises(Invalid, match="at character 15"):
        run(expr="PA-RATION AND )")
    with pytest.raises(Invalid, match="at the end"):
        run(expr="PA-RATION AND")
    with pytest.raises(Invalid, match="no words"):
        run(text='"" *')
    with pytest.raises(Invalid, match="sort"):
        run(sort="colour")
