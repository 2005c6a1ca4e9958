"""Exports in a real browser: the excerpt browser's Download button carries the current
filter, and a large export shows its progress and then a download link."""

from __future__ import annotations

import csv

from playwright.sync_api import Page, expect

from tests.retrieval.conftest import corpus  # noqa: F401  (the hand-built corpus fixture)


def test_download_the_filtered_excerpts_as_csv(page: Page, log_in, corpus):  # noqa: F811
    log_in("viewer@example.org")
    page.goto("/p/study/excerpts?code=PA-RATION&site=north")
    expect(page.locator("#excerpt-total")).to_contain_text("2 excerpts")
    page.get_by_label("Export as").select_option("csv")
    with page.expect_download() as waiting:
        page.locator("#export-button").click()
    download = waiting.value
    assert download.suggested_filename.startswith("study-excerpts-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [corpus["ids"][int(r["excerpt_id"])] for r in rows] == ["c1", "c9"]
    assert [r["text"] for r in rows] == ["We ration places by age",
                                         "Nobody asked the young person"]


def test_a_large_export_shows_progress_then_a_link(page: Page, log_in, corpus,  # noqa: F811
                                                   monkeypatch):
    from app.exports import jobs as export_jobs
    from app.jobs.worker import Worker

    monkeypatch.setattr(export_jobs, "DIRECT_LIMIT", 3)
    log_in("viewer@example.org")
    page.goto("/p/study/excerpts?site=east")
    page.get_by_label("Export as").select_option("jsonl")
    with page.expect_navigation():
        page.locator("#export-button").click()
    expect(page.get_by_role("heading", name="Export")).to_be_visible()
    worker = Worker(poll_seconds=0.1, name="browser-test").start()
    try:
        link = page.locator("#export-download")
        expect(link).to_be_visible()
        expect(page.locator(".job-count")).to_have_text("5 of 5 excerpts")
        with page.expect_download() as waiting:
            link.click()
        lines = open(waiting.value.path(), encoding="utf-8").read().splitlines()
        assert len(lines) == 5
    finally:
        worker.stop()
