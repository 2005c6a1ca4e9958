"""`fieldbench export PROJECT`: excerpts (CSV, XLSX, JSON Lines, Markdown, DOCX) or the
whole project as REFI-QDA (.qdpx), to a file.

The filters are the excerpt API's (repeat an option for several values). The file is
written beside its destination under a temporary name and renamed when complete, so a
failed export leaves no partial file behind. Progress goes to standard error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from app.cli import fail, main
from app.db import transaction
from app.exports import service
from app.projects import service as projects

REPEATABLE = ("code", "site", "strand", "governance", "kind", "speaker", "role", "agency",
              "period", "coder", "origin", "version", "document")
FORMATS = (*service.FORMATS, "qdpx")


def _filters(func):
    for name in reversed(REPEATABLE):
        func = click.option(f"--{name}", name, multiple=True,
                            help=f"Only excerpts with this {name} (repeat for any of several).")(func)
    for flag, name, text in (("--expr", "q", "The query language, e.g. 'A AND B'."),
                             ("--text", "text", "Full-text search: words, \"a phrase\", pre*."),
                             ("--from", "from", "Documents dated on or after YYYY-MM-DD."),
                             ("--to", "to", "Documents dated on or before YYYY-MM-DD."),
                             ("--memo", "memo", "yes: only excerpts with a memo; no: without."),
                             ("--sort", "sort", "site (default), date or document.")):
        func = click.option(flag, name, default="", help=text)(func)
    return func


@main.command("export")
@click.argument("project_slug", metavar="PROJECT")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write.")
@click.option("--query", "saved_query", help="A saved query (its name or id) instead of filters.")
@click.option("--excel", is_flag=True, help="CSV for Excel: byte-order mark, CRLF, formula "
                                            "cells guarded with an apostrophe.")
@click.option("--sheets", type=click.Choice(["code", "site"]),
              help="XLSX: one more sheet per code or per site.")
@_filters
def export(project_slug: str, fmt: str, output: Path, saved_query: str | None, excel: bool,
           sheets: str | None, **filters) -> None:
    """Export coded excerpts (or, with --format qdpx, the whole project) to a file."""
    params = {name: list(value) if isinstance(value, tuple) else value
              for name, value in filters.items() if value}
    with _destination(output) as out:
        with transaction() as session:
            project = projects.get_project_or_raise(session, slug=project_slug)
            if fmt == "qdpx":
                _qdpx(session, project, params, saved_query, out)
                return
            job = service.prepare(session, project=project, format=fmt, query_params=params,
                                  saved_query=saved_query, excel=excel, group_by=sheets or "")
            with click.progressbar(length=1, label=f"Exporting to {output.name}",
                                   file=sys.stderr) as bar:
                def progress(done: int, total: int) -> None:
                    bar.length = max(total, 1)
                    bar.update(done - bar.pos)
                written = service.write(session, job, out, progress)
    click.echo(f"wrote {written} excerpt{'' if written == 1 else 's'} to {output}", err=True)


def _qdpx(session, project, params: dict, saved_query: str | None, out) -> None:
    if params or saved_query:
        fail("a REFI-QDA project (.qdpx) holds the whole project: leave out the filters "
             "and --query")
    try:
        from app.exchange.service import export_project
    except ImportError:
        fail("REFI-QDA export (app.exchange) is not available in this installation")
    export_project(session, project=project, out=out)
    click.echo(f"wrote the project '{project.slug}' as REFI-QDA", err=True)


class _destination:
    """A temporary file beside `path`, renamed to it on success and removed on failure."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        try:
            fd, self.temp = tempfile.mkstemp(dir=self.path.parent or Path("."),
                                             prefix=f".{self.path.name}.", suffix=".part")
        except OSError as err:
            fail(f"cannot write to {self.path}: {err.strerror or err}")
        self.file = os.fdopen(fd, "w+b")
        return self.file

    def __exit__(self, kind, value, tb):
        self.file.close()
        if kind is None:
            os.replace(self.temp, self.path)
        else:
            os.unlink(self.temp)
        return False
