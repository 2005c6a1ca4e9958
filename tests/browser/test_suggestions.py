"""Reviewing suggestions in the browser, by keyboard only, and the background run's progress."""

import re

from playwright.sync_api import expect

from app.jobs.worker import Worker
from tests.suggestions.conftest import (engine_calls, parsed_once, patterned,  # noqa: F401
                                        suggested)


def test_review_by_keyboard_accept_and_see_the_coding(page, log_in, suggested):
    doc, ids = suggested["document_id"], suggested["ids"]
    perf, eng = f"#sugg-{ids['PA-PERF']}", f"#sugg-{ids['RR-DISC-ENG']}"
    log_in("coder@example.org")
    page.goto(f"/p/study/documents/{doc}/suggestions")
    expect(page.locator("#sugg-keys")).to_contain_text("accept")
    expect(page.locator(perf)).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(eng)).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(perf)).to_be_focused()
    expect(page.locator(f"{perf} mark")).to_have_text("scored 14")

    page.keyboard.press("]")                                   # end one word later
    expect(page.locator(f"{perf} mark")).to_have_text("scored 14 on")
    expect(page.locator(perf)).to_be_focused()
    page.keyboard.press("[")                                   # start one word earlier
    expect(page.locator(f"{perf} mark")).to_have_text("seven, scored 14 on")
    page.keyboard.press("Shift+BracketLeft")                   # and back
    expect(page.locator(f"{perf} mark")).to_have_text("scored 14 on")
    page.keyboard.press("a")
    expect(page.locator(perf)).to_have_attribute("data-status", "accepted")
    expect(page.locator(eng)).to_be_focused()                  # on to the next one
    expect(page.locator("#sugg-status")).to_contain_text("Accepted")

    coding = page.locator(f"{perf} [data-coding]").get_attribute("data-coding")
    page.goto(f"/p/study/documents/{doc}")
    expect(page.locator(f'[data-c~="{coding}"]').first).to_be_visible()
    api = page.request.get(f"/api/codings/{coding}").json()
    assert (api["origin"], api["quote"]) == ("suggested", "scored 14 on")


def test_reject_by_keyboard(page, log_in, suggested):
    eng = f"#sugg-{suggested['ids']['RR-DISC-ENG']}"
    log_in("coder@example.org")
    page.goto(f"/p/study/documents/{suggested['document_id']}/suggestions")
    page.keyboard.press("ArrowDown")
    expect(page.locator(eng)).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(eng)).to_have_attribute("data-status", "rejected")
    expect(page.locator(f"{eng} .sugg-decided")).to_contain_text("not be suggested again")


def test_run_suggestions_shows_progress_that_survives_a_reload(page, log_in, patterned):
    log_in("coder@example.org")
    page.goto("/p/study/suggestions")
    expect(page.locator("#sugg-empty")).to_be_visible()
    page.get_by_role("button", name="Run suggestions").click()
    bar = page.locator("#job-box .job")
    expect(bar).to_have_attribute("data-status", "queued")
    page.reload()
    expect(page.locator("#job-box .job")).to_have_attribute("data-status", "queued")
    worker = Worker(poll_seconds=0.1, name="browser-test").start()
    try:
        expect(page.locator("#job-box .job")).to_have_attribute("data-status", "done")
    finally:
        worker.stop()
    expect(page.locator("#job-box .job-count")).to_have_text("1 of 1 documents")
    page.get_by_role("link", name="Show the suggestions").click()
    expect(page.locator(".sugg")).to_have_count(2)
    assert re.search(r"/p/study/suggestions$", page.url)
