"""XLSX: openpyxl in write-only mode (rows spool to temporary files, so memory stays flat).

Sheets: Excerpts (every row); with `group_by` one more sheet per code or per site (the
same columns); Codebook; About (the query, project, time, user and row count, then what
each column means). Every text is a text cell: one that starts with '=' is kept as text,
never made a formula. Excel cannot hold more than 32,767 characters in a cell: longer
texts are cut there with a note; characters XML forbids (control codes) are dropped.
"""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.exports.columns import DESCRIPTIONS
from app.exports.writers.base import ExportInfo

CELL_MAX = 32_767
CUT_NOTE = " […cut: the full text is in the CSV or JSON Lines export]"
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(label: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\), unique in the workbook."""
    base = BAD_SHEET_CHARS.sub("-", label).strip("'") or "Sheet"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


class XlsxWriter:
    extension = "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info = out, info
        self.book = Workbook(write_only=True)
        self.taken: set[str] = set()
        self.bold = Font(bold=True)
        self.main = self._sheet("Excerpts", info.columns.names)
        self.groups = {key: self._sheet(label, info.columns.names)
                       for key, label in info.groups} if info.group_by else {}
        self.written = 0

    def _sheet(self, title: str, header: list[str]):
        sheet = self.book.create_sheet(sheet_title(title, self.taken))
        sheet.freeze_panes = "A2"
        sheet.append([self._header(sheet, name) for name in header])
        return sheet

    def _header(self, sheet, value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = self.bold
        return cell

    def add(self, batch) -> None:
        row_of = self.info.columns.row
        group_of = (lambda e: e.code) if self.info.group_by == "code" else (lambda e: e.site)
        for e in batch:
            row = row_of(e)
            self._append(self.main, row)
            if self.groups and (sheet := self.groups.get(group_of(e))) is not None:
                self._append(sheet, row)
        self.written += len(batch)

    def _append(self, sheet, row: list) -> None:
        if any(isinstance(v, str) and (v[:1] == "=" or len(v) > CELL_MAX) for v in row):
            row = [self._text(sheet, v) if isinstance(v, str) else v for v in row]
        try:
            sheet.append(row)
        except ValueError:     # openpyxl's IllegalCharacterError: a control character
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                          for v in row])

    def _text(self, sheet, value: str):
        if len(value) > CELL_MAX:
            value = value[:CELL_MAX - len(CUT_NOTE)] + CUT_NOTE
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"          # text, even when it starts with '='
        return cell

    def finish(self) -> None:
        info = self.info
        codebook = self._sheet("Codebook", ["key", "name", "family", "parent", "is_category",
                                            "status", "definition", "when_to_use",
                                            "when_not_to_use", "example", "citation",
                                            "colour"])
        for c in info.codebook:
            self._append(codebook, [c.key, c.name, c.family, c.parent, c.is_category, c.status,
                                    c.definition, c.when_to_use, c.when_not_to_use, c.example,
                                    c.citation, c.colour])
        about = self._sheet("About", ["field", "value"])
        for name, value in info.about(self.written):
            self._append(about, [name, value])
        self._append(about, [])
        about.append([self._header(about, "column"), self._header(about, "meaning")])
        for name in info.columns.names:
            key = "site_attr_*" if name.startswith("site_attr_") else name
            self._append(about, [name, DESCRIPTIONS.get(key, "")])
        self.book.save(self.out)
