"""Retrieval in a real browser: an AND-overlap query across two sites in the excerpt form,
then matrix → cell → excerpts → the coding view at that excerpt."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.retrieval.conftest import corpus  # noqa: F401  (the hand-built corpus fixture)


def test_query_across_two_sites_then_drill_down_to_the_coding(page: Page, log_in, corpus):  # noqa: F811
    names = corpus["names"]
    log_in("owner@example.org")
    page.goto("/p/study/excerpts")
    page.get_by_label("Query", exact=True).fill("PA-RATION AND RR-TEXT")
    page.get_by_label("North", exact=True).check()
    page.get_by_label("South", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Find excerpts").click()
    assert "q=PA-RATION+AND+RR-TEXT" in page.url and "site=north" in page.url
    items = page.locator("li.excerpt")
    found = {int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.coding)")}
    assert found == {names["c1"], names["c3"], names["c10"], names["c11"]}
    expect(page.locator("#excerpt-total")).to_contain_text("4 excerpts")
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_role("navigation", name="Project").get_by_role("link", name="Matrix").click()
    expect(page.locator("#matrix")).to_be_visible()
    cell = page.locator('td[data-row="PA-RATION"][data-col="north"] a')
    expect(cell).to_have_text("2")
    with page.expect_navigation():
        cell.click()
    assert "/p/study/excerpts" in page.url
    expect(page.locator("li.excerpt")).to_have_count(2)

    target = page.locator(f'li.excerpt[data-coding="{names["c9"]}"] a.excerpt-doc')
    expect(target).to_have_text("Library observation")
    with page.expect_navigation():
        target.click()
    assert re.search(rf"/p/study/documents/{corpus['docs']['D2']}#coding-{names['c9']}$", page.url)
    expect(page.locator(f"#coding-{names['c9']}")).to_have_count(1)
