"""REFI-QDA project exchange: a whole project out as `.qdpx`, and a `.qdpx` in as a new project.

Export writes `project.qde` (qde_write) then each document's text as
`sources/<GUID>.txt`, one document at a time, into a ZIP with fixed timestamps, so the
same project exports to the same bytes. Import checks the whole package (package.py) and
parses the XML (qde_read) before anything is written, then builds the project (importer.py)
and returns a report of what came over and what did not. Both only flush: the caller's
transaction commits, or rolls everything back on an error.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.documents.models import Document
from app.errors import Conflict
from app.exchange.importer import Importer
from app.exchange.package import Limits, open_package
from app.exchange.qde_read import read_qde
from app.exchange.qde_write import QdeWriter
from app.exchange.report import ImportReport
from app.projects import service as projects
from app.projects.models import Project
from app.settings import get_settings

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_project(session: Session, *, project: Project, out: BinaryIO) -> None:
    """Write the project as a `.qdpx` to the binary file object `out`."""
    writer = QdeWriter(session, project)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(_member("project.qde"), "w") as stream:
            sources = writer.write(stream)
        for guid, document_id in sources:
            text = session.scalar(select(Document.text).where(Document.id == document_id))
            archive.writestr(_member(f"sources/{guid}.txt"), text.encode("utf-8"))


def import_project(session: Session, *, data_or_file: bytes | BinaryIO, slug: str,
                   name: str | None, by: User, filename: str = "project.qdpx",
                   limits: Limits | None = None) -> ImportReport:
    """A new project `slug` (owned by `by`) from a `.qdpx`; Conflict if the slug is taken.

    The package is checked and its XML read before anything is written; an unsafe or
    broken package raises Invalid or TooLarge and leaves no trace."""
    projects.check_slug(slug, "project")
    if session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        raise Conflict(f"a project '{slug}' already exists: import into a new slug")
    settings = get_settings()
    limits = limits or Limits(total_bytes=max(1 << 30, 20 * settings.max_upload_bytes))
    package = open_package(data_or_file, limits=limits, filename=filename)
    qde = read_qde(package.qde(), package.qde_name)
    project = projects.create(session, slug=slug, owner=by,
                              name=(name or "").strip() or qde.name or slug,
                              description=qde.description)
    report = ImportReport(project=slug)
    if qde.namespace and qde.namespace != "urn:QDA-XML:project:1.0":
        report.note(f"The file uses namespace '{qde.namespace}'; it was read as REFI-QDA "
                    "project 1.0.")
    for element, count in sorted(qde.ignored.items()):
        report.drop(f"{count} × <{element}>: Fieldbench has no place for these")
    Importer(session, package=package, qde=qde, project=project, by=by,
             max_bytes=settings.max_upload_bytes, report=report).run()
    return report
