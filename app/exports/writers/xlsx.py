"""XLSX: a streaming workbook (writers/sheets.py), rows spooled to temporary files, so
memory stays flat.

Sheets: Excerpts (every row); with `group_by` one more sheet per code or per site (the
same columns); Codebook; About (the query, project, time, user and row count, then what
each column means). Every text is a text cell: one that starts with '=' is kept as text,
never made a formula.
"""

from __future__ import annotations

import re

from app.exports.columns import DESCRIPTIONS, MEMO_SEPARATOR
from app.exports.writers.base import ExportInfo
from app.exports.writers.sheets import Workbook

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
        self.book = Workbook()
        self.taken: set[str] = set()
        self.main = self._sheet("Excerpts", info.columns.names)
        self.groups = {key: self._sheet(label, info.columns.names)
                       for key, label in info.groups} if info.group_by else {}
        self.group_column = (info.columns.names.index(info.group_by)
                             if info.group_by else None)
        self.written = 0

    def _sheet(self, title: str, header: list[str]):
        sheet = self.book.add_sheet(sheet_title(title, self.taken))
        sheet.append(header, bold=True)
        return sheet

    def add(self, rows: list[list]) -> None:
        for row in rows:
            row[-1] = MEMO_SEPARATOR.join(row[-1])
            self.main.append(row)
            if self.groups and (sheet := self.groups.get(row[self.group_column])) is not None:
                sheet.append(row)
        self.written += len(rows)

    def finish(self) -> None:
        info = self.info
        codebook = self._sheet("Codebook", ["key", "name", "family", "parent", "is_category",
                                            "status", "definition", "when_to_use",
                                            "when_not_to_use", "example", "citation",
                                            "colour"])
        for c in info.codebook:
            codebook.append([c.key, c.name, c.family, c.parent, c.is_category, c.status,
                             c.definition, c.when_to_use, c.when_not_to_use, c.example,
                             c.citation, c.colour])
        about = self._sheet("About", ["field", "value"])
        for name, value in info.about(self.written):
            about.append([name, value])
        about.append([])
        about.append(["column", "meaning"], bold=True)
        for name in info.columns.names:
            key = "site_attr_*" if name.startswith("site_attr_") else name
            about.append([name, DESCRIPTIONS.get(key, "")])
        self.book.save(self.out)
