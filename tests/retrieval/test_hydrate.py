"""A page's excerpts come from one hydrating statement; they must be exactly what the plain
way finds: every text read whole and context.py's functions applied to it, each document's
turns searched in Python for the first one the excerpt overlaps (by start, then id), the
memos and the codes on overlapping passages each from a query of their own.

The hand-built corpus is joined by an awkward document: multi-byte characters (emoji,
accented names), excerpts at offset 0 and at the very end, excerpts around the 800
characters the sentence context looks at, a run of 1,000 characters without a sentence
end, overlapping turns (two starting at the same character), memos several to a coding and
removed ones, and a removed coding overlapping live ones.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import and_, event, select

from app.retrieval.context import sentence_after, sentence_before

NGOZI = ("Ngozi: The café on Rue Saint-Honoré closed; Zoë’s 👩🏽‍⚕️ team moved twice. "
         "“Nobody told us.” Then, the panel — Åsa, Björn, Søren — met again! ")
AWKWARD = ("Zoë: 🙂 Ça va? Björn’s “plan.”\tFine!\n"
           + (NGOZI * 9).rstrip() + "\n"
           + "Åsa: " + "ε" * 1000 + " done. And the rest, who knows?\n"
           + "Zoë: Last words… end")


@pytest.fixture
def awkward(corpus):
    """The awkward document D6 (site east) with its codings; returns corpus plus "D6"."""
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.documents.models import Document, Speaker, Turn
    from app.memos import service as memos
    from app.projects import service as projects

    users = corpus["users"]
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="east"),
                                      kind="interview", title="Café ☕ notes")
        doc, _ = documents.ingest(s, project=project, filename="D6.txt",
                                  data=AWKWARD.encode(), meta=meta, by=users["owner"],
                                  max_bytes=10**6)
        text = doc.text
        assert text == AWKWARD
        # overlapping turns: one from the first line into the second's label, and two
        # starting at the second line's first character
        zoe = s.scalar(select(Speaker).where(Speaker.project_id == project.id,
                                             Speaker.name == "Zoë"))
        asa = s.scalar(select(Speaker).where(Speaker.project_id == project.id,
                                             Speaker.name == "Åsa"))
        second = text.index("Ngozi:")
        s.add_all([Turn(document_id=doc.id, speaker_id=asa.id, start=10, end=second + 1),
                   Turn(document_id=doc.id, speaker_id=zoe.id, start=second, end=second + 5),
                   Turn(document_id=doc.id, speaker_id=asa.id, start=second, end=second + 3)])
        spans = [(0, 3), (5, 6), (len(text) - 3, len(text)), (len(text) - 1, len(text)),
                 (second, second + 1), (second + 1, second + 4)]
        epsilon = text.index("ε")
        for pos in (799, 800, 801, 1599, 1600, 1601, epsilon + 1, epsilon + 999,
                    len(text) - 801, len(text) - 800, len(text) - 799):
            spans.append((pos, pos + 1))
        for i in range(0, len(text) - 30, 97):
            spans.append((i, i + 11 + i % 23))
        spans.append((second + 2, second + 3))    # removed below
        keys = ["DA-FRAG", "RR-TEXT", "PA-RATION", "RR-DISC", "PA-PERF"]
        made = []
        for i, (start, end) in enumerate(spans):
            if not text[start:end].strip():
                continue
            made.append(coding.create(s, project=project, document=doc,
                                      code_key=keys[i % len(keys)], start=start, end=end,
                                      by=users["coder"]))
        coding.remove(s, project=project, coding=made[-1], by=users["owner"])
        for body, on in (("First.", 1), ("Second, later.", 1), ("Gone.", 1), ("Ü only.", 2),
                         ("On the removed one.", -1)):
            memo = memos.create(s, project=project, by=users["coder"], kind="analytic",
                                body=body, coding=made[on])
            if body == "Gone.":
                memos.delete(s, memo=memo, by=users["coder"])
        s.flush()
        corpus["docs"]["D6"] = doc.id
        corpus["D6"] = [c.id for c in made if c.deleted_at is None]
        assert s.get(Document, doc.id).text == AWKWARD
    return corpus


def reference(session, project, ids: list[int]) -> list[dict]:
    """The plain way, one query per part: whole texts, every turn, memos, overlapping codes."""
    from app.accounts.models import User
    from app.codebook.models import Code, CodebookVersion
    from app.coding.models import Coding
    from app.documents.models import Document, Speaker, Turn
    from app.memos.models import Memo
    from app.projects.models import Site
    from sqlalchemy.orm import aliased

    codes = {c.id: c for c in session.execute(select(Code.id, Code.key, Code.name, Code.colour,
                                                     Code.parent_id)
                                              .where(Code.project_id == project.id))}

    def family(code):
        while code.parent_id in codes:
            code = codes[code.parent_id]
        return code.key
    out = {}
    for c in session.scalars(select(Coding).where(Coding.id.in_(ids))):
        doc = session.get(Document, c.document_id)
        site = session.get(Site, doc.site_id)
        turns = session.execute(select(Turn.start, Turn.end, Speaker.name, Speaker.role,
                                       Speaker.agency)
                                .join(Speaker, Speaker.id == Turn.speaker_id)
                                .where(Turn.document_id == doc.id)
                                .order_by(Turn.start, Turn.id)).all()
        speaker = next((t for t in turns if t.start < c.end and t.end > c.start), None)
        o = aliased(Coding)
        others = session.scalars(select(o.code_id).where(
            o.document_id == c.document_id, o.id != c.id, o.deleted_at.is_(None),
            o.start < c.end, o.end > c.start)).all()
        code = codes[c.code_id]
        out[c.id] = dict(
            id=c.id, code=code.key, code_name=code.name, family=family(code),
            colour=code.colour,
            codebook_version=session.get(CodebookVersion, c.codebook_version_id).number,
            coder=session.get(User, c.coder_id).email, origin=c.origin, start=c.start,
            end=c.end, text=c.quote, before=sentence_before(doc.text, c.start),
            after=sentence_after(doc.text, c.end), document_id=doc.id, document=doc.title,
            kind=doc.kind, date=doc.date, period=doc.fieldwork_period, site=site.slug,
            site_name=site.name, strand=site.strand, governance=site.governance,
            country=site.country, site_attributes=dict(site.attributes or {}),
            speaker=speaker.name if speaker else "", role=speaker.role if speaker else "",
            agency=speaker.agency if speaker else "",
            codes_here=sorted({codes[i].key for i in others}),
            memos=list(session.scalars(select(Memo.body).where(
                and_(Memo.coding_id == c.id, Memo.deleted_at.is_(None))).order_by(Memo.id))))
    return [out[i] for i in ids if i in out]


def test_hydrate_is_the_plain_way(awkward):
    from app.coding.models import Coding
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.service import hydrate

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        ids = list(s.scalars(select(Coding.id).where(Coding.deleted_at.is_(None))))
        random.Random(6).shuffle(ids)
        assert len(ids) > 50
        got = [e.__dict__ for e in hydrate(s, project, ids)]
        assert got == reference(s, project, ids)
        # the awkward cases hold what they should
        by_id = {e["id"]: e for e in got}
        label, emoji, end, last, line, tie = (by_id[i] for i in awkward["D6"][:6])
        assert (label["text"], label["before"], label["speaker"]) == ("Zoë", "", "")
        assert label["after"] == ": 🙂 Ça va? Björn’s “plan.”" and label["memos"] == []
        assert emoji["memos"] == ["First.", "Second, later."] and emoji["speaker"] == "Zoë"
        assert emoji["before"] == "Zoë:" and emoji["after"] == "Ça va? Björn’s “plan.”"
        assert end["text"] == "end" and end["after"] == "" and end["memos"] == ["Ü only."]
        assert end["before"] == "And the rest, who knows?\nZoë: Last words…"
        assert last["before"] == "And the rest, who knows?\nZoë: Last words… en"
        # the turn from the line before; of two starting together, the first by id
        assert (line["text"], line["speaker"], tie["speaker"]) == ("N", "Åsa", "Zoë")
        # and part of a page, in any order, or none at all
        assert [e.__dict__ for e in hydrate(s, project, ids[:7])] == got[:7]
        assert hydrate(s, project, []) == []


def test_a_page_is_a_few_statements(corpus, monkeypatch):
    """One code's first page: the codes (with their tallies), the page's rows and their
    hydration; walking the documents adds the document list and its chunks."""
    from app.db import get_engine, transaction
    from app.projects import service as projects
    from app.retrieval import matrix_counts, paging
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.service import find_excerpts

    monkeypatch.setattr(matrix_counts, "TALLIES_IN_STEP", True)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        for few, expected in ((10_000, 3), (0, 4)):
            monkeypatch.setattr(paging, "FEW", few)
            with transaction() as s:
                project = projects.get_project_or_raise(s, slug="study")
                statements.clear()
                page = find_excerpts(s, project=project, filter=ExcerptFilter(codes=["PA"]))
                assert [corpus["ids"][e.id] for e in page.excerpts] == [
                    "c15", "c16", "c18", "c1", "c6", "c9", "c10"]
                assert len(statements) == expected, statements
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
