"""A first check of the excerpt query on the coded study (the full hand-built corpus tests
live in test_filters.py)."""

from app.db import transaction
from app.documents.models import Document
from app.coding import service as coding
from app.projects import service as projects
from app.retrieval.filters import ExcerptFilter
from app.retrieval.service import find_excerpts


def code(s, data, key, phrase):
    doc = s.get(Document, data["document_id"])
    start = doc.text.index(phrase)
    return coding.create(s, project=projects.get_project_or_raise(s, slug="study"), document=doc,
                         code_key=key, start=start, end=start + len(phrase),
                         by=data["users"]["coder"])


def test_and_overlap_near_text_and_paging(coded_study):
    with transaction() as s:
        a = code(s, coded_study, "PA-RATION", "Row seven, scored 14")
        b = code(s, coded_study, "RR-TEXT-RISK", "scored 14 on the tool")
        c = code(s, coded_study, "DA-FRAG", "She is not engaging")
        project = projects.get_project_or_raise(s, slug="study")

        def ids(**kw):
            return [e.id for e in find_excerpts(s, project=project,
                                                filter=ExcerptFilter(**kw)).excerpts]
        assert ids(codes=["PA"]) == [a.id]
        assert sorted(ids(expr="PA-RATION AND RR-TEXT")) == sorted([a.id, b.id])
        assert ids(expr="PA-RATION OVERLAPS RR") == [a.id]
        assert ids(expr="DA-FRAG OVERLAPS RR") == []
        assert ids(expr="DA-FRAG NEAR/40 RR-TEXT") == [c.id]
        assert ids(expr="RR AND NOT PA") == []
        assert ids(expr="DA AND NOT PA") == [c.id]
        assert ids(text="engag*") == [c.id] and ids(text='"scored 14"') == [a.id, b.id]
        page = find_excerpts(s, project=project, filter=ExcerptFilter(), limit=2)
        rest = find_excerpts(s, project=project, filter=ExcerptFilter(), limit=2,
                             cursor=page.next_cursor)
        assert [e.id for e in page.excerpts + rest.excerpts] == [a.id, b.id, c.id]
        first = page.excerpts[0]
        assert first.speaker == "Chair" and first.after.startswith("on the tool")
        assert "RR-TEXT-RISK" in first.codes_here
