"""Pseudonymisation at upload in a real browser: preview, untick, edit, confirm, read."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import FIXTURES

FIELDNOTE = FIXTURES / "pseudonyms" / "fieldnote.txt"


def test_upload_with_preview_untick_edit_and_confirm(page: Page, study, log_in):
    log_in("owner@example.org")
    page.goto("/p/study/upload")
    page.set_input_files("#files", FIELDNOTE)
    page.get_by_label("Site", exact=True).select_option(label="North")
    page.get_by_label("Kind", exact=True).select_option(label="Observation")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview pseudonymisation").click()
    expect(page.get_by_role("heading", name="Check the pseudonyms")).to_be_visible()
    expect(page.get_by_label("Pseudonym for Jordan Smith")).to_have_value("Person 1")

    dundee = page.locator('li[data-name="Dundee"] input[type="checkbox"]')
    expect(dundee).to_be_checked()
    dundee.uncheck()
    page.get_by_label("Pseudonym for Paisley").fill("Town X")
    page.get_by_label("Role of Jordan Smith").select_option("young person")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm and import").click()

    report = page.locator("#upload-report")
    expect(report).to_contain_text("new register entries")
    with page.expect_navigation():
        report.get_by_role("link", name="fieldnote").click()
    text = page.locator(".document")
    expect(text).to_contain_text("Young person 1 arrived late")
    expect(text).to_contain_text("placement in Town X")
    expect(text).to_contain_text("move back to Dundee")      # unticked: left as it is
    expect(text).not_to_contain_text("Jordan")
    expect(text).not_to_contain_text("Siobhán")

    page.goto("/p/study/pseudonyms")
    row = page.locator("table.pseudo-register tr", has_text="Jordan Smith")
    expect(row).to_contain_text("Young person 1")
    expect(page.locator("table.pseudo-register")).not_to_contain_text("Dundee")
