"""The codebook pages in a real browser: the tree, a code page, renaming, the print view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
IE_YAML = ROOT / "codebooks" / "institutional-ethnography.yaml"
FAMILIES = ["Ruling relations", "Depressive anxieties", "Persecutory anxieties",
            "Containment and reflective space", "The primary task", "The innovation journey",
            "Foundational contextual domains", "Principles for innovation"]
SCREENSHOT = "/tmp/fieldbench-codebook.png"
PRINT_SCREENSHOT = "/tmp/fieldbench-codebook-print.png"


@pytest.fixture
def ie(study):
    """The study with the institutional-ethnography codebook and one coding of DA-FRAG."""
    from app.codebook import service
    from app.codebook.spec import parse_yaml
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    owner = study["owner"]
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        service.load(s, project=project, spec=parse_yaml(IE_YAML.read_text()), by=owner)
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="south"),
                                      kind="observation")
        doc, _ = documents.ingest(s, project=project, filename="panel.txt", max_bytes=10**6,
                                  data=b"Chair: Four agencies report; none has met her.\n",
                                  meta=meta, by=owner)
        coding.create(s, project=project, document=doc, code_key="DA-FRAG", start=7, end=29,
                      by=owner)
    return study


def test_owner_browses_the_codebook_and_renames_a_code(page: Page, ie, log_in):
    page.set_viewport_size({"width": 1280, "height": 1000})
    log_in("owner@example.org")
    page.goto("/p/study/codebook")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Institutional ethnography and organisational defences")
    headings = page.locator("section.family h2")
    expect(headings).to_have_count(len(FAMILIES))
    for heading, name in zip(headings.all(), FAMILIES, strict=True):
        expect(heading).to_contain_text(name)
    page.screenshot(path=SCREENSHOT)
    row = page.locator("#code-DA-FRAG > .code-row")
    expect(row).to_contain_text("Fragmentation and depersonalisation")
    counts = row.get_by_text("1 coding")
    counts.focus()
    page.keyboard.press("Enter")  # the per-site counts open from the keyboard
    expect(row.locator('td[data-site="south"]')).to_have_text("1")

    row.get_by_role("link", name="DA-FRAG").click()
    expect(page).to_have_url(re.compile(r"/p/study/codebook/codes/DA-FRAG$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"DA-FRAG\s+Fragmentation and depersonalisation"))
    not_to_use = page.locator("h2:has-text('When not to use') + p")
    expect(not_to_use.get_by_role("link", name="DA-RITUAL")).to_be_visible()
    page.screenshot(path="/tmp/fieldbench-code.png", full_page=True)

    page.get_by_text("Rename (new key or name)").click()
    page.get_by_label("New key").fill("DA-SPLIT")
    page.get_by_label("New name").fill("Splitting and distance")
    with page.expect_navigation():
        page.get_by_role("button", name="Rename", exact=True).click()
    expect(page).to_have_url(re.compile(r"/p/study/codebook/codes/DA-SPLIT$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"DA-SPLIT\s+Splitting and distance"))
    expect(page.locator("aside")).to_contain_text("1 coding in all")

    page.locator("#main").get_by_role("link", name="Codebook", exact=True).click()
    expect(page.locator("#code-DA-SPLIT .code-row").first).to_contain_text(
        "Splitting and distance")
    expect(page.locator("#code-DA-FRAG")).to_have_count(0)


def test_print_view_hides_the_top_bar(page: Page, ie, log_in):
    log_in("viewer@example.org")
    page.goto("/p/study/codebook/print")
    expect(page.locator(".topbar")).to_be_visible()
    expect(page.locator("article.print-code")).to_have_count(79)
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".no-print")).to_be_hidden()
    expect(page.locator("#code-DA-FRAG")).to_be_visible()
    swatch = page.locator("#code-DA-FRAG .swatch")
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(64, 28, 43)"
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    page.set_viewport_size({"width": 900, "height": 1270})
    page.screenshot(path=PRINT_SCREENSHOT)
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    Path("/tmp/fieldbench-codebook.pdf").write_bytes(pdf)
