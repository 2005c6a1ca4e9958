"""Memo Markdown to safe HTML.

Two layers: markdown-it-py renders CommonMark with raw HTML turned off (so `<script>` comes
out as text) and refuses `javascript:`-style link targets; then nh3 keeps only an allow-list
of tags and attributes, drops any URL scheme but http, https and mailto, and gives every link
`rel="noopener noreferrer"`. Images are turned off: a memo never makes the reader's browser
fetch something from elsewhere (`![alt](url)` shows as "!" and a link).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br",
        "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_md.disable("image")


def render(text: str) -> str:
    """The memo's Markdown as HTML that is safe to put into a page unescaped."""
    html = _md.render(text or "")
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"},
                     link_rel="noopener noreferrer", strip_comments=True)
