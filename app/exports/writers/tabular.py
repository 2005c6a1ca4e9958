"""CSV and JSON Lines: rows written as each batch arrives.

CSV is UTF-8 with LF line ends and the text exactly as stored (for R and pandas). The
Excel-friendly variant (`excel`) adds a byte-order mark, CRLF line ends and an apostrophe
before cells a spreadsheet would run as formulas (columns.guard). JSON Lines (orjson: UTF-8,
ten times faster than the standard library): one object per excerpt with the same keys as
the CSV columns; `memos` is a list there.
"""

from __future__ import annotations

import codecs
import csv
import io

import orjson

from app.exports.columns import guard
from app.exports.writers.base import ExportInfo


class CsvWriter:
    extension, media_type = "csv", "text/csv; charset=utf-8"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info, self.excel = out, info, info.excel
        self.buffer = io.StringIO()
        self.csv = csv.writer(self.buffer, lineterminator="\r\n" if self.excel else "\n")
        if self.excel:
            out.write(codecs.BOM_UTF8)
        self.csv.writerow(info.columns.names)
        self._flush()

    def add(self, batch) -> None:
        row = self.info.columns.row
        if self.excel:
            self.csv.writerows([guard(v) for v in row(e)] for e in batch)
        else:
            self.csv.writerows(row(e) for e in batch)
        self._flush()

    def _flush(self) -> None:
        self.out.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()

    def finish(self) -> None:
        self._flush()


class JsonLinesWriter:
    extension, media_type = "jsonl", "application/jsonl; charset=utf-8"

    def __init__(self, out, info: ExportInfo):
        self.out, self.info = out, info

    def add(self, batch) -> None:
        record, dumps = self.info.columns.record, orjson.dumps
        self.out.write(b"".join(dumps(record(e)) + b"\n" for e in batch))

    def finish(self) -> None:
        pass
