"""The suggestion service: storing, skipping, re-running, and people's decisions."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.coding.models import Coding
from app.db import new_session, transaction
from app.documents.models import Document
from app.errors import Conflict, Invalid, NotFound
from app.jobs.models import Job
from app.projects import service as projects
from app.suggestions import service
from app.suggestions.models import Suggestion, SuggestionState
from tests.suggestions.conftest import ENGAGING, SCORE, TOOL, run_suggestions, set_patterns


def suggestions(**where):
    with new_session() as s:
        query = select(Suggestion).order_by(Suggestion.start)
        for name, value in where.items():
            query = query.where(getattr(Suggestion, name) == value)
        return list(s.scalars(query))


def decide(suggestion_id, action, who="coder@example.org", **kw):
    from app.accounts import service as accounts

    with transaction() as s:
        user = accounts.get_by_email_or_raise(s, email=who)
        suggestion = s.get(Suggestion, suggestion_id)
        return getattr(service, action)(s, suggestion=suggestion, by=user, **kw)


def test_finds_are_stored_as_pending_with_rule_and_reason(patterned):
    report = run_suggestions()
    assert (report.checked, report.skipped, report.added) == (1, 0, 2)
    found = suggestions()
    text = patterned["text"]
    assert [text[s.start:s.end] for s in found] == ["scored 14", "not engaging"]
    assert all(s.status == "pending" and s.rule and s.reason for s in found)
    with new_session() as s:
        state = s.get(SuggestionState, patterned["document_id"])
        assert state.found == 2 and state.text_hash == service.text_hash(text)


def test_an_unchanged_document_is_skipped(patterned):
    run_suggestions()
    patterned["calls"].documents.clear()
    report = run_suggestions()
    assert (report.checked, report.skipped) == (0, 1)
    assert patterned["calls"].documents == []


def test_changed_text_is_checked_again(patterned):
    run_suggestions()
    with transaction() as s:
        s.get(Document, patterned["document_id"]).text += "Then she was not engaging again.\n"
    assert run_suggestions().added == 1
    assert len(suggestions(status="pending")) == 3


def test_a_pattern_change_reruns_and_drops_stale_pending(patterned):
    run_suggestions()
    keep = suggestions(rule=suggestions()[1].rule)[0]
    set_patterns({"PA-PERF": [TOOL], "RR-DISC-ENG": [ENGAGING]})
    report = run_suggestions()
    assert (report.checked, report.added, report.removed) == (1, 1, 1)
    text = patterned["text"]
    assert [text[s.start:s.end] for s in suggestions()] == ["on the tool", "not engaging"]
    assert suggestions(rule=keep.rule)[0].id == keep.id


def test_rejected_is_remembered_and_never_suggested_again(suggested):
    decide(suggested["ids"]["PA-PERF"], "reject")
    set_patterns({"PA-PERF": [SCORE, TOOL]})   # forces a rerun
    assert run_suggestions().checked == 1
    text = suggested["text"]
    perf = suggestions(code_id=suggestions(id=suggested["ids"]["PA-PERF"])[0].code_id)
    assert {text[s.start:s.end]: s.status for s in perf} == {"scored 14": "rejected",
                                                             "on the tool": "pending"}
    assert len(perf) == 2


def test_accept_makes_a_suggested_coding_with_the_rule(suggested):
    coding = decide(suggested["ids"]["PA-PERF"], "accept")
    with new_session() as s:
        stored = s.get(Coding, coding.id)
        suggestion = s.get(Suggestion, suggested["ids"]["PA-PERF"])
        assert (stored.origin, stored.quote) == ("suggested", "scored 14")
        assert stored.rule == suggestion.rule and suggestion.status == "accepted"
        assert suggestion.coding_id == coding.id and suggestion.decided_by_id is not None
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"suggestion.accept", "coding.create"} <= actions


def test_accept_with_an_adjusted_span_and_code(suggested):
    text = suggested["text"]
    start = text.index("scored")
    coding = decide(suggested["ids"]["PA-PERF"], "accept", start=start - 1,
                    end=text.index(" on the"), code="PA-RATION")
    with new_session() as s:
        stored = s.get(Coding, coding.id)
        assert (stored.start, stored.quote) == (start, "scored 14")   # trimmed
        assert stored.origin == "suggested"


def test_a_bad_adjusted_span_codes_nothing(suggested):
    with pytest.raises(Invalid):
        decide(suggested["ids"]["PA-PERF"], "accept", start=5, end=10**6)
    assert suggestions(status="pending") and not _codings()


def _codings():
    with new_session() as s:
        return s.scalar(select(func.count()).select_from(Coding))


def test_a_decision_is_made_once(suggested):
    decide(suggested["ids"]["PA-PERF"], "reject")
    with pytest.raises(Conflict):
        decide(suggested["ids"]["PA-PERF"], "accept")
    with pytest.raises(Conflict):
        decide(suggested["ids"]["PA-PERF"], "reject")
    assert _codings() == 0


def test_a_span_already_coded_is_not_suggested(patterned):
    from app.coding import service as coding

    text = patterned["text"]
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        coding.create(s, project=project, document=s.get(Document, patterned["document_id"]),
                      code_key="PA-PERF", start=text.index("scored"),
                      end=text.index(" on the"), by=patterned["users"]["owner"])
    run_suggestions()
    assert [s.rule.split(":")[0] for s in suggestions()] == ["RR-DISC-ENG"]


def test_queue_filters_by_code_document_status_and_pages(suggested):
    decide(suggested["ids"]["RR-DISC-ENG"], "reject")
    with new_session() as s:
        project = projects.get_project_or_raise(s, slug="study")
        keys = lambda rows: [c.key for _, c in rows]   # noqa: E731
        assert keys(service.queue(s, project=project)) == ["PA-PERF"]
        assert keys(service.queue(s, project=project, status="all")) == ["PA-PERF",
                                                                         "RR-DISC-ENG"]
        assert keys(service.queue(s, project=project, status="rejected")) == ["RR-DISC-ENG"]
        assert keys(service.queue(s, project=project, code_key="RR-DISC-ENG")) == []
        assert keys(service.queue(s, project=project, document_id=-1)) == []
        first = service.queue(s, project=project, status="all", limit=1)
        after = service.queue(s, project=project, status="all", after_id=first[0][0].id)
        assert keys(first + after) == ["PA-PERF", "RR-DISC-ENG"]
        with pytest.raises(Invalid):
            service.queue(s, project=project, status="maybe")
        with pytest.raises(NotFound):
            service.queue(s, project=project, code_key="NO-SUCH")
        assert [(c.key, n) for c, n in service.pending_counts(s, project=project)] == [
            ("PA-PERF", 1)]


def test_auto_suggest_queues_a_job_for_each_new_document(patterned):
    from app.documents import service as documents

    def add(name: str, data: bytes) -> None:
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            meta = documents.DocumentMeta(site=projects.get_site(s, project=project,
                                                                 slug="north"), kind="observation")
            documents.ingest(s, project=project, filename=name, data=data, meta=meta,
                             by=patterned["users"]["owner"], max_bytes=10**6)

    add("off.txt", b"Nothing queued for this one.")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        service.set_auto_suggest(s, project=project, on=True, by=patterned["users"]["owner"])
    add("on.txt", b"She is not engaging, they said.")
    with new_session() as s:
        jobs = list(s.scalars(select(Job)))
        new = s.scalar(select(Document.id).where(Document.original_filename == "on.txt"))
        assert [(j.kind, j.params, j.status) for j in jobs] == [
            ("suggest", {"document": new}, "queued")]
    assert not suggestions()   # queued, not run: nothing is suggested or coded in the request



def test_the_ranker_setting_changes_what_is_suggested_and_reruns_every_document(
        coded_study, engine_calls):
    """With the shipped codebook and its ranker (on by default), a fieldnote gets ranked
    suggestions, some added by the ranker; turning it off redoes the document with every
    pattern find; nothing decided is touched."""
    from app.accounts import service as accounts
    from app.documents import service as documents

    text = ("Chair: Jay's score went up to 14 on the exploitation screening tool, so he "
            "stays red on the tracker this month.\n"
            "SW: She is not engaging, she never answers the door and the file is overdue.\n"
            "Manager: The budget cuts mean the youth centre closes and the team loses a "
            "post before the inspection.\n")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        assert project.rank_suggestions is True
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="observation")
        doc, _ = documents.ingest(s, project=project, filename="ranked.txt",
                                  data=text.encode(), meta=meta,
                                  by=coded_study["users"]["owner"], max_bytes=10**6)
        doc_id = doc.id
    run_suggestions(document_ids=[doc_id])
    ranked = {(x.code_id, x.start, x.end, x.rule) for x in suggestions(document_id=doc_id)}
    assert ranked
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        owner = accounts.get_by_email_or_raise(s, email="owner@example.org")
        service.set_rank_suggestions(s, project=project, on=False, by=owner)
    before = len(engine_calls.documents)
    report = run_suggestions(document_ids=[doc_id])
    assert report.checked == 1 and engine_calls.documents[before:] == [doc_id]
    plain = {(x.code_id, x.start, x.end, x.rule) for x in suggestions(document_id=doc_id)}
    assert not any(rule.endswith(":ranker") for *_, rule in plain)
    assert {r for r in ranked if not r[3].endswith(":ranker")} <= plain
    assert ranked != plain
    with new_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "project.rank_suggestions")) == 1
