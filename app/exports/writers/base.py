"""What every excerpt writer is told about the export (plain data, no session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.exports.columns import Columns


@dataclass
class CodebookRow:
    key: str
    name: str
    family: str
    parent: str
    is_category: bool
    status: str
    definition: str
    when_to_use: str
    when_not_to_use: str
    example: str
    citation: str
    colour: str


@dataclass
class ExportInfo:
    project: str                    # slug
    project_name: str
    columns: Columns
    total: int                      # excerpts expected (counted before writing)
    exported_at: dt.datetime
    exported_by: str = ""           # e-mail
    saved_query: str = ""           # its name, when the export ran a saved query
    query: dict = field(default_factory=dict)    # the filter as query parameters
    codebook_version: int | None = None
    codebook: list[CodebookRow] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)   # (key, label): sheets
    group_by: str = ""              # "code" or "site": one sheet per group (XLSX)
    excel: bool = False             # CSV: BOM, CRLF, formula guard

    def describe_query(self) -> str:
        """The filter in words: 'code = A, B; site = north', or 'every excerpt'."""
        parts = [f"{name} = {', '.join(v) if isinstance(v, list) else v}"
                 for name, v in self.query.items()]
        return "; ".join(parts) or "every excerpt"

    def about(self, written: int) -> list[tuple[str, str | int]]:
        """The export's record: what was asked, by whom, when, and how many rows."""
        return [("Project", f"{self.project_name} ({self.project})"),
                ("Saved query", self.saved_query),
                ("Filter", self.describe_query()),
                *[(f"  {name}", ", ".join(v) if isinstance(v, list) else v)
                  for name, v in self.query.items()],
                ("Exported at (UTC)", self.exported_at.strftime("%Y-%m-%d %H:%M:%S")),
                ("Exported by", self.exported_by),
                ("Excerpts (rows)", written),
                ("Codebook version (current)", self.codebook_version or ""),
                ("Software", "Fieldbench")]
