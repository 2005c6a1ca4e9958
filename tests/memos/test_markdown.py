"""Memo Markdown is rendered safely: no raw HTML, no scripts, no javascript: links."""

import pytest

from app.memos.markdown import render


def test_plain_markdown_renders():
    html = render("# Panel\n\n*Row* **seven** `14`\n\n> quoted\n\n- one\n- two\n\n1. a\n\n---")
    for part in ("<h1>Panel</h1>", "<em>Row</em>", "<strong>seven</strong>", "<code>14</code>",
                 "<blockquote>", "<ul>", "<li>one</li>", "<ol>", "<hr>"):
        assert part in html


def test_tables_render():
    html = render("| Site | Memos |\n|---|--:|\n| North | 3 |")
    assert "<table>" in html and "<th>Site</th>" in html and "<td>3</td>" in html
    assert "style" not in html


def test_links_get_rel_noopener():
    html = render("[panel guidance](https://example.org/guide)")
    assert 'href="https://example.org/guide"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<b onmouseover=alert(1)>raw</b>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
])
def test_raw_html_is_shown_as_text(text):
    html = render(text)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<b" not in html and "<style" not in html and "<a " not in html
    assert "&lt;" in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                  "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4="])
def test_dangerous_link_targets_are_dropped(link):
    html = render(f"[x]({link}) and <{link}>")
    assert "href" not in html and "<a" not in html


def test_images_become_links_not_fetches():
    html = render("![a photo](https://tracker.example/p.png)")
    assert "<img" not in html
    assert 'href="https://tracker.example/p.png"' in html


def test_relative_and_mailto_links_stay():
    html = render("[north](/p/study/sites/north) [mail](mailto:a@example.org)")
    assert 'href="/p/study/sites/north"' in html and 'href="mailto:a@example.org"' in html


def test_empty_text():
    assert render("") == ""
