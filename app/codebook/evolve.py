"""Evolving a codebook during analysis, with codings carried along.

Each function changes the live codes, writes an audit event and makes a new codebook
version. A code keeps its row (and so its codings) through renames and moves; a merge
re-points the codings; a split leaves codings with the original until someone recodes them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.codebook.models import Code
from app.codebook.service import get_code, list_codes, new_version
from app.codebook.spec import COLOUR, KEY
from app.db import utcnow
from app.coding.models import Coding
from app.errors import Conflict, Invalid
from app.retrieval import tallies
from app.projects.models import Project

EDITABLE = ("name", "definition", "full_definition", "when_to_use", "when_not_to_use",
            "example", "colour", "citation")


def _finish(session: Session, project: Project, by: User, action: str, code: Code,
            note: str, **detail):
    audit.record(session, user_id=by.id, project_id=project.id, action=f"code.{action}",
                 obj=code, key=code.key, **detail)
    return new_version(session, project=project, by=by, note=note)


def _check_new_key(session: Session, project: Project, key: str) -> str:
    if not KEY.match(key or ""):
        raise Invalid(f"the key '{key}' must be upper-case letters, digits, '-' or '_'")
    if session.scalar(select(Code.id).where(Code.project_id == project.id, Code.key == key)):
        raise Conflict(f"project '{project.slug}' already has a code '{key}'")
    return key


def _check_fields(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise Invalid(f"these fields cannot be edited here: {', '.join(sorted(unknown))}")
    if "name" in fields and not (fields["name"] or "").strip():
        raise Invalid("a code needs a name")
    if "definition" in fields and not (fields["definition"] or "").strip():
        raise Invalid("a code needs a definition")
    if fields.get("colour") and not COLOUR.match(fields["colour"]):
        raise Invalid(f"colour '{fields['colour']}' is not #RRGGBB")
    return {k: (v or "").strip() for k, v in fields.items()}


def coding_count(session: Session, *, code: Code) -> int:
    """How many live (not deleted) codings use this code."""
    return session.scalar(select(func.count()).where(Coding.code_id == code.id,
                                                     Coding.deleted_at.is_(None)))


def add_code(session: Session, *, project: Project, by: User, key: str, name: str,
             definition: str, parent: str | None = None, is_category: bool = False,
             **fields) -> Code:
    """A new code (or category) under `parent`, at the end of the codebook."""
    code = _new_code(session, project, key=key, name=name, definition=definition,
                     parent=parent, is_category=is_category, **fields)
    _finish(session, project, by, "add", code, f"added {key}")
    return code


def _new_code(session: Session, project: Project, *, key: str, name: str, definition: str,
              parent: str | None, is_category: bool = False, **fields) -> Code:
    _check_new_key(session, project, key)
    values = _check_fields({"name": name, "definition": definition, **fields})
    parent_code = _active(session, project, parent) if parent else None
    position = max((c.position for c in list_codes(session, project=project)), default=-1) + 1
    code = Code(project_id=project.id, key=key, guid=str(uuid.uuid4()),
                parent_id=parent_code.id if parent_code else None, is_category=is_category,
                position=position, **values)
    session.add(code)
    session.flush()
    return code


def _active(session: Session, project: Project, key: str) -> Code:
    """A code that can receive children or codings: it must not be retired."""
    code = get_code(session, project=project, key=key)
    if code.status != "active":
        raise Invalid(f"'{key}' is retired: restore it first")
    return code


def _inside(session: Session, code: Code, ancestor: Code) -> bool:
    """Whether `code` is `ancestor` or lies somewhere beneath it."""
    while code is not None:
        if code.id == ancestor.id:
            return True
        code = session.get(Code, code.parent_id) if code.parent_id else None
    return False


def edit_code(session: Session, *, project: Project, by: User, key: str, **fields) -> Code:
    """Change a code's name, definitions, example, colour or citation."""
    code = get_code(session, project=project, key=key)
    values = _check_fields(fields)
    changed = sorted(k for k, v in values.items() if getattr(code, k) != v)
    for name, value in values.items():
        setattr(code, name, value)
    if changed:
        _finish(session, project, by, "edit", code, f"edited {key}", fields=changed)
    return code


def rename(session: Session, *, project: Project, by: User, key: str,
           new_key: str | None = None, new_name: str | None = None) -> Code:
    """A new key and/or name; the code's codings stay with it."""
    code = get_code(session, project=project, key=key)
    if new_key and new_key != key:
        code.key = _check_new_key(session, project, new_key)
    if new_name is not None:
        code.name = _check_fields({"name": new_name})["name"]
    if code.key != key or session.is_modified(code):
        _finish(session, project, by, "rename", code, f"renamed {key} to {code.key}",
                old_key=key, new_name=code.name)
    return code


def move(session: Session, *, project: Project, by: User, key: str,
         parent: str | None) -> Code:
    """Put a code under another parent (None: at the top); refuses to make a cycle."""
    code = get_code(session, project=project, key=key)
    target = _active(session, project, parent) if parent else None
    if target is not None and _inside(session, target, code):
        raise Invalid(f"'{key}' cannot go under '{parent}': that is inside '{key}' itself")
    if code.parent_id == (target.id if target else None):
        return code
    code.parent_id = target.id if target else None
    _finish(session, project, by, "move", code, f"moved {key} under {parent or 'the top'}",
            parent=parent)
    return code


def merge(session: Session, *, project: Project, by: User, key: str, into: str) -> Code:
    """Merge code `key` into `into`: its codings become codings of `into`; it is retired."""
    source = get_code(session, project=project, key=key)
    target = _active(session, project, into)
    if _inside(session, target, source):
        raise Invalid(f"'{key}' cannot be merged into '{into}': it is '{key}' or lies inside it")
    if target.is_category:
        raise Invalid(f"'{into}' is a category: codings cannot be merged into it")
    touched = tallies.documents_with_code(session, code_id=source.id)
    moved = session.execute(update(Coding).where(Coding.code_id == source.id)
                            .values(code_id=target.id)).rowcount
    tallies.refresh(session, document_ids=touched)
    for child in session.scalars(select(Code).where(Code.parent_id == source.id)):
        child.parent_id = target.id
    source.status, source.merged_into_id = "retired", target.id
    _finish(session, project, by, "merge", source, f"merged {key} into {into}", into=into,
            codings_moved=moved)
    return target


def split(session: Session, *, project: Project, by: User, key: str,
          parts: list[dict]) -> list[Code]:
    """New sibling codes split from `key`; its codings stay with it until recoded."""
    original = get_code(session, project=project, key=key)
    if not parts:
        raise Invalid("name at least one new code to split into")
    parent = session.get(Code, original.parent_id) if original.parent_id else None
    created = []
    for part in parts:
        code = _new_code(session, project, parent=parent.key if parent else None, **part)
        code.split_from_id = original.id
        created.append(code)
    _finish(session, project, by, "split", original, f"split {key}",
            into=[c.key for c in created])
    return created


def retire(session: Session, *, project: Project, by: User, key: str,
           restore: bool = False) -> Code:
    """Hide a code from the picker (its codings are kept), or bring it back."""
    code = get_code(session, project=project, key=key)
    code.status = "active" if restore else "retired"
    code.merged_into_id = None if restore else code.merged_into_id
    _finish(session, project, by, "restore" if restore else "retire", code,
            f"{'restored' if restore else 'retired'} {key}")
    return code


def delete(session: Session, *, project: Project, by: User, key: str,
           confirm: bool = False) -> int:
    """Delete a code. With codings this needs `confirm`; they are soft-deleted, not lost."""
    code = get_code(session, project=project, key=key)
    if session.scalar(select(func.count()).where(Code.parent_id == code.id)):
        raise Conflict(f"'{key}' has sub-codes: move or delete them first")
    count = coding_count(session, code=code)
    if count and not confirm:
        raise Conflict(f"'{key}' has {count} codings: confirm to delete it; its codings will "
                       "be removed (they stay in the history), or retire the code instead")
    if _referenced(session, code):
        code.status = "retired"  # codings or memos still point at it: keep the row, hidden
        touched = tallies.documents_with_code(session, code_id=code.id)
        session.execute(update(Coding).where(Coding.code_id == code.id,
                                             Coding.deleted_at.is_(None))
                        .values(deleted_at=utcnow(), deleted_by_id=by.id))
        tallies.refresh(session, document_ids=touched)
    else:
        session.delete(code)
    audit.record(session, user_id=by.id, project_id=project.id, action="code.delete",
                 obj=code, key=key, codings_removed=count)
    new_version(session, project=project, by=by, note=f"deleted {key}")
    return count


def _referenced(session: Session, code: Code) -> bool:
    """Whether codings (removed ones too) or memos point at the code: then it is never
    removed from the database, only retired, so no history and no memo is lost."""
    from app.memos.models import Memo

    codings = select(func.count()).where(Coding.code_id == code.id)
    memos = select(func.count()).where(Memo.code_id == code.id)
    return bool(session.scalar(codings) or session.scalar(memos))


def change(session: Session, *, project: Project, by: User, key: str, changes: dict) -> Code:
    """One request's changes: rename (key, name), move (parent), then edit the rest."""
    changes = dict(changes)
    new_key, new_name = changes.pop("key", None), changes.pop("name", None)
    code = get_code(session, project=project, key=key)
    if (new_key and new_key != key) or (new_name is not None and new_name != code.name):
        code = rename(session, project=project, by=by, key=key, new_key=new_key,
                      new_name=new_name)
    if "parent" in changes:
        code = move(session, project=project, by=by, key=code.key, parent=changes.pop("parent"))
    fields = {k: v for k, v in changes.items() if v is not None}
    return edit_code(session, project=project, by=by, key=code.key, **fields) if fields else code
