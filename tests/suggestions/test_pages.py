"""The review pages and their htmx fragments (cards, progress bar), and the span helpers."""

import re

from sqlalchemy import select

from app.db import new_session
from app.jobs.worker import Worker
from app.suggestions.models import Suggestion
from app.suggestions.pages import context_of, word_moves
from tests.conftest import sign_in

HTMX = {"HX-Request": "true"}


def htmx(csrf):
    return HTMX | {"X-CSRF-Token": csrf}


def status_of(sid):
    with new_session() as s:
        return s.get(Suggestion, sid).status


def test_context_is_the_sentence_around_the_span():
    text = "First one. The panel scored 14 on the tool. Then lunch.\nNext line."
    start = text.index("scored")
    before, quote, after, more_before, more_after = context_of(text, start, start + 9)
    assert (before, quote, after) == ("The panel ", "scored 14", " on the tool.")
    assert not more_before and not more_after


def test_word_moves_extend_and_shrink_by_a_word():
    text = "The panel scored 14 on the tool."
    start, end = text.index("scored"), text.index(" on")
    moves = word_moves(text, start, end)
    quote = {k: text[a:b] for k, (a, b) in ((k, v) for k, v in moves.items() if v)}
    assert quote == {"start-earlier": "panel scored 14", "start-later": "14",
                     "end-later": "scored 14 on", "end-earlier": "scored"}
    assert word_moves(text, 0, 3)["start-earlier"] is None


def test_document_queue_shows_cards_with_reasons_and_key_hints(client, suggested):
    sign_in(client, "coder@example.org")
    page = client.get(f"/p/study/documents/{suggested['document_id']}/suggestions")
    assert page.status_code == 200
    assert "<mark>scored 14</mark>" in page.text and "<mark>not engaging</mark>" in page.text
    assert 'data-action="accept"' in page.text and "<kbd>a</kbd>" in page.text
    assert "Rule" in page.text and "PA-PERF" in page.text and "suggestions.js" in page.text


def test_code_queue_across_the_corpus(client, suggested):
    sign_in(client, "viewer@example.org")
    page = client.get("/p/study/suggestions", params={"code": "RR-DISC-ENG"})
    assert page.status_code == 200
    assert "<mark>not engaging</mark>" in page.text and "<mark>scored 14</mark>" not in page.text
    assert 'data-action="accept"' not in page.text     # viewers read, never decide


def test_accept_by_htmx_swaps_the_card(client, suggested):
    csrf = sign_in(client, "coder@example.org")
    sid = suggested["ids"]["PA-PERF"]
    card = client.post(f"/p/study/suggestions/{sid}/accept", headers=htmx(csrf))
    assert card.status_code == 200 and 'data-status="accepted"' in card.text
    assert "<html" not in card.text and "suggested" in card.text
    coding = re.search(r'data-coding="(\d+)"', card.text).group(1)
    view = client.get(f"/p/study/documents/{suggested['document_id']}")
    assert re.search(rf'data-c="[^"]*\b{coding}\b', view.text)


def test_adjust_then_accept_the_adjusted_span(client, suggested):
    csrf = sign_in(client, "coder@example.org")
    sid, text = suggested["ids"]["PA-PERF"], suggested["text"]
    start, end = text.index("scored"), text.index(" on the") + 3
    card = client.get(f"/p/study/suggestions/{sid}/card", params={"start": start, "end": end},
                      headers=HTMX)
    assert "<mark>scored 14 on</mark>" in card.text and "span adjusted" in card.text
    done = client.post(f"/p/study/suggestions/{sid}/accept", headers=htmx(csrf),
                       data={"start": start, "end": end})
    assert 'data-status="accepted"' in done.text
    coder = client.get("/api/codings/" + re.search(r'data-coding="(\d+)"', done.text).group(1))
    assert coder.json()["quote"] == "scored 14 on"


def test_a_refused_accept_comes_back_on_the_card_and_changes_nothing(client, suggested):
    csrf = sign_in(client, "coder@example.org")
    sid = suggested["ids"]["PA-PERF"]
    card = client.post(f"/p/study/suggestions/{sid}/accept", headers=htmx(csrf),
                       data={"start": 3, "end": 10**6})
    assert card.status_code == 200 and 'role="alert"' in card.text
    assert status_of(sid) == "pending"


def test_reject_and_the_plain_form_fallback(client, suggested):
    csrf = sign_in(client, "coder@example.org")
    sid = suggested["ids"]["RR-DISC-ENG"]
    response = client.post(f"/p/study/suggestions/{sid}/reject", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303 and status_of(sid) == "rejected"


def test_run_button_answers_with_a_polling_progress_bar(client, patterned):
    csrf = sign_in(client, "coder@example.org")
    doc = patterned["document_id"]
    bar = client.post("/p/study/suggest", headers=htmx(csrf), data={"document": str(doc)})
    assert bar.status_code == 200 and 'hx-trigger="every 1s"' in bar.text
    job_id = re.search(r'data-job="(\d+)"', bar.text).group(1)
    page = client.get(f"/p/study/documents/{doc}/suggestions")   # a reload keeps the bar
    assert f'data-job="{job_id}"' in page.text
    assert Worker(name="test").run_once()
    done = client.get(f"/p/study/jobs/{job_id}", headers=HTMX)
    assert 'data-status="done"' in done.text and "hx-trigger" not in done.text
    assert client.get(f"/p/other/jobs/{job_id}", headers=HTMX).status_code == 404


def test_owner_toggles_auto_suggest_on_the_project_page(client, patterned):
    csrf = sign_in(client, "owner@example.org")
    assert 'id="auto-suggest"' in client.get("/p/study").text
    response = client.post("/p/study/settings/auto-suggest", follow_redirects=False,
                           data={"csrf_token": csrf, "auto_suggest": ["0", "1"]})
    assert response.status_code == 303
    assert 'id="auto-suggest" name="auto_suggest" value="1" checked' in client.get(
        "/p/study").text
    client.post("/p/study/settings/auto-suggest", data={"csrf_token": csrf, "auto_suggest": "0"})
    with new_session() as s:
        from app.projects.models import Project
        assert s.scalar(select(Project.auto_suggest)) is False


def test_owner_turns_the_ranker_off_and_on_on_the_project_page(client, patterned):
    csrf = sign_in(client, "owner@example.org")
    page = client.get("/p/study").text
    assert 'id="rank-suggestions"' in page
    client.post("/p/study/settings/rank-suggestions",
                data={"csrf_token": csrf, "rank_suggestions": ["0", "1"]})
    assert 'id="rank-suggestions" name="rank_suggestions" value="1" checked' in client.get(
        "/p/study").text
    response = client.post("/p/study/settings/rank-suggestions", follow_redirects=False,
                           data={"csrf_token": csrf, "rank_suggestions": "0"})
    assert response.status_code == 303
    with new_session() as s:
        from app.projects.models import Project
        assert s.scalar(select(Project.rank_suggestions)) is False
