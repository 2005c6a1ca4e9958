"""Exports of coded excerpts: from a filter or a saved query, to CSV, XLSX, JSON Lines,
Markdown or DOCX, written batch by batch so that no export holds all its excerpts.

`prepare` checks the request (format, options, filter or saved query) inside the caller's
transaction and returns an `ExcerptExport`, plain data that can outlive it; `run` writes
one to a binary file, yielding (done, total) after each batch; `write` runs it to the end;
`chunks` opens its own session and yields the bytes as they are made (for an HTTP
response, which is sent after the request's transaction has closed).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.codebook import service as codebook
from app.db import new_session, utcnow
from app.errors import Invalid, NotFound
from app.exports import stream
from app.exports.columns import Columns, site_attribute_names
from app.exports.writers.base import CodebookRow, ExportInfo
from app.exports.writers.report import DocxWriter, MarkdownWriter
from app.exports.writers.tabular import CsvWriter, JsonLinesWriter
from app.exports.writers.xlsx import XlsxWriter
from app.projects.models import Project, Site
from app.retrieval import saved
from app.retrieval.filters import ExcerptFilter
from app.retrieval.params import PARAMS, filter_from_query, query_from_filter
from app.retrieval.query import excerpt_select

WRITERS = {"csv": CsvWriter, "xlsx": XlsxWriter, "jsonl": JsonLinesWriter,
           "md": MarkdownWriter, "docx": DocxWriter}
FORMATS = tuple(WRITERS)
GROUP_BY = ("code", "site")
REPORTS = ("md", "docx")          # grouped by code, then site
DOCX_LIMIT = 10_000               # a Word report is built in memory (see writers/report.py)
CHUNK = 1 << 16


@dataclass
class ExcerptExport:
    """What to export (plain data: safe to carry past the request's transaction)."""

    project_id: int
    project_slug: str
    filter: ExcerptFilter
    format: str = "csv"
    excel: bool = False
    group_by: str = ""
    saved_query: str = ""
    by: str = ""                                   # the user's e-mail
    made_at: object = field(default_factory=utcnow)

    @property
    def media_type(self) -> str:
        return WRITERS[self.format].media_type

    @property
    def filename(self) -> str:
        """e.g. study-rationing-north-excerpts-20240501-1422.csv"""
        name = slug(self.saved_query) if self.saved_query else ""
        stem = "-".join(p for p in (self.project_slug, name, "excerpts") if p)
        return f"{stem}-{self.made_at:%Y%m%d-%H%M}.{WRITERS[self.format].extension}"


def slug(text: str) -> str:
    """Letters and digits joined by hyphens, for file names."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60]


def resolve_filter(session: Session, *, project: Project, query_params=None,
                   saved_query: str | int | None = None) -> tuple[ExcerptFilter, str]:
    """The filter from query parameters, or a saved query's (by name or id) with its name.
    Invalid when both are given; NotFound for an unknown saved query."""
    params = query_params or {}
    if saved_query not in (None, ""):
        given = sorted(name for name in PARAMS if name in params and name != "sort"
                       and any(str(v).strip() for v in _values(params, name)))
        if given:
            raise Invalid(f"query: give a saved query or filter parameters, not both "
                          f"(also given: {', '.join(given)})")
        found = _saved(session, project, saved_query)
        return saved.filter_of(found), found.name
    return filter_from_query(params), ""


def _values(params, name: str) -> list:
    if hasattr(params, "getlist"):
        return params.getlist(name)
    value = params.get(name)
    return value if isinstance(value, (list, tuple)) else [value]


def _saved(session: Session, project: Project, name_or_id):
    text = str(name_or_id).strip()
    if text.isdigit():
        try:
            return saved.get(session, project=project, query_id=int(text))
        except NotFound:        # a query may be named with digits: try the name
            pass
    return saved.get_by_name(session, project=project, name=text)


def prepare(session: Session, *, project: Project, format: str, query_params=None,
            saved_query: str | int | None = None, by=None, excel: bool = False,
            group_by: str = "") -> ExcerptExport:
    """Check an excerpt export and describe it; Invalid (naming what is wrong) otherwise."""
    if format not in WRITERS:
        raise Invalid(f"format: use one of {', '.join(FORMATS)}, not '{format}'")
    if excel and format != "csv":
        raise Invalid("excel: the Excel-friendly variant is for CSV only")
    if group_by and (format != "xlsx" or group_by not in GROUP_BY):
        raise Invalid("sheets: one sheet per 'code' or per 'site', in XLSX only")
    f, name = resolve_filter(session, project=project, query_params=query_params,
                             saved_query=saved_query)
    excerpt_select(session, project, f)           # Invalid for unknown codes, bad search
    export = ExcerptExport(project.id, project.slug, f, format, excel, group_by, name,
                           by.email if by is not None else "")
    if format == "docx" and (n := count(session, project=project, filter=f)) > DOCX_LIMIT:
        raise Invalid(f"a Word report holds at most {DOCX_LIMIT:,} excerpts and this query "
                      f"finds {n:,}: narrow it, or export Markdown, CSV or XLSX")
    return export


def count(session: Session, *, project: Project, filter: ExcerptFilter) -> int:
    """How many excerpts the filter finds (what an export of it writes)."""
    query, _ = excerpt_select(session, project, filter)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def group_counts(session: Session, *, project: Project, filter: ExcerptFilter,
                 by: str) -> dict[int, int]:
    """Excerpts per code id or per site id."""
    query, order = excerpt_select(session, project, filter)
    coding, document = order[-1].class_, order[-3].class_
    column = coding.code_id if by == "code" else document.site_id
    return {key: n for key, n in session.execute(
        query.with_only_columns(column, func.count()).group_by(column).order_by(None))}


def _info(session: Session, project: Project, export: ExcerptExport, total: int) -> ExportInfo:
    sites = session.scalars(select(Site).where(Site.project_id == project.id)
                            .order_by(Site.name, Site.slug)).all()
    codes = codebook.list_codes(session, project=project)
    keys = {c.id: c.key for c in codes}
    families = stream.codebook_of(session, project)
    version = codebook.current_version(session, project=project)
    info = ExportInfo(
        project=project.slug, project_name=project.name,
        columns=Columns(project.slug, site_attribute_names(sites)), total=total,
        exported_at=export.made_at, exported_by=export.by, saved_query=export.saved_query,
        query=query_from_filter(export.filter), group_by=export.group_by, excel=export.excel,
        codebook_version=version.number if version else None,
        codebook=[CodebookRow(c.key, c.name, families[c.id].family, keys.get(c.parent_id, ""),
                              c.is_category, c.status, c.definition, c.when_to_use,
                              c.when_not_to_use, c.example, c.citation, c.colour)
                  for c in codes])
    if export.group_by:
        counted = group_counts(session, project=project, filter=export.filter,
                               by=export.group_by)
        info.groups = ([(c.key, c.key) for c in codes if counted.get(c.id)]
                       if export.group_by == "code" else
                       [(s.slug, s.name) for s in sites if counted.get(s.id)])
    return info


def run(session: Session, export: ExcerptExport, out) -> Iterator[tuple[int, int]]:
    """Write the export to `out` (a binary file), yielding (done, total) as it goes."""
    project = session.get(Project, export.project_id)
    total = count(session, project=project, filter=export.filter)
    info = _info(session, project, export, total)
    writer = WRITERS[export.format](out, info)
    done = 0
    yield done, total
    batches = (stream.excerpts(session, project, export.filter, by_code=True, context=False)
               if export.format in REPORTS else
               stream.table_rows(session, project, export.filter, info.columns))
    for batch in batches:
        writer.add(batch)
        done += len(batch)
        yield done, max(total, done)
    writer.finish()
    yield done, done


def write(session: Session, export: ExcerptExport, out,
          progress: Callable[[int, int], None] | None = None) -> int:
    """Write the whole export to `out`; the number of excerpts written."""
    done = 0
    for done, total in run(session, export, out):
        if progress:
            progress(done, total)
    return done


class _Sink:
    """A write-only binary 'file' whose contents are taken as they come."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def chunks(export: ExcerptExport) -> Iterator[bytes]:
    """The export's bytes, made in a session of its own (read only). CSV, JSON Lines and
    Markdown go out batch by batch; XLSX and DOCX, zip files, are made in a temporary
    file first and then sent."""
    session = new_session()
    try:
        if export.format in ("xlsx", "docx"):
            with tempfile.TemporaryFile() as spool:
                write(session, export, spool)
                session.rollback()
                spool.seek(0)
                while data := spool.read(CHUNK):
                    yield data
            return
        sink = _Sink()
        for _ in run(session, export, sink):
            if data := sink.take():
                yield data
        if data := sink.take():
            yield data
    finally:
        session.rollback()
        session.close()
