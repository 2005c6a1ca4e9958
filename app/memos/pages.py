"""Memo pages: the project's memo list with filters and a form, and the forms that write,
change and delete memos. The same POST routes serve htmx: with `HX-Request` they answer
with the `templates/memos/_memos.html` section of the memo's target instead of redirecting.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.accounts import service as accounts
from app.codebook.service import get_code, list_codes
from app.errors import FieldbenchError, Invalid
from app.memos import service
from app.memos.models import MEMO_KINDS
from app.memos.schemas import MemoForm
from app.projects import service as projects
from app.web import CurrentUser, SessionDep, is_htmx, render, templates

router = APIRouter(include_in_schema=False)
PAGE = "/p/{project}/memos"
FILTERS = ("kind", "author", "site", "code")
templates.env.globals["memo_kinds"] = MEMO_KINDS    # for _memos.html on other pages


def local_path(value: str) -> str | None:
    """`value` if it is a path on this site (no scheme, host or control characters)."""
    parts = urlsplit(value or "")
    if (not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc
            or "\\" in value or any(ord(ch) < 32 for ch in value)):
        return None
    return value


def _filter_ids(session, proj, filters: dict) -> dict:
    """The page's filter values (kind, author e-mail, site slug, code key) as service args."""
    found = {"kind": filters["kind"] or None}
    if filters["author"]:
        writer = accounts.get_by_email(session, email=filters["author"])
        found["author_id"] = writer.id if writer else -1
    if filters["site"]:
        found["site_id"] = projects.get_site(session, project=proj, slug=filters["site"]).id
    if filters["code"]:
        found["code_id"] = get_code(session, project=proj, key=filters["code"]).id
    return found


def _page(request, session, user, proj, role, filters=None, status_code=200, error=None,
          form=None, editing=None):
    filters = {name: (filters or {}).get(name) or "" for name in FILTERS}
    memos = service.list_for_project(session, project=proj,
                                     **_filter_ids(session, proj, filters))
    return render(request, "memos/memos.html", status_code=status_code, user=user,
                  project=proj, role=role, memos=service.views(session, memos),
                  kinds=MEMO_KINDS, filters=filters, error=error, form=form or {},
                  editing=editing,
                  members=projects.list_members(session, project=proj),
                  sites=projects.list_sites(session, project=proj),
                  codes=list_codes(session, project=proj))


def _section(request, session, user, proj, role, target: tuple, *, error=None, form=None,
             next_path="", editing=None):
    """The `_memos.html` section of one target (the htmx answer). Its forms return to
    `next_path`, else to the page htmx says it is on, else to the memos page."""
    target_type, target_id = target
    current = urlsplit(request.headers.get("hx-current-url", ""))
    next_path = (local_path(next_path)
                 or local_path(current.path + (f"?{current.query}" if current.query else ""))
                 or request.url_for("memos_page", project=proj.slug).path)
    memos = service.memos_for(session, project=proj, target_type=target_type,
                              target_id=target_id)
    return render(request, "memos/_memos.html", user=user, project=proj, role=role,
                  memos=memos, target_type=target_type, target_id=target_id,
                  memo_error=error, memo_form=form or {}, memo_next=next_path,
                  editing=editing)


def _done(request, proj, next_path: str, memo_id: int | None = None):
    url = local_path(next_path) or str(request.url_for("memos_page", project=proj.slug))
    if memo_id is not None and not local_path(next_path):
        url += f"#memo-{memo_id}"
    return RedirectResponse(url, status_code=303)


def _number(value: str, what: str) -> int | None:
    if not value.strip():
        return None
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise Invalid(f"the {what} must be given by its number, not '{value}'")
    return int(value)


def _form_target(session, proj, form: MemoForm) -> dict:
    """The form's target (by `target`, or by `site`/`document`/`code`/`coding`)."""
    named = dict(site=form.site.strip() or None, document=_number(form.document, "document"),
                 code=form.code.strip() or None, coding=_number(form.coding, "coding"))
    if not form.target.strip() or form.target.strip() == "project":
        return service.resolve_target(session, project=proj, **named)
    if any(value is not None for value in named.values()):
        raise Invalid("a memo is attached to at most one target")
    target_type, _, target_id = form.target.strip().partition(":")
    found = service.target_by_id(session, project=proj, target_type=target_type,
                                 target_id=_number(target_id, target_type))
    return {target_type: found} if found is not None else {}


def _target_key(found: dict) -> tuple[str, int | None]:
    return next(((name, obj.id) for name, obj in found.items()), ("project", None))


@router.get(PAGE, name="memos_page")
def memos_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
               kind: str = "", author: str = "", site: str = "", code: str = ""):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    return _page(request, session, user, proj, role,
                 dict(kind=kind, author=author, site=site, code=code))


@router.post(PAGE, name="memo_create")
def memo_create(request: Request, session: SessionDep, user: CurrentUser, project: str,
                form: Annotated[MemoForm, Form()]):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    found = _form_target(session, proj, form)
    try:
        memo = service.create(session, project=proj, by=user, kind=form.kind, body=form.body,
                              title=form.title, **found)
    except FieldbenchError as err:
        session.rollback()
        return _failed(request, session, user, proj, role, _target_key(found), err, form)
    if is_htmx(request):
        return _section(request, session, user, proj, role, service.target_of(memo),
                        next_path=form.next)
    return _done(request, proj, form.next, memo.id)


def _failed(request, session, user, proj, role, target, err, form: MemoForm, editing=None):
    """The form again with the reason; the section for htmx (which swaps only 2xx answers,
    so it comes with 200), else the memos page with the error's status."""
    values = form.model_dump()
    if is_htmx(request):
        return _section(request, session, user, proj, role, target, error=err.message,
                        form=values, next_path=form.next, editing=editing)
    return _page(request, session, user, proj, role, status_code=err.status_code,
                 error=err.message, form=values, editing=editing)


@router.post(PAGE + "/{memo_id}/edit", name="memo_edit")
def memo_edit(request: Request, session: SessionDep, user: CurrentUser, project: str,
              memo_id: int, form: Annotated[MemoForm, Form()]):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    memo = service.get_in_project(session, project=proj, memo_id=memo_id)
    target = service.target_of(memo)
    try:
        service.update(session, memo=memo, by=user, kind=form.kind or None, title=form.title,
                       body=form.body)
    except Invalid as err:
        session.rollback()
        return _failed(request, session, user, proj, role, target, err, form, memo_id)
    if is_htmx(request):
        return _section(request, session, user, proj, role, target, next_path=form.next)
    return _done(request, proj, form.next, memo.id)


@router.post(PAGE + "/{memo_id}/delete", name="memo_delete")
def memo_delete(request: Request, session: SessionDep, user: CurrentUser, project: str,
                memo_id: int, next: Annotated[str, Form()] = ""):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    memo = service.get_in_project(session, project=proj, memo_id=memo_id)
    service.delete(session, memo=memo, by=user)
    if is_htmx(request):
        return _section(request, session, user, proj, role, service.target_of(memo),
                        next_path=next)
    return _done(request, proj, next)
