"""The sign-in, upload, document, project and speakers pages in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import FIXTURES, PASSWORD

INGEST = FIXTURES / "ingest"
SCREENSHOT = "/tmp/fieldbench-document.png"

# tests/fixtures/ingest/teams.vtt: consecutive cues of one voice merge into one turn.
TEAMS_SPEAKERS = ["Priya Shah", "Tomás Ryan", "Priya Shah"]
TEAMS_STAMPS = ["0:01", "0:09", "0:16"]


def speaker_label(name: str) -> re.Pattern[str]:
    """The heading shows the label as written in the text, which may end in a colon."""
    return re.compile(rf"^\s*{re.escape(name)}:?\s*$")


def upload(page: Page, *names: str, site: str = "North", kind: str = "Interview") -> None:
    """Send files through the upload form and wait for the report page."""
    page.goto("/p/study/upload")
    page.set_input_files("#files", [INGEST / name for name in names])
    page.get_by_label("Site", exact=True).select_option(label=site)
    page.get_by_label("Kind", exact=True).select_option(label=kind)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload", exact=True).click()


def test_sign_in_lands_on_projects(page: Page, study, live_server):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("E-mail", exact=True).fill("coder@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    expect(page.locator(".card").get_by_role("link", name="Study")).to_be_visible()
    expect(page.locator(".who")).to_have_text("coder@example.org")


def test_wrong_password_stays_on_sign_in(page: Page, study):
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill("coder@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    assert navigation.value.status == 401
    expect(page.get_by_role("alert")).to_have_text(
        "That e-mail and password do not match an account.")
    expect(page.get_by_role("heading", name="Sign in to Fieldbench")).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("coder@example.org")
    assert page.url.endswith("/login")
    page.goto("/")  # still signed out
    expect(page).to_have_url(re.compile(r"/login"))


def test_upload_vtt_and_read_its_turns(page: Page, study, log_in):
    log_in("coder@example.org")
    upload(page, "teams.vtt")
    added = page.locator("#upload-report ul.added li")
    expect(added).to_have_count(1)
    expect(page.locator("#upload-report ul.refused")).to_have_count(0)
    link = added.get_by_role("link")
    expect(link).to_have_text("teams")
    link.click()
    expect(page).to_have_url(re.compile(r"/p/study/documents/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("teams")
    expect(page.locator(".turn .speaker")).to_have_text(
        [speaker_label(name) for name in TEAMS_SPEAKERS])
    expect(page.locator(".turn time.stamp")).to_have_text(TEAMS_STAMPS)
    expect(page.locator(".turn .utterance").nth(1)).to_have_text(
        "Attendance is up to 85% this half term.")
    expect(page.locator(".plain")).to_contain_text(["[inaudible]"])
    sidebar = page.get_by_role("complementary", name="Document details")
    expect(sidebar).to_contain_text("Interview")
    expect(sidebar).to_contain_text("teams.vtt")
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_upload_one_good_one_bad_file(page: Page, study, log_in):
    log_in("coder@example.org")
    upload(page, "interview.txt", "empty.txt")
    expect(page.locator("#upload-report ul.added li")).to_have_count(1)
    expect(page.locator("#upload-report ul.added li a")).to_have_text("interview")
    refused = page.locator("#upload-report ul.refused li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("empty.txt")
    expect(refused).to_contain_text("empty")
    # The form is there again for the next upload.
    expect(page.locator("#files")).to_be_visible()


def test_project_page_counts_documents_per_site(page: Page, study, log_in):
    log_in("owner@example.org")
    page.goto("/p/study")
    rows = page.locator("table.grid tbody tr")
    expect(rows.locator("td:first-child")).to_have_text(["North", "South"])
    north = page.locator("td[data-site=north]")
    south = page.locator("td[data-site=south]")
    expect(north).to_have_text("0")
    expect(south).to_have_text("0")
    upload(page, "teams.vtt", site="North")
    expect(page.locator("#upload-report ul.added li")).to_have_count(1)
    page.goto("/p/study")
    expect(north).to_have_text("1")
    expect(south).to_have_text("0")


def test_speaker_role_saved_with_htmx(page: Page, study, log_in):
    log_in("coder@example.org")
    upload(page, "teams.vtt")
    document_url = page.locator("#upload-report ul.added a").get_attribute("href")
    page.goto("/p/study/speakers")
    row = page.locator("tbody tr", has_text="Priya Shah")
    expect(row).to_have_count(1)
    page.evaluate("window.__fieldbenchMarker = 'still here'")
    row.get_by_label("Role of Priya Shah").fill("Chair")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and "/p/study/speakers/" in r.url) as answer:
        row.get_by_role("button", name="Save").click()
    assert answer.value.ok and answer.value.request.headers.get("hx-request") == "true"
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row.get_by_label("Role of Priya Shah")).to_have_value("Chair")
    # htmx swapped the row in place: the page (and what it keeps on window) is the same.
    assert page.evaluate("window.__fieldbenchMarker") == "still here"
    assert page.url.endswith("/p/study/speakers")

    page.reload()
    expect(page.get_by_role("status")).to_have_count(0)
    expect(page.get_by_label("Role of Priya Shah")).to_have_value("Chair")
    expect(page.get_by_label("Role of Tomás Ryan")).to_have_value("")

    page.goto(document_url)
    heads = page.locator(".turn .turn-head")
    expect(heads).to_have_count(3)
    for i, name in enumerate(TEAMS_SPEAKERS):
        expect(heads.nth(i).locator(".speaker")).to_have_text(speaker_label(name))
        expect(heads.nth(i).locator(".role")).to_have_count(1 if name == "Priya Shah" else 0)
    expect(heads.nth(0).locator(".role")).to_have_text("Chair")


def test_viewer_cannot_upload(page: Page, study, log_in):
    log_in("viewer@example.org")
    page.goto("/p/study")
    nav = page.get_by_role("navigation", name="Project")
    expect(nav.get_by_role("link", name="Speakers")).to_be_visible()
    expect(nav.get_by_role("link", name="Upload")).to_have_count(0)
    page.goto("/p/study/sites/north")
    expect(page.get_by_role("link", name="Upload documents")).to_have_count(0)
    response = page.goto("/p/study/upload")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_be_empty()
    expect(page.locator("#files")).to_have_count(0)
