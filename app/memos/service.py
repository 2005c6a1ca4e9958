"""Memos: write, change, delete (soft) and list a project's Markdown notes.

A memo is attached to the project itself or to one target: a site, a document, a code or a
coding. Only coders and owners write memos; only a memo's author or a project owner may
change or delete it. Every change is audited.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.codebook.models import Code
from app.codebook.service import get_code
from app.coding.models import Coding
from app.db import utcnow
from app.documents.models import Document
from app.errors import Forbidden, Invalid, NotFound
from app.memos.markdown import render
from app.memos.models import MEMO_KINDS, Memo
from app.memos.schemas import MemoView
from app.projects import service as projects
from app.projects.models import Project, Role, Site

TARGET_TYPES = {"site": Site, "document": Document, "code": Code, "coding": Coding}
TITLE_MAX = 200


# ---- checks ----

def check_kind(kind: str) -> str:
    if kind not in MEMO_KINDS:
        raise Invalid(f"unknown memo kind '{kind}'; use one of: {', '.join(MEMO_KINDS)}")
    return kind


def _clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise Invalid(f"the title is {len(title)} characters long; keep it to {TITLE_MAX}")
    return title


def _clean_body(body: str | None) -> str:
    if not body or not body.strip():
        raise Invalid("the memo is empty: write something in its body")
    return body.strip("\n")


def _one_target(**targets) -> tuple[str, object] | None:
    given = [(name, value) for name, value in targets.items() if value not in (None, "")]
    if len(given) > 1:
        raise Invalid("a memo is attached to at most one of a site, a document, a code or "
                      f"a coding, not to {' and '.join(name for name, _ in given)}")
    return given[0] if given else None


def _may_change(session: Session, *, memo: Memo, by: User) -> None:
    """Forbidden unless `by` is the memo's author (still a coder or owner) or an owner."""
    role = projects.role_of(session, project=session.get(Project, memo.project_id), user=by)
    if role is None:
        raise NotFound(f"no memo {memo.id}")
    projects.require(role, "edit")
    if memo.author_id != by.id and role is not Role.OWNER:
        raise Forbidden("only the memo's author or a project owner can change it")


# ---- targets ----

def resolve_target(session: Session, *, project: Project, site: str | None = None,
                   document: int | None = None, code: str | None = None,
                   coding: int | None = None) -> dict:
    """Look up at most one target (site slug, document id, code key, coding id) in the
    project; NotFound for anything outside it. Returns keyword arguments for `create`."""
    chosen = _one_target(site=site, document=document, code=code, coding=coding)
    if chosen is None:
        return {}
    name, value = chosen
    if name == "site":
        return {"site": projects.get_site(session, project=project, slug=value)}
    if name == "code":
        return {"code": get_code(session, project=project, key=value)}
    return {name: target_by_id(session, project=project, target_type=name, target_id=value)}


def target_by_id(session: Session, *, project: Project, target_type: str,
                 target_id: int | None):
    """The project's site, document, code or coding with this id (None for "project")."""
    if target_type == "project":
        return None
    model = TARGET_TYPES.get(target_type)
    if model is None:
        raise Invalid(f"a memo target is project, site, document, code or coding, "
                      f"not '{target_type}'")
    found = session.get(model, target_id) if isinstance(target_id, int) else None
    if found is None or found.project_id != project.id:
        raise NotFound(f"no {target_type} {target_id} in project '{project.slug}'")
    return found


# ---- changes ----

def create(session: Session, *, project: Project, by: User, kind: str, body: str,
           title: str = "", site: Site | None = None, document: Document | None = None,
           code: Code | None = None, coding: Coding | None = None) -> Memo:
    """A new memo on the project, or on one of its sites, documents, codes or codings."""
    check_kind(kind)
    body, title = _clean_body(body), _clean_title(title)
    chosen = _one_target(site=site, document=document, code=code, coding=coding)
    target_type, target = chosen or ("project", None)
    if target is not None and target.project_id != project.id:
        raise Invalid(f"that {target_type} is not in project '{project.slug}'")
    memo = Memo(project_id=project.id, kind=kind, title=title, body=body, author_id=by.id,
                **({f"{target_type}_id": target.id} if target is not None else {}))
    session.add(memo)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="memo.create",
                 obj=memo, kind=kind, target=target_type,
                 target_id=target.id if target is not None else None)
    return memo


def update(session: Session, *, memo: Memo, by: User, **fields) -> Memo:
    """Change a memo's kind, title or body (None leaves a field as it is)."""
    unknown = set(fields) - {"kind", "title", "body"}
    if unknown:
        raise Invalid(f"a memo's {', '.join(sorted(unknown))} cannot be changed")
    _may_change(session, memo=memo, by=by)
    clean = {"kind": check_kind, "title": _clean_title, "body": _clean_body}
    changed = {k: clean[k](v) for k, v in fields.items() if v is not None}
    changed = {k: v for k, v in changed.items() if getattr(memo, k) != v}
    for key, value in changed.items():
        setattr(memo, key, value)
    if changed:
        memo.updated_at = utcnow()
        session.flush()
        audit.record(session, user_id=by.id, project_id=memo.project_id, action="memo.update",
                     obj=memo, fields=sorted(changed))
    return memo


def delete(session: Session, *, memo: Memo, by: User) -> Memo:
    """Delete a memo (softly: it stays in the database, out of every list)."""
    _may_change(session, memo=memo, by=by)
    memo.deleted_at = utcnow()
    session.flush()
    audit.record(session, user_id=by.id, project_id=memo.project_id, action="memo.delete",
                 obj=memo)
    return memo


# ---- reading ----

def get_for_member(session: Session, *, memo_id: int, user: User,
                   need: str = "view") -> tuple[Memo, Project]:
    """The memo and its project, if the user is a member (NotFound otherwise)."""
    memo = session.get(Memo, memo_id)
    if memo is not None and memo.deleted_at is not None:
        memo = None
    return projects.object_for_member(session, memo, f"no memo {memo_id}", user=user,
                                      need=need)


def get_in_project(session: Session, *, project: Project, memo_id: int) -> Memo:
    """The project's live memo with this id, or NotFound."""
    memo = session.get(Memo, memo_id)
    if memo is None or memo.deleted_at is not None or memo.project_id != project.id:
        raise NotFound(f"no memo {memo_id} in project '{project.slug}'")
    return memo


def _live(project: Project):
    return select(Memo).where(Memo.project_id == project.id, Memo.deleted_at.is_(None))


def list_for_project(session: Session, *, project: Project, kind: str | None = None,
                     author_id: int | None = None, site_id: int | None = None,
                     code_id: int | None = None, document_id: int | None = None,
                     coding_id: int | None = None, target: str | None = None) -> list[Memo]:
    """The project's memos, newest first. `site_id` also matches memos on the site's
    documents and on codings in them; `document_id` also matches memos on the document's
    codings; `code_id` also matches memos on codings with that code; `target` keeps one
    kind of target ("project" for memos on the project itself)."""
    query = _live(project)
    if kind:
        query = query.where(Memo.kind == check_kind(kind))
    if author_id is not None:
        query = query.where(Memo.author_id == author_id)
    for condition in _target_filters(site_id, code_id, document_id, coding_id, target):
        query = query.where(condition)
    return list(session.scalars(query.order_by(Memo.created_at.desc(), Memo.id.desc())))


def _target_filters(site_id, code_id, document_id, coding_id, target) -> list:
    def on_codings(*where):
        return Memo.coding_id.in_(select(Coding.id).where(*where))
    site_docs = select(Document.id).where(Document.site_id == site_id)
    wanted = [
        (site_id, lambda: or_(Memo.site_id == site_id, Memo.document_id.in_(site_docs),
                              on_codings(Coding.document_id.in_(site_docs)))),
        (document_id, lambda: or_(Memo.document_id == document_id,
                                  on_codings(Coding.document_id == document_id))),
        (code_id, lambda: or_(Memo.code_id == code_id, on_codings(Coding.code_id == code_id))),
        (coding_id, lambda: Memo.coding_id == coding_id)]
    conditions = [make() for value, make in wanted if value is not None]
    if target not in (None, "project", *TARGET_TYPES):
        raise Invalid(f"target is project, site, document, code or coding, not '{target}'")
    if target == "project":
        conditions += [getattr(Memo, f"{t}_id").is_(None) for t in TARGET_TYPES]
    elif target:
        conditions.append(getattr(Memo, f"{target}_id").is_not(None))
    return conditions


def list_for_target(session: Session, *, project: Project, target_type: str,
                    target_id: int | None) -> list[Memo]:
    """The memos on exactly this object (or on the project itself), newest first."""
    target_by_id(session, project=project, target_type=target_type, target_id=target_id)
    query = _live(project)
    for name in TARGET_TYPES:
        column = getattr(Memo, f"{name}_id")
        query = query.where(column == target_id if name == target_type else column.is_(None))
    return list(session.scalars(query.order_by(Memo.created_at.desc(), Memo.id.desc())))


# ---- views for pages and the API ----

def target_of(memo: Memo) -> tuple[str, int | None]:
    for name in TARGET_TYPES:
        if getattr(memo, f"{name}_id") is not None:
            return name, getattr(memo, f"{name}_id")
    return "project", None


def view(session: Session, memo: Memo) -> MemoView:
    """The memo with its author, its Markdown rendered safely, and its target described."""
    target_type, target_id = target_of(memo)
    label, ref = _describe(session, memo, target_type, target_id)
    return MemoView(memo=memo, author=session.get(User, memo.author_id), html=render(memo.body),
                    target_type=target_type, target_id=target_id, target_label=label,
                    target_ref=ref)


def _describe(session: Session, memo: Memo, target_type: str, target_id: int | None):
    if target_type == "project":
        return session.get(Project, memo.project_id).name, None
    target = session.get(TARGET_TYPES[target_type], target_id)
    if target_type == "site":
        return target.name, target.slug
    if target_type == "document":
        return target.title, target.id
    if target_type == "code":
        return f"{target.key} {target.name}", target.key
    code = session.get(Code, target.code_id)
    quote = target.quote if len(target.quote) <= 60 else target.quote[:59] + "…"
    return f"{code.key} on “{quote}”", target.document_id


def views(session: Session, memos: list[Memo]) -> list[MemoView]:
    return [view(session, memo) for memo in memos]


def memos_for(session: Session, *, project: Project, target_type: str,
              target_id: int | None) -> list[MemoView]:
    """One object's memos ready for `templates/memos/_memos.html` (each has `.html`)."""
    return views(session, list_for_target(session, project=project, target_type=target_type,
                                          target_id=target_id))
