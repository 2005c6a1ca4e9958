"""`fieldbench import --pseudonymise`: the manifest's files, pseudonymised with the register."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.documents.service import DocumentMeta, IngestReport
from app.projects.models import Project
from app.pseudonyms import importing


def run_import(session: Session, *, project: Project, plan: list[tuple[Path, DocumentMeta]],
               by: User, max_bytes: int, known_only: bool = False,
               echo: Callable[[str], None] = print) -> IngestReport:
    """Import each planned file with every proposal accepted; one summary line per file."""
    def items() -> Iterator[tuple[str, bytes, DocumentMeta]]:
        for path, meta in plan:
            with path.open("rb") as handle:
                yield path.name, handle.read(max_bytes + 1), meta
    report = importing.import_auto(session, project=project, by=by, items=items(),
                                   max_bytes=max_bytes, known_only=known_only)
    for o in report.added:
        echo(f"pseudonymised {o.document.original_filename}: {o.replacements} "
             f"replacement{'s' if o.replacements != 1 else ''}, {o.new_entries} new register "
             f"entr{'ies' if o.new_entries != 1 else 'y'}")
    return IngestReport(added=[(o.document, o.warnings) for o in report.added],
                        refused=list(report.refused))
