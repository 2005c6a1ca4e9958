"""A project's codebook: loading a file as a new version, reading it, and comparing versions.

Changes during analysis (add, edit, rename, move, merge, split, retire, delete) live in
`evolve.py`. Every change ends in `new_version`, which snapshots the whole codebook, so any
two versions can be compared and every coding names the version it was made under.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.codebook.models import Code, CodebookVersion
from app.codebook.spec import CodeSpec, CodebookSpec, check
from app.errors import Invalid, NotFound
from app.projects.models import Project

SPEC_FIELDS = ("name", "is_category", "definition", "full_definition", "when_to_use",
               "when_not_to_use", "example", "colour", "citation", "patterns")


@dataclass
class CodebookDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def current_version(session: Session, *, project: Project) -> CodebookVersion | None:
    """The project's newest codebook version, if it has a codebook."""
    return session.scalar(select(CodebookVersion).where(CodebookVersion.project_id == project.id)
                          .order_by(CodebookVersion.number.desc()).limit(1))


def list_versions(session: Session, *, project: Project) -> list[CodebookVersion]:
    return list(session.scalars(select(CodebookVersion).where(
        CodebookVersion.project_id == project.id).order_by(CodebookVersion.number.desc())))


def get_version(session: Session, *, project: Project, number: int) -> CodebookVersion:
    version = session.scalar(select(CodebookVersion).where(
        CodebookVersion.project_id == project.id, CodebookVersion.number == number))
    if version is None:
        raise NotFound(f"no codebook version {number} in project '{project.slug}'")
    return version


def list_codes(session: Session, *, project: Project, active_only: bool = False) -> list[Code]:
    """The project's codes in codebook order."""
    query = select(Code).where(Code.project_id == project.id)
    if active_only:
        query = query.where(Code.status == "active")
    return list(session.scalars(query.order_by(Code.position, Code.id)))


def get_code(session: Session, *, project: Project, key: str) -> Code:
    """The project's code with this key, or NotFound."""
    code = session.scalar(select(Code).where(Code.project_id == project.id, Code.key == key))
    if code is None:
        raise NotFound(f"no code '{key}' in project '{project.slug}'")
    return code


def to_spec(session: Session, *, project: Project, active_only: bool = True) -> CodebookSpec:
    """The live codebook as plain data (retired codes left out unless asked for)."""
    version = current_version(session, project=project)
    codes = list_codes(session, project=project, active_only=active_only)
    keys = {c.id: c.key for c in list_codes(session, project=project)}
    spec = CodebookSpec(key=version.key if version else project.slug,
                        name=version.name if version else project.name,
                        version=version.label if version else "",
                        description=version.description if version else "",
                        source=version.source if version else "")
    spec.codes = [CodeSpec(key=c.key, parent=keys.get(c.parent_id), guid=c.guid,
                           **{f: _spec_value(c, f) for f in SPEC_FIELDS}) for c in codes]
    return spec


def _spec_value(code: Code, name: str):
    value = getattr(code, name)
    return list(value.get("rules", [])) if name == "patterns" else value


def diff(old: CodebookSpec, new: CodebookSpec) -> CodebookDiff:
    """Codes added, removed, and changed (with the fields that changed), by key."""
    before, after = old.by_key(), new.by_key()
    result = CodebookDiff(added=[k for k in after if k not in before],
                          removed=[k for k in before if k not in after])
    for key in after.keys() & before.keys():
        fields = [f for f in (*SPEC_FIELDS, "parent")
                  if getattr(before[key], f) != getattr(after[key], f)]
        if fields:
            result.changed[key] = fields
    result.changed = dict(sorted(result.changed.items()))
    return result


def preview(session: Session, *, project: Project, spec: CodebookSpec) -> CodebookDiff:
    """What loading `spec` would change; nothing is written."""
    problems = check(spec)
    if problems:
        raise Invalid("; ".join(problems))
    return diff(to_spec(session, project=project), spec)


def load(session: Session, *, project: Project, spec: CodebookSpec, by: User,
         note: str = "loaded from a file") -> tuple[CodebookVersion, CodebookDiff]:
    """Make `spec` the project's codebook as a new version.

    Codes are matched by key: new keys are added, known ones updated, and codes missing
    from the file are retired, never deleted, so their codings are kept.
    """
    changes = preview(session, project=project, spec=spec)
    existing = {c.key: c for c in list_codes(session, project=project)}
    for position, item in enumerate(spec.codes):
        code = existing.get(item.key) or _new_code(session, project, item)
        _apply(code, item, position)
        existing[item.key] = code
    session.flush()
    for item in spec.codes:
        existing[item.key].parent_id = existing[item.parent].id if item.parent else None
    for key in changes.removed:
        existing[key].status = "retired"
    version = new_version(session, project=project, by=by, note=note, header=spec)
    audit.record(session, user_id=by.id, project_id=project.id, action="codebook.load",
                 obj=version, added=changes.added, removed=changes.removed,
                 changed=sorted(changes.changed))
    return version, changes


def _new_code(session: Session, project: Project, item: CodeSpec) -> Code:
    taken = item.guid and _guid_taken(session, project, item.guid)
    guid = item.guid if item.guid and not taken else str(uuid.uuid4())
    code = Code(project_id=project.id, key=item.key, guid=guid, name=item.name,
                definition=item.definition)
    session.add(code)
    return code


def _guid_taken(session: Session, project: Project, guid: str) -> bool:
    """GUIDs name a code across tools, so a copy of a codebook in another project keeps them."""
    return session.scalar(select(func.count()).where(Code.project_id == project.id,
                                                     Code.guid == guid)) > 0


def _apply(code: Code, item: CodeSpec, position: int) -> None:
    for name in SPEC_FIELDS:
        value = {"rules": list(item.patterns)} if name == "patterns" else getattr(item, name)
        setattr(code, name, value)
    code.position = position
    code.status = "active"
    code.merged_into_id = None


def new_version(session: Session, *, project: Project, by: User | None, note: str,
                header: CodebookSpec | None = None) -> CodebookVersion:
    """Snapshot the live codebook (retired codes included) as the next version."""
    session.flush()
    last = current_version(session, project=project)
    head = header or to_spec(session, project=project)
    codes = list_codes(session, project=project)
    keys = {c.id: c.key for c in codes}
    snapshot = {"codes": [{"key": c.key, "parent": keys.get(c.parent_id), "guid": c.guid,
                           "status": c.status, **{f: _spec_value(c, f) for f in SPEC_FIELDS}}
                          for c in codes]}
    version = CodebookVersion(project_id=project.id, number=(last.number + 1) if last else 1,
                              key=head.key, name=head.name, label=head.version,
                              description=head.description, source=head.source,
                              note=note[:300], snapshot=snapshot,
                              created_by_id=by.id if by else None)
    session.add(version)
    session.flush()
    return version


def snapshot_spec(version: CodebookVersion, *, active_only: bool = True) -> CodebookSpec:
    """A stored version as plain data, for comparing versions."""
    spec = CodebookSpec(key=version.key, name=version.name, version=version.label,
                        description=version.description, source=version.source)
    for item in version.snapshot["codes"]:
        if active_only and item["status"] != "active":
            continue
        data = {k: v for k, v in item.items() if k != "status"}
        spec.codes.append(CodeSpec(**data))
    return spec


def compare_versions(session: Session, *, project: Project, old: int, new: int) -> CodebookDiff:
    """The difference between two stored versions of the project's codebook."""
    return diff(snapshot_spec(get_version(session, project=project, number=old)),
                snapshot_spec(get_version(session, project=project, number=new)))
