"""Codebook pages, part two: the code page and the owners' forms that change codes.

Every form is a plain POST that works without JavaScript: success redirects (303) to the
code page (or the codebook), an error re-renders the code page with the service's message
and its status. `pages.py` includes this router and reuses the tree helpers below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup, escape
from pydantic import BaseModel

from app.codebook import evolve, service
from app.codebook.models import Code
from app.coding.service import counts_by_code_and_site
from app.errors import FieldbenchError
from app.projects import service as projects
from app.web import CurrentUser, SessionDep, render

router = APIRouter(include_in_schema=False)
CODE = "/p/{project}/codebook/codes/{key}"
MENTION = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")


class CodeFields(BaseModel):
    """The fields an owner can edit (the edit and the new-code forms)."""
    name: str = ""
    definition: str = ""
    full_definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str = ""
    citation: str = ""


class NewCode(CodeFields):
    key: str = ""
    parent: str = ""
    is_category: bool = False


# ---- helpers shared with pages.py ----

@dataclass
class Node:
    code: Code
    children: list[Node] = field(default_factory=list)
    total: int = 0      # live codings of this code and all codes under it


def tree(codes: list[Code], counts: dict[int, dict[int, int]], *,
         show_retired: bool) -> list[Node]:
    """Roots in codebook order, each with its sub-codes; hidden retired codes stay only as
    the parents of codes that are shown."""
    by_parent: dict[int | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent_id, []).append(code)
    seen: set[int] = set()

    def build(parent_id: int | None) -> list[Node]:
        nodes = []
        for code in by_parent.get(parent_id, []):
            if code.id in seen:
                continue
            seen.add(code.id)
            node = Node(code, build(code.id))
            node.total = sum(counts.get(code.id, {}).values()) + sum(c.total for c in
                                                                     node.children)
            if show_retired or code.status == "active" or node.children:
                nodes.append(node)
        return nodes
    return build(None)


def descendants(code: Code, codes: list[Code]) -> set[int]:
    """Ids of every code under `code` (not itself)."""
    found, frontier = set(), {code.id}
    while frontier:
        frontier = {c.id for c in codes if c.parent_id in frontier} - found
        found |= frontier
    return found


def linker(request: Request, project: str, keys: set[str]):
    """A function that escapes text and links every known code key mentioned in it."""
    def link(text: str) -> Markup:
        def one(match: re.Match) -> str:
            key = match.group(0)
            if key not in keys:
                return key
            url = request.url_for("code_page", project=project, key=key)
            return f'<a href="{escape(str(url))}"><code class="key">{key}</code></a>'
        return Markup(MENTION.sub(one, str(escape(text or ""))))
    return link


def _ancestry(code: Code, by_id: dict[int, Code]) -> list[Code]:
    chain, seen = [], {code.id}
    while code.parent_id in by_id and code.parent_id not in seen:
        code = by_id[code.parent_id]
        seen.add(code.id)
        chain.insert(0, code)
    return chain


def code_page(request, session, user, proj, role, key: str, status_code: int = 200,
              error: str | None = None, action: str | None = None, form: dict | None = None):
    code = service.get_code(session, project=proj, key=key)
    codes = service.list_codes(session, project=proj)
    by_id = {c.id: c for c in codes}
    below = descendants(code, codes)
    active = [c for c in codes if c.status == "active" and c.id != code.id and c.id not in below]
    counts = counts_by_code_and_site(session, project=proj).get(code.id, {})
    return render(
        request, "codebook/code.html", status_code=status_code, user=user, project=proj,
        role=role, code=code, ancestry=_ancestry(code, by_id), by_id=by_id,
        children=[c for c in codes if c.parent_id == code.id],
        split_into=[c for c in codes if c.split_from_id == code.id],
        parents=active, merge_targets=[c for c in active if not c.is_category],
        depth={c.id: len(_ancestry(c, by_id)) for c in codes},
        sites=projects.list_sites(session, project=proj), counts=counts,
        total=sum(counts.values()), link=linker(request, proj.slug, {c.key for c in codes}),
        version=service.current_version(session, project=proj),
        error=error, action=action, form=form or {})


def _owner(session, user, project: str):
    return projects.get_for_member(session, slug=project, user=user, need="manage")


def _change(request, session, user, project: str, key: str, action: str, change,
            form: dict | None = None):
    """Run `change(project)` for an owner; redirect to the code it returns (or the codebook
    when it returns None), or re-render the code page with the error."""
    proj, role = _owner(session, user, project)
    try:
        target = change(proj)
    except FieldbenchError as err:
        session.rollback()
        return code_page(request, session, user, proj, role, key, err.status_code,
                         err.message, action, form)
    url = (request.url_for("code_page", project=proj.slug, key=target.key) if target
           else request.url_for("codebook_page", project=proj.slug))
    return RedirectResponse(url, status_code=303)


# ---- the code page and its forms ----

@router.get(CODE, name="code_page")
def code_view(request: Request, session: SessionDep, user: CurrentUser, project: str,
              key: str):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    return code_page(request, session, user, proj, role, key)


@router.post(CODE + "/edit", name="code_edit")
def code_edit(request: Request, session: SessionDep, user: CurrentUser, project: str,
              key: str, fields: Annotated[CodeFields, Form()]):
    values = fields.model_dump()
    return _change(request, session, user, project, key, "edit", lambda proj: evolve.edit_code(
        session, project=proj, by=user, key=key, **values), values)


@router.post(CODE + "/rename", name="code_rename")
def code_rename(request: Request, session: SessionDep, user: CurrentUser, project: str,
                key: str, new_key: Annotated[str, Form()] = "",
                new_name: Annotated[str, Form()] = ""):
    return _change(request, session, user, project, key, "rename", lambda proj: evolve.rename(
        session, project=proj, by=user, key=key, new_key=new_key.strip() or None,
        new_name=new_name if new_name.strip() else None),
        {"new_key": new_key, "new_name": new_name})


@router.post(CODE + "/move", name="code_move")
def code_move(request: Request, session: SessionDep, user: CurrentUser, project: str,
              key: str, parent: Annotated[str, Form()] = ""):
    return _change(request, session, user, project, key, "move", lambda proj: evolve.move(
        session, project=proj, by=user, key=key, parent=parent or None))


@router.post(CODE + "/merge", name="code_merge")
def code_merge(request: Request, session: SessionDep, user: CurrentUser, project: str,
               key: str, into: Annotated[str, Form()] = ""):
    return _change(request, session, user, project, key, "merge", lambda proj: evolve.merge(
        session, project=proj, by=user, key=key, into=into))


@router.post(CODE + "/split", name="code_split")
def code_split(request: Request, session: SessionDep, user: CurrentUser, project: str,
               key: str, part_key: Annotated[list[str], Form()] = [],  # noqa: B006
               part_name: Annotated[list[str], Form()] = [],  # noqa: B006
               part_definition: Annotated[list[str], Form()] = []):  # noqa: B006
    rows = zip(part_key, part_name, part_definition, strict=False)
    parts = [{"key": k.strip(), "name": n, "definition": d} for k, n, d in rows
             if k.strip() or n.strip() or d.strip()]

    def split(proj):
        evolve.split(session, project=proj, by=user, key=key, parts=parts)
        return service.get_code(session, project=proj, key=key)
    return _change(request, session, user, project, key, "split", split,
                   {"parts": [dict(key=k, name=n, definition=d) for k, n, d in
                              zip(part_key, part_name, part_definition, strict=False)]})


@router.post(CODE + "/retire", name="code_retire")
def code_retire(request: Request, session: SessionDep, user: CurrentUser, project: str,
                key: str):
    return _change(request, session, user, project, key, "retire", lambda proj: evolve.retire(
        session, project=proj, by=user, key=key))


@router.post(CODE + "/restore", name="code_restore")
def code_restore(request: Request, session: SessionDep, user: CurrentUser, project: str,
                 key: str):
    return _change(request, session, user, project, key, "retire", lambda proj: evolve.retire(
        session, project=proj, by=user, key=key, restore=True))


@router.post(CODE + "/delete", name="code_delete")
def code_delete(request: Request, session: SessionDep, user: CurrentUser, project: str,
                key: str, confirm: Annotated[bool, Form()] = False):
    def delete(proj):
        evolve.delete(session, project=proj, by=user, key=key, confirm=confirm)
        return None  # the code is gone (or hidden): back to the codebook
    return _change(request, session, user, project, key, "delete", delete)


# ---- a new code ----

def _new_page(request, session, user, proj, role, form: dict, status_code=200, error=None):
    codes = service.list_codes(session, project=proj, active_only=True)
    by_id = {c.id: c for c in codes}
    return render(request, "codebook/new.html", status_code=status_code, user=user,
                  project=proj, role=role, parents=codes, form=form, error=error,
                  depth={c.id: len(_ancestry(c, by_id)) for c in codes})


@router.get("/p/{project}/codebook/new", name="code_new_page")
def code_new_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  parent: str = ""):
    proj, role = _owner(session, user, project)
    return _new_page(request, session, user, proj, role, {"parent": parent})


@router.post("/p/{project}/codebook/new", name="code_new")
def code_new(request: Request, session: SessionDep, user: CurrentUser, project: str,
             fields: Annotated[NewCode, Form()]):
    proj, role = _owner(session, user, project)
    values = fields.model_dump()
    try:
        code = evolve.add_code(session, project=proj, by=user, **(values | {
            "key": values["key"].strip(), "parent": values["parent"] or None}))
    except FieldbenchError as err:
        session.rollback()
        return _new_page(request, session, user, proj, role, values, err.status_code,
                         err.message)
    return RedirectResponse(request.url_for("code_page", project=proj.slug, key=code.key),
                            status_code=303)
