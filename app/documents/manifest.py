"""Batch import from the command line: which file goes to which site, as what.

A manifest is a CSV with the columns file, site, kind and optionally title, date,
researcher, fieldwork_period; file paths are relative to the manifest. The whole plan is
checked before any file is read, so a typo in row 40 stops the import before row 1 goes in.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.documents import service
from app.documents.service import DocumentMeta, IngestReport
from app.errors import FieldbenchError, Invalid
from app.projects import service as projects
from app.projects.models import Project

REQUIRED = ("file", "site", "kind")


def read_manifest(path: Path) -> list[dict[str, str]]:
    """The manifest's rows; Invalid names a missing column."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise Invalid(f"{path.name}: the manifest lacks the column(s) {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _meta_for_row(session: Session, project: Project, row: dict[str, str]) -> DocumentMeta:
    return DocumentMeta(site=projects.get_site(session, project=project, slug=row["site"]),
                        kind=service.check_kind(row["kind"]), title=row.get("title", ""),
                        date=service.parse_date(row.get("date")),
                        researcher=row.get("researcher", ""),
                        fieldwork_period=row.get("fieldwork_period", ""))


def plan(session: Session, *, project: Project, files: list[Path], site: str | None,
         kind: str | None, manifest_path: Path | None) -> list[tuple[Path, DocumentMeta]]:
    """Every file with its metadata, or Invalid naming the first problem (row or option)."""
    if manifest_path is None:
        if not files:
            raise Invalid("name the files to import, or give --manifest")
        if not site or not kind:
            raise Invalid("give --site and --kind, or a --manifest with per-file metadata")
        meta = DocumentMeta(site=projects.get_site(session, project=project, slug=site),
                            kind=service.check_kind(kind))
        return [(path, meta) for path in files]
    chosen = {p.resolve() for p in files}
    steps = []
    for number, row in enumerate(read_manifest(manifest_path), start=2):
        path = (manifest_path.parent / row["file"]).resolve()
        if chosen and path not in chosen:
            continue
        try:
            if not path.is_file():
                raise Invalid(f"no file {row['file']}")
            steps.append((path, _meta_for_row(session, project, row)))
        except FieldbenchError as err:
            raise Invalid(f"{manifest_path.name}, row {number}: {err.message}") from None
    return steps


def run(session: Session, *, project: Project, plan: list[tuple[Path, DocumentMeta]],
        by: User, max_bytes: int) -> IngestReport:
    """Ingest the planned files, reading each only when its turn comes."""
    def items() -> Iterator[tuple[str, bytes, DocumentMeta]]:
        for path, meta in plan:
            with path.open("rb") as handle:
                yield path.name, handle.read(max_bytes + 1), meta
    return service.ingest_batch(session, project=project, items=items(), by=by,
                                max_bytes=max_bytes)
