"""The coding view in a real browser: mouse and keyboard coding, offsets with astral
characters, combining accents and CRLF sources, overlaps in the margin, memos, undo and redo,
turns and speakers, and two coders at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import FIXTURES, PASSWORD

IE_YAML = Path(__file__).resolve().parents[2] / "codebooks" / "institutional-ethnography.yaml"
INTERVIEW = FIXTURES / "ingest" / "interview.txt"
ACCENTS = FIXTURES / "coding" / "accents.txt"
SCREENSHOT = "/tmp/fieldbench-coding.png"

# Where a phrase is on screen: the middle of its first and last character (code points, so
# an emoji is never split), from DOM ranges over the text nodes that hold them.
LOCATE = """([phrase, nth]) => {
  const root = document.getElementById('document-text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let all = '', node, i = -1;
  while ((node = walker.nextNode())) { nodes.push([node, all.length]); all += node.data; }
  for (let k = 0; k <= nth; k++) { i = all.indexOf(phrase, i + 1); if (i < 0) return null; }
  const rect = (pos, len, last) => {
    const [n, base] = nodes.filter(([, b]) => b <= pos).pop();
    const r = document.createRange();
    r.setStart(n, pos - base); r.setEnd(n, pos - base + len);
    const rects = r.getClientRects();
    return last ? rects[rects.length - 1] : rects[0];
  };
  const chars = Array.from(phrase), lastLen = chars[chars.length - 1].length;
  const a = rect(i, chars[0].length, false), b = rect(i + phrase.length - lastLen, lastLen, true);
  return {x1: a.left + 1, y1: (a.top + a.bottom) / 2, x2: b.right - 1, y2: (b.top + b.bottom) / 2};
}"""

RECORD_SELECTION = """() => {
  window.__selected = '';
  document.addEventListener('selectionchange', () => {
    const s = getSelection();
    if (s.rangeCount && !s.isCollapsed) window.__selected = s.toString();
  });
}"""


@pytest.fixture
def project(study):
    """The study with the institutional-ethnography codebook."""
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        codebook.load(s, project=projects.get_project_or_raise(s, slug="study"),
                      spec=parse_yaml(IE_YAML.read_text()), by=study["owner"])
    return study


def ingest(path: Path, title: str = "") -> int:
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        owner = projects.first_owner(s, project=project)
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="interview", title=title)
        doc, _ = documents.ingest(s, project=project, filename=path.name,
                                  data=path.read_bytes(), meta=meta, by=owner, max_bytes=10**6)
        return doc.id


@pytest.fixture
def interview(project) -> int:
    return ingest(INTERVIEW, "Riverside follow-up interview")


def open_document(page: Page, doc: int) -> None:
    page.goto(f"/p/study/documents/{doc}")
    expect(page.locator("#document-text")).to_be_visible()
    page.evaluate(RECORD_SELECTION)


def drag(page: Page, phrase: str, nth: int = 0) -> None:
    """Select a phrase with a real mouse drag, from its first character to its last."""
    box = page.evaluate(LOCATE, [phrase, nth])
    assert box, f"{phrase!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def pick(page: Page, key: str) -> None:
    picker = page.get_by_role("dialog", name=re.compile("Code|Recode"))
    expect(picker).to_be_visible()
    page.keyboard.type(key)
    expect(page.locator("#picker-list [aria-selected=true] .key")).to_have_text(key)
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()


def codings(page: Page, doc: int) -> list[dict]:
    return page.evaluate(
        "async (doc) => (await fetch(`/api/documents/${doc}/codings`)).json()", doc)


def newest(page: Page, doc: int, count: int) -> dict:
    """The newest coding, once the text shows `count` codings (the swap is done)."""
    expect(page.locator("#document-text")).to_have_attribute("data-codings", str(count))
    return max(codings(page, doc), key=lambda c: c["id"])


def code_by_mouse(page: Page, doc: int, phrase: str, key: str, nth: int = 0) -> dict:
    before = len(codings(page, doc))
    drag(page, phrase, nth)
    pick(page, key)
    expect(page.locator("#coding-status")).to_contain_text(f"Coded {key}")
    return newest(page, doc, before + 1)


def highlighted(page: Page, coding_id: int) -> str:
    return page.evaluate("""(id) => [...document.querySelectorAll(
        `#document-text span[data-c~="${id}"]`)].map((s) => s.textContent).join('')""", coding_id)


def test_code_a_passage_with_the_mouse_and_find_it_after_reload(page: Page, interview, log_in):
    log_in("coder@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    open_document(page, interview)
    phrase = "the first one I chaired since joining the team"
    coding = code_by_mouse(page, interview, phrase, "PA-RATION")
    assert coding["quote"] == phrase == page.evaluate("window.__selected").strip()
    expect(page.locator(f"#document-text span[data-c~='{coding['id']}']").first).to_be_visible()
    expect(page.locator(".margin .bar")).to_have_count(1)
    expect(page.locator(".margin .bar .bar-key")).to_have_text("PA-RATION")
    page.reload()
    assert highlighted(page, coding["id"]) == phrase
    panel = page.get_by_role("complementary", name="Codings in this document")
    expect(panel.locator(".code-group[data-code=PA-RATION] .quotes li")).to_have_text([phrase])


def test_overlapping_codings_show_two_bars_with_their_keys(page: Page, interview, log_in):
    log_in("coder@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    open_document(page, interview)
    first = code_by_mouse(page, interview, "It was the first one I chaired", "PA-RATION")
    second = code_by_mouse(page, interview, "I chaired since joining the team", "DA-FRAG")
    both = page.locator(f"#document-text span[data-c='{first['id']} {second['id']}']")
    expect(both).to_have_text("I chaired")
    bars = page.locator(".margin .bar")
    expect(bars).to_have_count(2)
    expect(bars.locator(".bar-key")).to_have_text(["PA-RATION", "DA-FRAG"])
    lefts = [b["x"] for b in (bars.nth(i).bounding_box() for i in range(2))]
    assert lefts[0] != lefts[1], "overlapping codings share a column"
    assert highlighted(page, first["id"]) == "It was the first one I chaired"
    assert highlighted(page, second["id"]) == "I chaired since joining the team"
    code_by_mouse(page, interview, "The health visitor's notes arrived late.", "DA-FRAG-INFO")
    page.mouse.move(5, 5)
    page.screenshot(path=SCREENSHOT)
    # Printed: no picker, panels or buttons; highlights become underlines with their keys.
    page.emulate_media(media="print")
    expect(page.locator(".side")).to_be_hidden()
    expect(page.locator(".margin")).to_be_hidden()
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()
    marker = page.evaluate(f"""getComputedStyle(document.getElementById('coding-{first['id']}'),
                                                 '::before').content""")
    assert "PA-RATION" in marker, marker
    page.screenshot(path="/tmp/fieldbench-coding-print.png", full_page=True)
    page.emulate_media(media="screen")
    # The picker keeps the code's definition and guidance beside the list.
    drag(page, "Police, health and the school")
    expect(page.locator("#picker-input")).to_be_focused()
    page.keyboard.type("DA-RIT")
    definition = page.locator("#picker-def")
    expect(definition).to_contain_text("When to use")
    expect(definition).to_contain_text("When not to use")
    expect(page.locator("#picker-list li[data-key=DA]")).to_have_count(0)  # a category
    page.screenshot(path="/tmp/fieldbench-coding-picker.png")
    page.keyboard.press("Escape")
    expect(page.locator("#code-picker")).to_be_hidden()
    # Clicking a bar opens the coding: code, coder, Recode and Remove.
    bars.nth(1).click()
    popover = page.locator("#coding-popover")
    expect(popover).to_contain_text("DA-FRAG")
    expect(popover).to_contain_text("coder@example.org")
    expect(popover.get_by_role("button", name="Remove")).to_be_visible()
    page.screenshot(path="/tmp/fieldbench-coding-popover.png")


ACCENT_PHRASES = [
    "Zoë said 🙂 the café",                                 # astral emoji inside
    "café tracker was red again.\nShe added that q̃",       # across a CRLF line break
    "q̃ and ñ",                                               # combining tilde
    "engaging 🙂🙂",                                          # ends on an emoji
    "José said the résumé",                                  # after emoji in the turn
    "Noted 👍🏽",                                              # emoji with a skin-tone modifier
]


def test_emoji_combining_accents_and_crlf_keep_exact_quotes(page: Page, project, log_in):
    assert b"\r\n" in ACCENTS.read_bytes(), "the fixture must keep its CRLF line endings"
    log_in("coder@example.org")
    page.goto("/p/study/upload")
    page.set_input_files("#files", ACCENTS)
    page.get_by_label("Site", exact=True).select_option(label="North")
    page.get_by_label("Kind", exact=True).select_option(label="Observation")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload", exact=True).click()
    with page.expect_navigation():
        page.locator("#upload-report ul.added a").click()
    doc = int(re.search(r"/documents/(\d+)", page.url).group(1))
    page.evaluate(RECORD_SELECTION)
    text = page.evaluate("async (d) => (await (await fetch(`/api/documents/${d}`)).json()).text",
                         doc)
    for phrase in ACCENT_PHRASES:
        coding = code_by_mouse(page, doc, phrase, "PA-RATION")
        selected = page.evaluate("window.__selected")
        assert coding["quote"] == phrase == selected.strip(), (phrase, selected)
        assert text[coding["start"]:coding["end"]] == phrase
        assert highlighted(page, coding["id"]) == phrase


def test_offsets_helper_maps_ranges_in_code_points(page: Page, project, log_in):
    """Ranges on text nodes, on element nodes and outside the text map to code points."""
    doc = ingest(ACCENTS)
    log_in("viewer@example.org")
    open_document(page, doc)
    text = page.evaluate("async (d) => (await (await fetch(`/api/documents/${d}`)).json()).text",
                         doc)
    got = page.evaluate("""() => {
      const root = document.getElementById('document-text'), O = Fieldbench.offsets;
      const span = (a, ao, b, bo) => {
        const r = document.createRange();
        r.setStart(a, ao);
        r.setEnd(b, bo);
        return O.fromRange(root, r);
      };
      const seg = [...root.querySelectorAll('span[data-start]')]
        .find((s) => s.textContent.includes('🙂🙂'));
      const t = seg.firstChild, at = t.data.indexOf('🙂🙂');
      const turn = seg.closest('.turn'), utter = turn.querySelector('.utterance');
      return {
        emoji: span(t, at, t, at + 4),
        whole: span(utter, 0, utter, utter.childNodes.length),
        turnEl: span(turn, 0, turn, turn.childNodes.length),
        outside: span(document.querySelector('h1'), 0, t, at + 4),
        blank: span(t, at - 1, t, at),
      };
    }""")
    emoji = text.index("🙂🙂")
    assert (got["emoji"]["start"], got["emoji"]["end"]) == (emoji, emoji + 2)
    assert got["emoji"]["quote"] == "🙂🙂"
    turn_text = "She wasn't engaging 🙂🙂, and José said the résumé was late."
    assert got["whole"]["quote"] == turn_text
    assert text[got["whole"]["start"]:got["whole"]["end"]] == turn_text
    assert text[got["turnEl"]["start"]:got["turnEl"]["end"]] == "Social worker: " + turn_text
    assert got["turnEl"]["quote"] is None  # label and turn: shown apart, sent without a quote
    assert got["outside"]["start"] == 0 and got["outside"]["end"] == emoji + 2
    assert got["blank"]["empty"] is True


def tab_to_block(page: Page, turn: bool = False) -> str:
    """Press Tab until a block of the text (a turn, if asked) has the focus; its id."""
    want = "#document-text .turn" if turn else "#document-text [data-block]"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement.matches(sel)", want):
            return page.evaluate("document.activeElement.id")
    raise AssertionError("Tab never reached a block of the text")


def test_keyboard_only_coding(page: Page, interview, log_in):
    log_in("coder@example.org")
    open_document(page, interview)
    block = tab_to_block(page)
    for _ in range(10):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    selected = page.evaluate("getSelection().toString()")
    assert selected.startswith("Transcript") and len(selected.strip()) > 10
    page.keyboard.press("c")
    expect(page.locator("#picker-input")).to_be_focused()
    page.keyboard.type("PA-PERF")
    page.keyboard.press("Enter")
    coding = newest(page, interview, 1)
    assert coding["quote"] == selected.strip() and coding["code"] == "PA-PERF"
    expect(page.locator(f"#{block}")).to_be_focused()  # focus is back in the text
    # A whole turn with `t`; a recent code with its number key.
    turn = tab_to_block(page, turn=True)
    page.keyboard.press("t")
    expect(page.locator("#picker-title")).to_contain_text("Code this turn of Interviewer")
    page.keyboard.press("1")  # the most recent code: PA-PERF
    coding = newest(page, interview, 2)
    assert coding["code"] == "PA-PERF"
    assert coding["quote"] == page.locator(f"#{turn} .utterance").text_content()
    expect(page.locator(f"#{turn}")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("2")
    expect(page.get_by_role("alert")).to_contain_text("no recent code number 2")
    page.keyboard.press("Escape")
    page.keyboard.press("o")  # the codings at the caret
    expect(page.locator("#coding-popover")).to_contain_text("PA-PERF")
    page.keyboard.press("Escape")
    expect(page.locator("#coding-popover")).to_be_hidden()
    expect(page.locator(f"#{turn}")).to_be_focused()


def test_white_space_selection_is_refused(page: Page, project, log_in):
    doc = ingest(ACCENTS)
    log_in("coder@example.org")
    open_document(page, doc)
    page.evaluate("""() => {
      const seg = [...document.querySelectorAll('#document-text span[data-start]')]
        .find((s) => s.textContent.includes('again.\\nShe'));
      const t = seg.firstChild, at = t.data.indexOf('\\nShe');
      seg.closest('[data-block]').focus();
      getSelection().setBaseAndExtent(t, at - 1 + '.'.length, t, at + 1);
    }""")
    assert page.evaluate("getSelection().toString()") == "\n"
    page.keyboard.press("c")
    expect(page.get_by_role("alert")).to_have_text(re.compile("only white space"))
    expect(page.locator("#code-picker")).to_be_hidden()
    assert codings(page, doc) == []


def test_memo_on_a_coding(page: Page, interview, log_in):
    log_in("coder@example.org")
    open_document(page, interview)
    coding = code_by_mouse(page, interview, "Police, health and the school", "CT-PARTNER")
    page.locator(f"#document-text span[data-c~='{coding['id']}']").first.click()
    popover = page.locator("#coding-popover")
    expect(popover).to_contain_text("No memos yet")
    popover.get_by_label("Memo kind").select_option(label="Reflexive")
    popover.get_by_label("Memo on this coding (Markdown)").fill("Who was **not** in the room?")
    popover.get_by_role("button", name="Add memo").click()
    memo = popover.locator(".memo")
    expect(memo).to_have_count(1)
    expect(memo).to_contain_text("Reflexive")
    expect(memo.locator("strong")).to_have_text("not")
    stored = page.evaluate("async (id) => (await fetch(`/api/projects/study/memos?coding=${id}`))"
                           ".json()", coding["id"])
    assert [m["body"] for m in stored] == ["Who was **not** in the room?"]
    page.reload()
    page.locator(f".margin .bar[data-coding='{coding['id']}']").click()
    expect(page.locator("#coding-popover .memo")).to_contain_text("Who was not in the room?")


def test_undo_and_redo(page: Page, interview, log_in):
    log_in("coder@example.org")
    open_document(page, interview)
    coding = code_by_mouse(page, interview, "the designated safeguarding lead", "PA-RATION")
    text = page.locator("#document-text")
    page.get_by_role("button", name="Undo").click()
    expect(text).to_have_attribute("data-codings", "0")
    assert codings(page, interview) == []
    page.keyboard.press("Control+Shift+Z")
    expect(text).to_have_attribute("data-codings", "1")
    assert [c["id"] for c in codings(page, interview)] == [coding["id"]]  # restored, same id
    page.keyboard.press("Control+z")
    expect(text).to_have_attribute("data-codings", "0")
    page.get_by_role("button", name="Redo").click()
    expect(text).to_have_attribute("data-codings", "1")
    # Remove, then undo the removal.
    page.locator(f"#document-text span[data-c~='{coding['id']}']").first.click()
    page.locator("#coding-popover").get_by_role("button", name="Remove").click()
    expect(text).to_have_attribute("data-codings", "0")
    expect(page.get_by_role("status")).to_contain_text("Removed PA-RATION")
    page.keyboard.press("Control+z")
    expect(text).to_have_attribute("data-codings", "1")
    # Recode, then undo the recode.
    page.locator(f"#document-text span[data-c~='{coding['id']}']").first.click()
    page.locator("#coding-popover").get_by_role("button", name="Recode…").click()
    pick(page, "DA-FRAG")
    expect(page.locator(".margin .bar-key")).to_have_text("DA-FRAG")
    assert codings(page, interview)[0]["code"] == "DA-FRAG"
    page.keyboard.press("Control+z")
    expect(page.locator(".margin .bar-key")).to_have_text("PA-RATION")
    assert [(c["id"], c["code"]) for c in codings(page, interview)] == [
        (coding["id"], "PA-RATION")]
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".margin .bar-key")).to_have_text("DA-FRAG")


def test_code_a_turn_and_every_turn_of_a_speaker(page: Page, interview, log_in):
    log_in("coder@example.org")
    open_document(page, interview)
    turn = page.locator(".turn", has=page.locator(".speaker", has_text="Zoë")).first
    turn.hover()
    turn.get_by_role("button", name="Code turn").click()
    pick(page, "PA-PART")
    coding = newest(page, interview, 1)
    assert coding["quote"] == turn.locator(".utterance").text_content().strip()
    turn.hover()
    turn.get_by_role("button", name="All turns of Zoë").click()
    expect(page.locator("#picker-title")).to_have_text("Code every turn of Zoë in this document")
    pick(page, "PA-PART")
    newest(page, interview, 2)
    expect(page.locator("#coding-status")).to_have_text("Coded 1 turn of Zoë PA-PART.")
    made = codings(page, interview)
    assert len(made) == 2 and {c["code"] for c in made} == {"PA-PART"}
    zoe = page.locator(".turn", has=page.locator(".speaker", has_text="Zoë"))
    for i in range(2):
        expect(zoe.nth(i).locator(".utterance span[data-c]")).not_to_have_count(0)


def sign_in_page(context, email: str) -> Page:
    tab = context.new_page()
    tab.goto("/login")
    tab.get_by_label("E-mail", exact=True).fill(email)
    tab.get_by_label("Password", exact=True).fill(PASSWORD)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign in").click()
    return tab


def test_two_coders_see_each_others_codings(browser, live_server, interview):
    contexts = [browser.new_context(base_url=live_server) for _ in range(2)]
    try:
        ana, ben = (sign_in_page(c, e) for c, e in zip(contexts, ["coder@example.org",
                                                                   "owner@example.org"]))
        for tab in (ana, ben):
            open_document(tab, interview)
        code_by_mouse(ana, interview, "Thanks for making time", "PA-RATION")
        expect(ben.locator("#document-text")).to_have_attribute("data-codings", "1",
                                                                 timeout=8000)
        expect(ben.locator(".margin .bar-key")).to_have_text(["PA-RATION"])
        # Ben's open picker holds back the refresh; nothing he is doing is lost.
        drag(ben, "Who spoke for the school?")
        expect(ben.locator("#code-picker")).to_be_visible()
        code_by_mouse(ana, interview, "the strategy meeting", "DA-FRAG")
        ben.wait_for_timeout(3500)
        expect(ben.locator("#document-text")).to_have_attribute("data-codings", "1")
        pick(ben, "CT-PARTNER")
        expect(ben.locator("#document-text")).to_have_attribute("data-codings", "3")
        expect(ana.locator("#document-text")).to_have_attribute("data-codings", "3",
                                                                 timeout=8000)
        coders = {c["coder"] for c in codings(ana, interview)}
        assert coders == {"coder@example.org", "owner@example.org"}
    finally:
        for context in contexts:
            context.close()
