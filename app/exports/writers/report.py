"""Reports for a write-up: the excerpts grouped by code (codebook order), then by site,
each quoted and cited as site, document, date and speaker (role), with its memos.

Markdown is written as each batch arrives. DOCX is built with python-docx, which keeps
the document in memory until it is saved (about 5 kB per excerpt): reports are for
reading, so the export service caps them at service.DOCX_LIMIT excerpts.
"""

from __future__ import annotations

import re

import docx
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from docx.oxml import OxmlElement
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from app.exports.columns import citation
from app.exports.writers.base import ExportInfo

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
GREY = RGBColor(0x55, 0x55, 0x55)


def _title(info: ExportInfo) -> str:
    return f"Excerpts: {info.project_name}"


def _summary(info: ExportInfo) -> str:
    saved = f"saved query “{info.saved_query}”; " if info.saved_query else ""
    who = f" by {info.exported_by}" if info.exported_by else ""
    n = info.total
    return (f"{saved}{info.describe_query()}. {n} excerpt{'' if n == 1 else 's'}, exported "
            f"{info.exported_at:%Y-%m-%d %H:%M} UTC{who}.")


class _Groups:
    """Notices when the code, then the site, changes from one excerpt to the next."""

    def __init__(self):
        self.code = self.site = None

    def changes(self, e) -> tuple[bool, bool]:
        new_code = e.code != self.code
        new_site = new_code or e.site != self.site
        self.code, self.site = e.code, e.site
        return new_code, new_site


def escape(text: str) -> str:
    """Markdown's special characters taken literally."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


class MarkdownWriter:
    extension, media_type = "md", "text/markdown; charset=utf-8"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info, self.groups = out, info, _Groups()
        self._write(f"# {escape(_title(info))}\n\n{escape(_summary(info))}\n")

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def add(self, batch) -> None:
        parts = []
        for e in batch:
            new_code, new_site = self.groups.changes(e)
            if new_code:
                parts.append(f"\n## {escape(e.code)} {escape(e.code_name)}\n")
            if new_site:
                parts.append(f"\n### {escape(e.site_name)}\n")
            quote = "\n".join("> " + escape(line) if line else ">"
                              for line in e.text.split("\n"))
            parts.append(f"\n{quote}\n\n— {escape(citation(e))}\n")
            parts += [f"\n*Memo:* {escape(m)}\n" for m in e.memos]
        self._write("".join(parts))

    def finish(self) -> None:
        if self.groups.code is None:
            self._write("\nNo excerpts match.\n")


def _xml(text: str) -> str:
    """The text without the control characters XML cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


class DocxWriter:
    """python-docx's own `add_paragraph` looks for the section properties at the end of
    the body on every call (quadratic in the paragraphs): paragraphs are made with its
    classes but put in place with lxml's `addprevious`."""

    extension = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info, self.groups = out, info, _Groups()
        self.doc = docx.Document()
        self.end = self.doc.element.body.sectPr
        self.styles = {name: self.doc.styles[name].style_id    # looked up once
                       for name in ("Title", "Heading 1", "Heading 2", "Quote")}
        self._paragraph(_title(info), "Title")
        self._paragraph(_summary(info))

    def _paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        self.end.addprevious(element)
        if style:
            element.style = self.styles[style]
        para = Paragraph(element, self.doc._body)
        if text:
            para.add_run(_xml(text))
        return para

    def add(self, batch) -> None:
        for e in batch:
            new_code, new_site = self.groups.changes(e)
            if new_code:
                self._paragraph(f"{e.code} {e.code_name}", "Heading 1")
            if new_site:
                self._paragraph(e.site_name, "Heading 2")
            self._paragraph(e.text, "Quote")
            cite = self._paragraph().add_run(_xml("— " + citation(e)))
            cite.italic, cite.font.size = True, Pt(9)
            cite.font.color.rgb = GREY
            for memo in e.memos:
                para = self._paragraph()
                para.add_run("Memo: ").bold = True
                para.add_run(_xml(memo))

    def finish(self) -> None:
        if self.groups.code is None:
            self._paragraph("No excerpts match.")
        self.doc.save(self.out)
