"""CSV and JSON Lines: rows written as each batch arrives (tidy table rows from
stream.table_rows, `memos` as a list).

CSV is UTF-8 with LF line ends and the text exactly as stored (for R and pandas). The
Excel-friendly variant (`excel`) adds a byte-order mark, CRLF line ends and an apostrophe
before cells a spreadsheet would run as formulas (columns.guard). JSON Lines (orjson: UTF-8,
ten times faster than the standard library): one object per excerpt with the same keys as
the CSV columns; `memos` is a list there.
"""

from __future__ import annotations

import codecs

import orjson

from app.exports.columns import MEMO_SEPARATOR, RISKY
from app.exports.writers.base import ExportInfo

SPECIAL = ('"', ",", "\n", "\r")


def csv_field(value) -> str:
    """A value as the standard library's csv.writer writes it with CRLF line ends
    (QUOTE_MINIMAL): quoted, with quotes doubled, when it holds a comma, quote, CR or LF.

    Why not csv.writer itself: it scans every character in C one at a time and took 2.3 s
    for 100,000 excerpt rows here, most of the 3 s an export may take; these four
    substring searches take a third of that. tests/exports/test_tabular.py checks the
    output is byte for byte csv.writer's."""
    if value.__class__ is not str:
        return "" if value is None else str(value)
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def excel_field(value) -> str:
    """csv_field of the value with columns.guard's apostrophe before a text a spreadsheet
    would run as a formula (one call per cell, not two: a cell costs a tenth of a µs)."""
    if value.__class__ is not str:
        return "" if value is None else str(value)
    if value.startswith(RISKY):
        value = "'" + value
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvWriter:
    extension, media_type = "csv", "text/csv; charset=utf-8"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info, self.excel = out, info, info.excel
        self.end = "\r\n" if self.excel else "\n"
        self.field = excel_field if self.excel else csv_field
        if self.excel:
            out.write(codecs.BOM_UTF8)
        self._write([info.columns.names])

    def add(self, rows: list[list]) -> None:
        for row in rows:
            row[-1] = MEMO_SEPARATOR.join(row[-1])
        self._write(rows)

    def _write(self, rows) -> None:
        end, field = self.end, self.field
        self.out.write("".join([",".join([field(v) for v in row]) + end
                                for row in rows]).encode("utf-8"))

    def finish(self) -> None:
        pass


class JsonLinesWriter:
    extension, media_type = "jsonl", "application/jsonl; charset=utf-8"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info = out, info

    def add(self, rows: list[list]) -> None:
        names, dumps = self.info.columns.names, orjson.dumps
        self.out.write(b"".join(dumps(dict(zip(names, row))) + b"\n" for row in rows))

    def finish(self) -> None:
        pass
