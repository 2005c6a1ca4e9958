"""The coding view and its fragments, through the signed-in browser session."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import sign_in, token_for

INTERVIEW = "tests/fixtures/ingest/interview.txt"


class Segments(HTMLParser):
    """Every `span[data-start]` with its text, and the coding anchors, from a page."""

    def __init__(self):
        super().__init__()
        self.spans: list[dict] = []
        self.anchors: dict[int, dict] = {}
        self._open: list[dict | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and "data-start" in attrs:
            span = {"start": int(attrs["data-start"]), "c": attrs.get("data-c", ""), "text": ""}
            self.spans.append(span)
            self._open.append(span)
        elif tag == "span":
            if attrs.get("class") == "anchor":
                self.anchors[int(attrs["id"].removeprefix("coding-"))] = attrs
            self._open.append(None)

    def handle_endtag(self, tag):
        if tag == "span" and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open and self._open[-1] is not None:
            self._open[-1]["text"] += data


def parse(html: str) -> Segments:
    parser = Segments()
    parser.feed(html)
    return parser


def code(client, headers, doc, text, phrase, key, nth=0):
    start = [m.start() for m in re.finditer(re.escape(phrase), text)][nth]
    response = client.post(f"/api/documents/{doc}/codings", headers=headers,
                           json={"code": key, "start": start, "end": start + len(phrase)})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def coded(client, coded_study):
    """Two overlapping codings on the chair's turn: 'Row seven' and 'seven, scored 14'."""
    headers = token_for(client, "coder@example.org")
    doc, text = coded_study["document_id"], coded_study["text"]
    first = code(client, headers, doc, text, "Row seven", "DA-FRAG")
    second = code(client, headers, doc, text, "seven, scored 14", "PA-PERF")
    return coded_study | {"headers": headers, "ids": (first, second)}


def test_view_renders_codings_as_segments(client, coded):
    doc, text, (first, second) = coded["document_id"], coded["text"], coded["ids"]
    sign_in(client, "coder@example.org")
    page = client.get(f"/p/study/documents/{doc}")
    assert page.status_code == 200
    found = parse(page.text)
    for span in found.spans:  # every segment is the stored text at its offset
        assert text[span["start"]:span["start"] + len(span["text"])] == span["text"]
    by_text = {s["text"]: s for s in found.spans}
    assert by_text["Row "]["c"] == str(first)
    assert by_text["seven"] == {"start": text.index("seven"), "c": f"{first} {second}",
                                "text": "seven"}
    assert by_text[", scored 14"]["c"] == str(second)
    assert by_text[" on the tool."]["c"] == ""
    # Margin data: one anchor per coding with its key and colour.
    assert found.anchors[first]["data-key"] == "DA-FRAG"
    assert found.anchors[second]["data-key"] == "PA-PERF"
    assert re.fullmatch(r"#[0-9a-f]{6}", found.anchors[first]["data-colour"])
    assert 'id="coding-margin"' in page.text and 'data-n="2"' in page.text
    # Turns are focusable blocks that know their turn and speaker; the picker is there.
    assert re.search(r'<div class="turn" id="turn-\d+" data-block data-turn="\d+" '
                     r'data-speaker="\d+"', page.text)
    assert page.text.count('tabindex="0"') == 2
    assert 'id="code-picker"' in page.text and "Code turn" in page.text
    assert '"key": "PA-PERF"' in page.text and '"key": "DA"' not in page.text  # no categories


def test_blocks_cover_the_text_outside_turns(client, study, coded_study):
    """Paragraphs outside turns are blocks of their own, split at blank lines."""
    headers = token_for(client, "coder@example.org")
    with open(INTERVIEW, "rb") as handle:
        made = client.post("/api/projects/study/documents", headers=headers,
                           files={"file": ("interview.txt", handle.read())},
                           data={"site": "north", "kind": "interview"})
    doc = made.json()["id"]
    text = client.get(f"/api/documents/{doc}", headers=headers).json()["text"]
    sign_in(client, "coder@example.org")
    html = client.get(f"/p/study/documents/{doc}/text").text
    paragraphs = re.findall(
        r'<div class="plain" id="para-(\d+)" data-block tabindex="0">(.*?)</div>', html, re.S)
    assert [(int(start), "".join(s["text"] for s in parse(inner).spans))
            for start, inner in paragraphs] == [
        (0, "Transcript: follow-up interview, Riverside multi-agency team\nDate: 14 March 2024"),
        (text.index("(end of"), "(end of transcript)")]
    for span in parse(html).spans:
        assert text[span["start"]:span["start"] + len(span["text"])] == span["text"]


def test_fragments(client, coded):
    doc, (first, second) = coded["document_id"], coded["ids"]
    sign_in(client, "coder@example.org")
    fragment = client.get(f"/p/study/documents/{doc}/text")
    assert fragment.status_code == 200
    assert re.match(r'\s*<div class="text" id="document-text"', fragment.text)
    assert "<html" not in fragment.text and fragment.headers["cache-control"] == "no-store"
    revision = re.search(r'data-revision="([^"]+)"', fragment.text).group(1)
    assert fragment.headers["etag"] == f'"{revision}"'
    api = client.get(f"/api/documents/{doc}/codings")
    assert api.headers["etag"] == f'"{revision}"'  # one revision, whichever is polled
    unchanged = client.get(f"/p/study/documents/{doc}/text",
                           headers={"If-None-Match": f'"{revision}"'})
    assert unchanged.status_code == 304 and unchanged.content == b""
    client.delete(f"/api/codings/{first}", headers=coded["headers"])
    changed = client.get(f"/p/study/documents/{doc}/text",
                         headers={"If-None-Match": f'"{revision}"'})
    assert changed.status_code == 200 and changed.headers["etag"] != f'"{revision}"'
    client.post(f"/api/codings/{first}/restore", headers=coded["headers"])

    panel = client.get(f"/p/study/documents/{doc}/codings-panel").text
    assert re.match(r'\s*<div id="codings-panel-body"', panel)
    assert re.findall(r'data-code="([^"]+)"', panel) == ["DA-FRAG", "PA-PERF"]
    assert f'href="#coding-{first}"' in panel and ">Row seven<" in panel

    popover = client.get(f"/p/study/documents/{doc}/popover?ids={first},{second}").text
    assert "coder@example.org" in popover and "codebook v1" in popover
    assert re.findall(r'data-coding="(\d+)" data-code="([^"]+)"', popover) == [
        (str(first), "DA-FRAG"), (str(second), "PA-PERF")]
    assert "Recode…" in popover and 'data-memos-for="%d"' % first in popover
    assert "When not to use" in popover


def test_removed_codings_leave_the_view(client, coded):
    doc, (first, second) = coded["document_id"], coded["ids"]
    assert client.delete(f"/api/codings/{first}", headers=coded["headers"]).status_code == 200
    sign_in(client, "coder@example.org")
    found = parse(client.get(f"/p/study/documents/{doc}/text").text)
    assert set(found.anchors) == {second}
    assert all(str(first) not in s["c"].split() for s in found.spans)
    popover = client.get(f"/p/study/documents/{doc}/popover?ids={first}").text
    assert "This coding has been removed." in popover


def test_viewer_sees_codings_but_no_coding_controls(client, coded):
    doc, (first, _) = coded["document_id"], coded["ids"]
    sign_in(client, "viewer@example.org")
    page = client.get(f"/p/study/documents/{doc}").text
    assert f'id="coding-{first}"' in page and 'data-can-edit="false"' in page
    for control in ('id="code-picker"', "Code turn", "All turns of", 'id="coding-undo"',
                    'id="codebook-data"', 'aria-describedby="coding-keys"'):
        assert control not in page, control
    popover = client.get(f"/p/study/documents/{doc}/popover?ids={first}").text
    assert "DA-FRAG" in popover
    assert "Recode" not in popover and "Remove" not in popover and "<form" not in popover


@pytest.mark.parametrize("path", ["", "/text", "/codings-panel", "/popover?ids=1"])
def test_outsider_gets_404(client, coded, path):
    sign_in(client, "outsider@example.org")
    response = client.get(f"/p/study/documents/{coded['document_id']}{path}")
    assert response.status_code == 404


def test_document_under_another_project_slug_is_not_found(client, coded):
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        projects.create(s, slug="other", name="Other", owner=coded["users"]["coder"])
    sign_in(client, "coder@example.org")
    assert client.get(f"/p/other/documents/{coded['document_id']}").status_code == 404


def test_queries_do_not_grow_with_codings(client, coded):
    """The view costs the same number of queries whatever the number of codings."""
    from sqlalchemy import event

    from app.db import get_engine

    doc, text = coded["document_id"], coded["text"]
    sign_in(client, "coder@example.org")

    def count_queries() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(get_engine(), "before_cursor_execute", listener)
        try:
            assert client.get(f"/p/study/documents/{doc}").status_code == 200
        finally:
            event.remove(get_engine(), "before_cursor_execute", listener)
        return len(seen)

    few = count_queries()
    for word in ("Chair", "tool", "She", "engaging", "not"):
        code(client, coded["headers"], doc, text, word, "DA-RITUAL")
    assert count_queries() == few


def test_picker_offers_neither_categories_nor_retired_codes(client, coded):
    """Codings with a retired code still show; the code is no longer offered."""
    import json

    from app.codebook import evolve
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        evolve.retire(s, project=projects.get_project_or_raise(s, slug="study"),
                      by=coded["users"]["owner"], key="DA-FRAG")
    sign_in(client, "coder@example.org")
    page = client.get(f"/p/study/documents/{coded['document_id']}").text
    data = re.search(r'<script type="application/json" id="codebook-data">(.*?)</script>',
                     page, re.S).group(1)
    offered = {code["key"]: code for code in json.loads(data)}
    assert "DA-FRAG" not in offered and "DA" not in offered and "PA-PERF" in offered
    assert offered["PA-PERF"]["family"] == "PA" and offered["PA-PERF"]["when_not_to_use"]
    assert parse(page).anchors[coded["ids"][0]]["data-key"] == "DA-FRAG"
