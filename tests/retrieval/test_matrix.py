"""Matrices on the hand-built corpus (tests/retrieval/conftest.py): counts worked out by hand,
every cell's query finds exactly its count, and every source (site tallies, document
tallies, live codings) agrees."""

import pytest

from app.errors import Invalid
from app.retrieval.filters import NO_ROLE, ExcerptFilter

CODES = ["RR-TEXT", "RR-TEXT-RISK", "RR-DISC", "DA-FRAG", "DA-RITUAL", "PA-RATION",
         "PA-PERF", "PA-PART"]


@pytest.fixture(params=["tallies", "live"])
def build(corpus, request, monkeypatch):
    """build(rows, cols, **filter) -> (matrix, {(row, col): (excerpts, documents, share,
    pairs)}, [(cell, names its query finds)]); each test runs reading the tallies, then
    counting live codings."""
    from app.retrieval import matrix_counts

    monkeypatch.setattr(matrix_counts, "TALLIES_IN_STEP", request.param == "tallies")

    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.matrix import matrix
    from app.retrieval.service import find_excerpts

    def make(rows, cols, **fields):
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            m = matrix(s, project=project, rows=rows, cols=cols,
                       filter=ExcerptFilter(**fields))
            table = {(c.row, c.col): (c.excerpts, c.documents, c.share, c.pairs)
                     for c in m.cells}
            runs = [(c, {corpus["ids"][e.id] for e in find_excerpts(
                s, project=project, filter=c.filter, limit=500).excerpts}) for c in m.cells]
            return m, table, runs
    return make


def test_code_by_site(build):
    m, table, runs = build("code", "site")
    assert [r.key for r in m.rows] == CODES
    assert [(c.key, c.label) for c in m.cols] == [("east", "East"), ("north", "North"),
                                                  ("south", "South")]
    assert table == {
        ("RR-TEXT", "north"): (1, 1, 0.5, None), ("RR-TEXT", "south"): (1, 1, 1.0, None),
        ("RR-TEXT-RISK", "east"): (1, 1, 0.5, None),
        ("RR-TEXT-RISK", "north"): (2, 2, 1.0, None),
        ("RR-DISC", "north"): (2, 1, 0.5, None),
        ("DA-FRAG", "east"): (1, 1, 0.5, None), ("DA-FRAG", "north"): (1, 1, 0.5, None),
        ("DA-FRAG", "south"): (1, 1, 1.0, None),
        ("DA-RITUAL", "north"): (1, 1, 0.5, None), ("DA-RITUAL", "south"): (1, 1, 1.0, None),
        ("PA-RATION", "east"): (1, 1, 0.5, None), ("PA-RATION", "north"): (2, 2, 1.0, None),
        ("PA-RATION", "south"): (1, 1, 1.0, None),
        ("PA-PERF", "east"): (1, 1, 0.5, None), ("PA-PERF", "north"): (1, 1, 0.5, None),
        ("PA-PART", "east"): (1, 1, 0.5, None)}
    for cell, names in runs:                       # RR-TEXT's query is "=RR-TEXT"
        assert len(names) == cell.excerpts, (cell.row, cell.col, cell.filter)
    assert m.cell("RR-TEXT", "north").filter.codes == ["=RR-TEXT"]
    assert dict(runs[0][0].filter.__dict__, codes=None) == dict(
        ExcerptFilter(sites=["north"]).__dict__, codes=None)
    empty = m.cell("PA-PART", "north")
    assert (empty.excerpts, empty.share, empty.filter.codes) == (0, 0.0, ["PA-PART"])


def test_family_by_site_and_kind(build):
    _, table, runs = build("family", "site")
    assert table == {("RR", "east"): (1, 1, 0.5, None), ("RR", "north"): (5, 2, 1.0, None),
                     ("RR", "south"): (1, 1, 1.0, None),
                     ("DA", "east"): (1, 1, 0.5, None), ("DA", "north"): (2, 2, 1.0, None),
                     ("DA", "south"): (2, 1, 1.0, None),
                     ("PA", "east"): (3, 2, 1.0, None), ("PA", "north"): (3, 2, 1.0, None),
                     ("PA", "south"): (1, 1, 1.0, None)}
    assert all(len(names) == cell.excerpts for cell, names in runs)
    _, table, runs = build("site", "kind")
    assert table == {("east", "interview"): (3, 1, 1.0, None),
                     ("east", "reflective_group"): (2, 1, 1.0, None),
                     ("north", "observation"): (3, 1, 1.0, None),
                     ("north", "interview"): (7, 1, 1.0, None),
                     ("south", "case_file"): (4, 1, 1.0, None)}
    assert all(len(names) == cell.excerpts for cell, names in runs)


def test_code_by_role(build):
    m, table, runs = build("code", "role")
    assert [(c.key, c.label) for c in m.cols] == [
        ("Chair", "Chair"), ("Police", "Police"), ("Social Worker", "Social Worker"),
        (NO_ROLE, "(no speaker)")]
    assert {k: v[0] for k, v in table.items()} == {
        ("RR-TEXT", "Chair"): 1, ("RR-TEXT", "Social Worker"): 1,
        ("RR-TEXT-RISK", "Chair"): 1, ("RR-TEXT-RISK", NO_ROLE): 1,
        ("RR-TEXT-RISK", "Police"): 1,
        ("RR-DISC", "Social Worker"): 2, ("RR-DISC", "Police"): 1,     # c20 in both turns
        ("DA-FRAG", "Social Worker"): 2, ("DA-FRAG", NO_ROLE): 1,      # YP has no role
        ("DA-RITUAL", NO_ROLE): 1, ("DA-RITUAL", "Chair"): 1,
        ("PA-RATION", "Chair"): 2, ("PA-RATION", NO_ROLE): 1,
        ("PA-RATION", "Social Worker"): 1,
        ("PA-PERF", "Police"): 2, ("PA-PART", "Chair"): 1}
    assert all(v[2] is None for v in table.values())      # no share without site or kind
    assert all(len(names) == cell.excerpts for cell, names in runs)
    assert m.cell("RR-DISC", "Police").filter.roles == ["Police"]


def test_cooccurrence(build):
    m, table, runs = build("code", "code")
    assert m.measure == "pairs" and [r.key for r in m.rows] == [c.key for c in m.cols] == CODES
    off = {k: v for k, v in table.items() if k[0] != k[1]}
    expected = {("RR-TEXT", "PA-RATION"): (4, 2, None, 2),        # c1-c3, c10-c11
                ("RR-TEXT", "RR-TEXT-RISK"): (2, 1, None, 1),     # c3-c2
                ("RR-DISC", "DA-FRAG"): (2, 1, None, 1),          # c5-c4
                ("RR-DISC", "PA-PERF"): (2, 1, None, 1),          # c20-c6
                ("RR-TEXT-RISK", "DA-RITUAL"): (2, 1, None, 1)}   # c7-c8
    assert off == expected | {(b, a): v for (a, b), v in expected.items()}   # symmetric
    diagonal = {k[0]: v[:2] for k, v in table.items() if k[0] == k[1]}
    assert diagonal == {"RR-TEXT": (2, 2), "RR-TEXT-RISK": (3, 3), "RR-DISC": (2, 1),
                        "DA-FRAG": (3, 3), "DA-RITUAL": (2, 2), "PA-RATION": (4, 4),
                        "PA-PERF": (2, 2), "PA-PART": (1, 1)}
    cell = m.cell("RR-TEXT", "PA-RATION")
    assert cell.filter.expr == "=RR-TEXT AND PA-RATION" and cell.value == 2
    assert m.cell("RR-DISC", "RR-DISC").value == 2
    found = {(c.row, c.col): names for c, names in runs}
    assert found[("RR-TEXT", "PA-RATION")] == {"c1", "c3", "c10", "c11"}
    assert found[("RR-TEXT-RISK", "RR-TEXT")] == {"c2", "c3"}
    assert all(len(names) == cell.excerpts for cell, names in runs)
    assert m.cell("DA-FRAG", "PA-PART").pairs == 0


@pytest.mark.parametrize("rows, cols, fields", [
    ("code", "site", {}), ("code", "site", {"strands": ["Contextual Safeguarding"]}),
    ("code", "site", {"codes": ["RR"]}), ("code", "site", {"kinds": ["interview"]}),
    ("site", "code", {"date_from": "2021-06-01"}), ("family", "kind", {"sites": ["north"]}),
    ("code", "code", {}), ("code", "code", {"governance": ["voluntary"]}),
    ("code", "code", {"codes": ["RR", "PA-RATION"]}), ("code", "code", {"periods": ["wave 1"]}),
])
def test_every_source_agrees(corpus, rows, cols, fields, monkeypatch):
    """The tallies (site and document) count what GROUP BY over live codings counts."""
    import datetime as dt

    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval import matrix_counts as counting
    from app.retrieval.matrix import _Codebook

    monkeypatch.setattr(counting, "TALLIES_IN_STEP", True)
    if "date_from" in fields:
        fields["date_from"] = dt.date.fromisoformat(fields["date_from"])
    f = ExcerptFilter(**fields)
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        book = _Codebook(s, project, f)
        families = {i: book.root[i] for i in book.order}
        sources = ["document", "live"] + (["site"] if counting.source(f, (rows, cols)) == "site"
                                          else [])
        if rows == cols == "code":
            got = [counting.cooccurrence(s, project, f, book.scope, how) for how in sources]
        else:
            got = [counting.counts(s, project, f, (rows, cols), book.scope, families, how)
                   for how in sources]
        assert all(g == got[0] for g in got) and got[0]


def test_coding_level_filters_count_live(build):
    _, table, runs = build("code", "site", coders=["coder@example.org"], origins=["manual"])
    assert {k: v[0] for k, v in table.items()} == {
        ("RR-TEXT-RISK", "north"): 1, ("RR-DISC", "north"): 2, ("DA-FRAG", "east"): 1,
        ("DA-FRAG", "north"): 1, ("DA-FRAG", "south"): 1, ("DA-RITUAL", "north"): 1,
        ("PA-RATION", "south"): 1, ("PA-PERF", "east"): 1, ("PA-PART", "east"): 1}
    assert all(len(names) == cell.excerpts for cell, names in runs)
    _, table, runs = build("code", "code", coders=["owner@example.org"])
    assert {k: v[3] for k, v in table.items() if k[0] != k[1] and v[3]} == {
        ("RR-TEXT", "PA-RATION"): 1, ("PA-RATION", "RR-TEXT"): 1}   # c1-c3: both the owner's
    assert all(len(names) == cell.excerpts for cell, names in runs)
    _, table, runs = build("code", "code", roles=["Social Worker"])   # EXISTS on both sides
    assert {k: (v[0], v[3]) for k, v in table.items() if k[0] < k[1]} == {
        ("DA-FRAG", "RR-DISC"): (2, 1),     # c4-c5, both in SW turns
        ("PA-RATION", "RR-TEXT"): (2, 1),   # c10-c11
        ("PA-PERF", "RR-DISC"): (1, 0)}     # c20 (SW and PC turns) overlaps c6 (PC only)
    assert all(len(names) == cell.excerpts for cell, names in runs)


def test_refresh_keeps_the_tallies(corpus):
    """After codings change, refresh gives what a full recount gives."""
    from sqlalchemy import delete, select

    from app.coding import service as coding
    from app.coding.models import Coding
    from app.db import transaction
    from app.documents.models import Document
    from app.projects import service as projects
    from app.retrieval import tallies
    from app.retrieval.models import (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                      SitePairTally)

    def snapshot(s):
        return [sorted(tuple(r) for r in s.execute(select(*m.__table__.c)) if any(r[-2:]))
                for m in (DocumentCodeTally, DocumentPairTally, SiteCodeTally, SitePairTally)]

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        owner = corpus["users"]["owner"]
        d1 = s.get(Document, corpus["docs"]["D1"])
        start = d1.text.index("scored her risk")
        made = coding.create(s, project=project, document=d1, code_key="PA-PERF", start=start,
                             end=start + 15, by=owner)
        c5 = s.get(Coding, corpus["names"]["c5"])
        coding.recode(s, project=project, coding=c5, code_key="DA-FRAG", by=owner)
        c1 = s.get(Coding, corpus["names"]["c1"])
        coding.remove(s, project=project, coding=c1, by=owner)
        tallies.refresh(s, document_ids=[d1.id, made.document_id])
        refreshed = snapshot(s)
        tallies.rebuild(s, project=project)
        assert refreshed == snapshot(s)
        d2 = s.get(Document, corpus["docs"]["D2"])      # a document about to be deleted
        tallies.refresh(s, document_ids=[d2.id], forget=True)
        s.execute(delete(Document).where(Document.id == d2.id))
        forgotten = snapshot(s)
        tallies.rebuild(s, project=project)
        assert forgotten == snapshot(s) and forgotten != refreshed


def test_bad_dimensions(corpus, build):
    for rows, cols in (("colour", "site"), ("code", "speaker"), ("site", "site"),
                       ("code", "family"), ("family", "family")):
        with pytest.raises(Invalid):
            build(rows, cols)
    with pytest.raises(Invalid, match="co-occurrence"):
        build("code", "code", expr="PA AND RR")


def test_the_coding_service_keeps_the_tallies(corpus):
    """Coding through the service (create, recode, remove, restore) leaves the tallies as a
    full recount makes them."""
    from sqlalchemy import select

    from app.coding import service as coding
    from app.coding.models import Coding
    from app.db import transaction
    from app.documents.models import Document
    from app.projects import service as projects
    from app.retrieval import tallies
    from app.retrieval.models import SiteCodeTally, SitePairTally

    def snapshot(s):
        return [sorted(tuple(r) for r in s.execute(select(*m.__table__.c)) if any(r[-2:]))
                for m in (SiteCodeTally, SitePairTally)]

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        owner = corpus["users"]["owner"]
        d3 = s.get(Document, corpus["docs"]["D3"])
        start = d3.text.index("criteria exclude")
        coding.create(s, project=project, document=d3, code_key="PA-PERF", start=start,
                      end=start + 16, by=owner)
        c12 = s.get(Coding, corpus["names"]["c12"])
        coding.recode(s, project=project, coding=c12, code_key="RR-DISC", by=owner)
        c10 = s.get(Coding, corpus["names"]["c10"])
        coding.remove(s, project=project, coding=c10, by=owner)
        coding.restore(s, project=project, coding=c10, by=owner)
        coding.remove(s, project=project, coding=s.get(Coding, corpus["names"]["c11"]),
                      by=owner)
        kept = snapshot(s)
        tallies.rebuild(s, project=project)
        assert kept == snapshot(s)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_step_by_step_tallies_match_a_recount(corpus, seed):
    """coding_added / coding_removed / coding_recoded after each of 120 random changes (as
    the coding service calls them) leave every tally as a full recount makes it."""
    import random

    from sqlalchemy import select

    from app.coding import service as coding
    from app.coding.models import Coding
    from app.db import transaction
    from app.documents.models import Document
    from app.projects import service as projects
    from app.retrieval import tallies
    from app.retrieval.models import (DocumentCodeTally, DocumentPairTally, SiteCodeTally,
                                      SitePairTally)

    def snapshot(s):
        return [sorted(tuple(r) for r in s.execute(select(*m.__table__.c)) if any(r[-2:]))
                for m in (DocumentCodeTally, DocumentPairTally, SiteCodeTally, SitePairTally)]

    rng = random.Random(seed)
    keys = [key for key in CODES if key != "PA-PART"] + ["PA-PART"]
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        owner = corpus["users"]["owner"]
        docs = [s.get(Document, i) for i in corpus["docs"].values()]
        made = [s.get(Coding, i) for i in corpus["names"].values()]
        for _ in range(120):
            action = rng.choice(["add", "add", "remove", "restore", "recode"])
            if action == "add":
                doc = rng.choice(docs)
                start = rng.randrange(0, len(doc.text) - 12)
                end = min(len(doc.text), start + rng.randint(5, 40))
                if not doc.text[start:end].strip():
                    continue
                new = coding.create(s, project=project, document=doc, code_key=rng.choice(keys),
                                    start=start, end=end, by=owner)
                made.append(new)
                continue
            live = [c for c in made if c.deleted_at is None]
            gone = [c for c in made if c.deleted_at is not None]
            if action == "remove" and live:
                target = rng.choice(live)
                coding.remove(s, project=project, coding=target, by=owner)
            elif action == "restore" and gone:
                target = rng.choice(gone)
                coding.restore(s, project=project, coding=target, by=owner)
            elif action == "recode" and live:
                target = rng.choice(live)
                coding.recode(s, project=project, coding=target, code_key=rng.choice(keys),
                              by=owner)
        stepped = snapshot(s)
        tallies.rebuild(s, project=project)
        assert stepped == snapshot(s)
