"""Codebook pages: the tree, loading a file (preview, then apply), versions, the printable
codebook. The code page and the forms that change codes are in `pages_forms.py`, whose
router is included here, so `app.main` mounts only this `router`."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.accounts import service as accounts
from app.codebook import pages_forms, service
from app.codebook.pages_forms import tree
from app.coding.service import counts_by_code_and_site
from app.errors import FieldbenchError, Invalid
from app.projects import service as projects
from app.settings import get_settings
from app.web import CurrentUser, SessionDep, render

router = APIRouter(include_in_schema=False)
router.include_router(pages_forms.router)
BOOK = "/p/{project}/codebook"


@router.get(BOOK, name="codebook_page")
def codebook_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  retired: bool = False):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    codes = service.list_codes(session, project=proj)
    counts = counts_by_code_and_site(session, project=proj)
    return render(request, "codebook/codebook.html", user=user, project=proj, role=role,
                  version=service.current_version(session, project=proj),
                  roots=tree(codes, counts, show_retired=retired), counts=counts,
                  sites=projects.list_sites(session, project=proj), retired=retired,
                  retired_count=sum(c.status != "active" for c in codes),
                  code_count=sum(not c.is_category and c.status == "active" for c in codes))


# ---- loading a codebook file: preview (writes nothing), then apply ----

def _read_file(filename: str, data: bytes):
    from app.codebook import files  # written alongside these pages; reads YAML and .qdc
    return files.read(filename, data)


def _load_page(request, session, user, proj, role, status_code=200, **context):
    base = dict(filename=None, problems=[], changes=None, spec=None, notes=[], payload="",
                names={})
    return render(request, "codebook/load.html", status_code=status_code, user=user,
                  project=proj, role=role, **(base | context))


def _names(session, proj, spec) -> dict[str, str]:
    """Code names by key: the live codebook's, then the file's."""
    names = {c.key: c.name for c in service.list_codes(session, project=proj)}
    return names | {c.key: c.name for c in spec.codes}


@router.get(BOOK + "/load", name="codebook_load_page")
def codebook_load_page(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="manage")
    return _load_page(request, session, user, proj, role)


@router.post(BOOK + "/load", name="codebook_load_preview")
def codebook_load_preview(request: Request, session: SessionDep, user: CurrentUser,
                          project: str, file: UploadFile | None = None):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="manage")
    if file is None or not file.filename:
        return _load_page(request, session, user, proj, role, 422,
                          problems=["choose a .yaml, .yml or .qdc file to load"])
    limit = get_settings().max_upload_bytes
    filename, data = file.filename, file.file.read(limit + 1)
    try:
        if len(data) > limit:
            raise Invalid(f"{filename}: the file is over the {limit // 1048576} MB limit")
        spec, notes = _read_file(filename, data)
        changes = service.preview(session, project=proj, spec=spec)
    except FieldbenchError as err:
        return _load_page(request, session, user, proj, role, err.status_code,
                          filename=filename, problems=getattr(err, "problems", [err.message]))
    return _load_page(request, session, user, proj, role, filename=filename, spec=spec,
                      changes=changes, notes=notes, names=_names(session, proj, spec),
                      payload=base64.b64encode(data).decode("ascii"))


@router.post(BOOK + "/load/apply", name="codebook_load_apply")
def codebook_load_apply(request: Request, session: SessionDep, user: CurrentUser,
                        project: str, content: Annotated[str, Form()] = "",
                        filename: Annotated[str, Form()] = ""):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="manage")
    try:
        try:
            data = base64.b64decode(content, validate=True)
        except binascii.Error:
            raise Invalid("the file did not come back intact: load it again") from None
        spec, _ = _read_file(filename, data)
        service.load(session, project=proj, spec=spec, by=user, note=f"loaded {filename}")
    except FieldbenchError as err:
        session.rollback()
        return _load_page(request, session, user, proj, role, err.status_code,
                          filename=filename, problems=getattr(err, "problems", [err.message]))
    return RedirectResponse(request.url_for("codebook_page", project=proj.slug),
                            status_code=303)


# ---- versions and the printable codebook ----

@router.get(BOOK + "/versions", name="codebook_versions")
def codebook_versions(request: Request, session: SessionDep, user: CurrentUser, project: str,
                      old: int | None = None, new: int | None = None):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    versions = service.list_versions(session, project=proj)
    people = {i: accounts.get(session, user_id=i) for i in
              {v.created_by_id for v in versions if v.created_by_id}}
    comparison, error, status = None, None, 200
    if old is not None and new is not None:
        try:
            comparison = service.compare_versions(session, project=proj, old=old, new=new)
        except FieldbenchError as err:
            error, status = err.message, err.status_code
    names = {c["key"]: c["name"] for v in reversed(versions) if v.number in (old, new)
             for c in v.snapshot.get("codes", [])}
    if old is None or new is None:
        old, new = (versions[1].number if len(versions) > 1 else None,
                    versions[0].number if versions else None)
    return render(request, "codebook/versions.html", status_code=status, user=user,
                  project=proj, role=role, versions=versions, people=people, old=old,
                  new=new, comparison=comparison, names=names, error=error)


@router.get(BOOK + "/print", name="codebook_print")
def codebook_print(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    codes = service.list_codes(session, project=proj, active_only=True)
    return render(request, "codebook/print.html", user=user, project=proj, role=role,
                  version=service.current_version(session, project=proj),
                  roots=tree(codes, {}, show_retired=False),
                  code_count=sum(not c.is_category for c in codes))
