"""Codebook objects as API shapes (shared by the JSON routes and the CLI)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook import service
from app.codebook.models import Code
from app.codebook.schemas import CodebookOut, CodeOut, DiffOut, VersionOut
from app.codebook.service import CodebookDiff
from app.coding.service import counts_by_code_and_site
from app.errors import NotFound
from app.projects import service as projects
from app.projects.models import Project


def _families(codes: list[Code]) -> dict[int, str]:
    by_id = {c.id: c for c in codes}

    def root(code: Code) -> str:
        while code.parent_id and code.parent_id in by_id:
            code = by_id[code.parent_id]
        return code.key
    return {c.id: root(c) for c in codes}


def _one(code: Code, codes_by_id: dict[int, Code], family: str,
         counts: dict[int, int], sites: dict[int, str]) -> CodeOut:
    parent = codes_by_id.get(code.parent_id)
    return CodeOut(key=code.key, guid=code.guid, name=code.name,
                   parent=parent.key if parent else None, family=family,
                   is_category=code.is_category, status=code.status,
                   definition=code.definition, full_definition=code.full_definition,
                   when_to_use=code.when_to_use, when_not_to_use=code.when_not_to_use,
                   example=code.example, colour=code.colour, citation=code.citation,
                   codings=sum(counts.values()),
                   codings_by_site={sites[s]: n for s, n in counts.items()})


def codebook_out(session: Session, project: Project, include_retired: bool) -> CodebookOut:
    version = service.current_version(session, project=project)
    if version is None:
        raise NotFound(f"project '{project.slug}' has no codebook yet")
    codes = service.list_codes(session, project=project)
    by_id, families = {c.id: c for c in codes}, _families(codes)
    counts = counts_by_code_and_site(session, project=project)
    sites = {s.id: s.slug for s in projects.list_sites(session, project=project)}
    return CodebookOut(key=version.key, name=version.name, label=version.label,
                       version=version.number, description=version.description,
                       source=version.source,
                       codes=[_one(c, by_id, families[c.id], counts.get(c.id, {}), sites)
                              for c in codes if include_retired or c.status == "active"])


def code_out(session: Session, project: Project, code: Code) -> CodeOut:
    session.flush()
    codes = service.list_codes(session, project=project)
    counts = counts_by_code_and_site(session, project=project).get(code.id, {})
    sites = {s.id: s.slug for s in projects.list_sites(session, project=project)}
    return _one(code, {c.id: c for c in codes}, _families(codes)[code.id], counts, sites)


def diff_out(changes: CodebookDiff, notes: list[str] | None = None) -> DiffOut:
    return DiffOut(added=changes.added, removed=changes.removed, changed=changes.changed,
                   notes=notes or [])


def versions_out(session: Session, project: Project) -> list[VersionOut]:
    out = []
    for version in service.list_versions(session, project=project):
        author = session.get(User, version.created_by_id) if version.created_by_id else None
        out.append(VersionOut(number=version.number, label=version.label, note=version.note,
                              created_at=version.created_at,
                              created_by=author.email if author else None))
    return out
