"""Matrix exports: a retrieval matrix (code x site, co-occurrence ...) as CSV or XLSX.

CSV is tidy, one row per cell, zeros included: rows_dim, row, row_label, cols_dim, col,
col_label, excerpts, documents, share (where rows or cols are site or kind: of the
documents in scope there, the share with the cell's excerpts; else empty), pairs
(co-occurrence off the diagonal: overlapping coding pairs; else empty) and value (what the
matrix shows: pairs in co-occurrence, else excerpts). XLSX has the same table (Cells), a
grid per measure (Excerpts or Pairs, Documents, Share) and About. The numbers are
`retrieval.matrix.matrix`'s own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.db import utcnow
from app.errors import Invalid
from app.exports.service import resolve_filter, slug
from app.exports.writers.sheets import Workbook
from app.projects.models import Project
from app.retrieval.filters import ExcerptFilter
from app.retrieval.matrix import Matrix, matrix
from app.retrieval.params import query_from_filter

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HEADER = ["rows_dim", "row", "row_label", "cols_dim", "col", "col_label", "excerpts",
          "documents", "share", "pairs", "value"]


@dataclass
class MatrixExport:
    project: Project
    found: Matrix
    filter: ExcerptFilter
    format: str
    saved_query: str = ""
    by: str = ""
    made_at: object = field(default_factory=utcnow)

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]

    @property
    def filename(self) -> str:
        name = slug(self.saved_query) if self.saved_query else ""
        stem = "-".join(p for p in (self.project.slug, name, "matrix", self.found.rows_dim,
                                    self.found.cols_dim) if p)
        return f"{stem}-{self.made_at:%Y%m%d-%H%M}.{self.format}"


def prepare_matrix(session: Session, *, project: Project, format: str, rows: str, cols: str,
                   query_params=None, saved_query: str | int | None = None,
                   by=None) -> MatrixExport:
    """The matrix counted and ready to write; Invalid for a bad format, dimension or filter."""
    if format not in FORMATS:
        raise Invalid(f"format: use one of {', '.join(FORMATS)}, not '{format}'")
    f, name = resolve_filter(session, project=project, query_params=query_params,
                             saved_query=saved_query)
    found = matrix(session, project=project, rows=rows, cols=cols, filter=f)
    return MatrixExport(project, found, f, format, name, by.email if by is not None else "")


def cells(found: Matrix) -> list[list]:
    """Every cell, zeros included, as a row of HEADER."""
    out = []
    for r in found.rows:
        for c in found.cols:
            cell = found.cell(r.key, c.key)
            out.append([found.rows_dim, r.key, r.label, found.cols_dim, c.key, c.label,
                        cell.excerpts, cell.documents, cell.share, cell.pairs, cell.value])
    return out


def to_bytes(export: MatrixExport) -> bytes:
    """The matrix file (a matrix is small: made in memory)."""
    if export.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows([["" if v is None else v for v in row] for row in cells(export.found)])
        return buffer.getvalue().encode("utf-8")
    out = io.BytesIO()
    _xlsx(export).save(out)
    return out.getvalue()


def _xlsx(export: MatrixExport) -> Workbook:
    found, book = export.found, Workbook()
    measures = [("Pairs" if found.measure == "pairs" else "Excerpts", lambda c: c.value),
                ("Documents", lambda c: c.documents)]
    if {"site", "kind"} & {found.rows_dim, found.cols_dim}:
        measures.append(("Share", lambda c: c.share))
    for title, value in measures:
        sheet = book.add_sheet(title)
        sheet.append([f"{found.rows_dim} \\ {found.cols_dim}", *[c.label for c in found.cols]],
                     bold=True)
        for r in found.rows:
            sheet.append([r.label, *[value(found.cell(r.key, c.key)) for c in found.cols]])
    table = book.add_sheet("Cells")
    table.append(HEADER, bold=True)
    for row in cells(found):
        table.append(row)
    about = book.add_sheet("About")
    about.append(["field", "value"], bold=True)
    query = query_from_filter(export.filter)
    for name, value in [("Project", f"{export.project.name} ({export.project.slug})"),
                        ("Matrix", f"{found.rows_dim} x {found.cols_dim} ({found.measure})"),
                        ("Saved query", export.saved_query),
                        *[(f"  {k}", ", ".join(v) if isinstance(v, list) else v)
                          for k, v in query.items()],
                        ("Exported at (UTC)", f"{export.made_at:%Y-%m-%d %H:%M:%S}"),
                        ("Exported by", export.by)]:
        about.append([name, value])
    return book
