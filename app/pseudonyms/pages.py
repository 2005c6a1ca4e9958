"""Pseudonymisation pages: the preview and confirmation of an upload, and the register.

Upload page → "Preview pseudonymisation" (POST .../pseudonymise/preview, stores nothing)
→ preview page (untick, edit, add, pick roles) → Confirm (POST .../pseudonymise/confirm)
→ the pseudonymised texts are ingested and the register grows. The register page is for
owners only.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.documents import service as documents
from app.documents.models import DOCUMENT_KINDS
from app.errors import FieldbenchError
from app.projects import service as projects
from app.pseudonyms import importing, preview, service
from app.pseudonyms.labels import CATEGORIES, ROLES
from app.pseudonyms.routes import read_upload
from app.settings import get_settings
from app.web import CurrentUser, SessionDep, render

router = APIRouter(include_in_schema=False)
META_FIELDS = ("site", "kind", "title", "date", "researcher", "period")


async def form_data(request: Request) -> FormData:
    """The whole form (its fields are named per name and file, so FastAPI cannot list them)."""
    return await request.form()


def _meta(session, proj, values: dict[str, str], single: bool) -> documents.DocumentMeta:
    return documents.DocumentMeta(
        site=projects.get_site(session, project=proj, slug=values.get("site", "")),
        kind=documents.check_kind(values.get("kind", "")),
        title=values.get("title", "") if single else "",
        date=documents.parse_date(values.get("date")), researcher=values.get("researcher", ""),
        fieldwork_period=values.get("period", ""))


def _show_preview(request, *, user, proj, role, plan, texts, packed, meta, refused,
                  state=None, error=None, status_code=200):
    plan_chunks = preview.pack(plan.dump())
    grouped = preview.groups(plan, texts, compact=False)
    compact = preview.field_count(plan, grouped, packed, len(plan_chunks)) > preview.FIELD_BUDGET
    if compact:
        grouped = preview.groups(plan, texts, compact=True)
    too_many = preview.field_count(plan, grouped, packed,
                                   len(plan_chunks)) > preview.FIELD_BUDGET
    state = state or preview.State()
    return render(request, "pseudonyms/preview.html", status_code=status_code, user=user,
                  project=proj, role=role, plan=plan, files=list(zip(plan.files, packed, grouped)),
                  plan_chunks=plan_chunks, meta=meta, refused=refused, state=state,
                  compact=compact, too_many=too_many, error=error, roles=ROLES,
                  categories=CATEGORIES, add_rows=preview.ADD_ROWS,
                  counts=Counter(c.key for c in plan.candidates),
                  by_key={n.key: n for n in plan.names})


@router.post("/p/{project}/pseudonymise/preview", name="pseudonymise_preview")
def pseudonymise_preview(request: Request, session: SessionDep, user: CurrentUser,
                         project: str, files: list[UploadFile],
                         site: Annotated[str, Form()], kind: Annotated[str, Form()],
                         title: Annotated[str, Form()] = "", date: Annotated[str, Form()] = "",
                         researcher: Annotated[str, Form()] = "",
                         period: Annotated[str, Form()] = ""):
    """Propose replacements for the uploaded files; nothing is stored."""
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    meta = dict(site=site, kind=kind, title=title, date=date, researcher=researcher,
                period=period)
    try:
        _meta(session, proj, meta, single=True)
    except FieldbenchError as err:
        return render(request, "documents/upload.html", status_code=422, user=user,
                      project=proj, role=role, kinds=DOCUMENT_KINDS, chosen_site=site,
                      sites=projects.list_sites(session, project=proj), report=None,
                      error=err.message)
    uploads = [read_upload(f) for f in files if f.filename]
    plan, read, refused = preview.build(session, project=proj, uploads=uploads,
                                        max_bytes=get_settings().max_upload_bytes)
    return _show_preview(request, user=user, proj=proj, role=role, plan=plan,
                         texts=[r.text for _, _, r in read],
                         packed=[preview.pack(data) for _, data, _ in read], meta=meta,
                         refused=refused, status_code=200 if read else 422)


@router.post("/p/{project}/pseudonymise/confirm", name="pseudonymise_confirm")
def pseudonymise_confirm(request: Request, session: SessionDep, user: CurrentUser,
                         project: str, form: Annotated[FormData, Depends(form_data)]):
    """Replace the chosen names, ingest the pseudonymised texts, grow the register."""
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    limit = get_settings().max_upload_bytes
    plan = preview.Plan.load(preview.unpack(form.getlist("plan"), 4 * limit))
    chunks = [form.getlist(f"file_{i}") for i in range(len(plan.files))]
    results = [importing.read(name, preview.unpack(c, limit), max_bytes=limit)
               for name, c in zip(plan.files, chunks)]
    values = {k: str(form.get(k, "")) for k in META_FIELDS}
    state = preview.read_state(form, plan)
    try:
        metas = [_meta(session, proj, values, single=len(plan.files) == 1) for _ in plan.files]
        chosen, names = preview.decide(session, project=proj, plan=plan,
                                       texts=[r.text for r in results], state=state)
    except FieldbenchError as err:
        return _show_preview(request, user=user, proj=proj, role=role, plan=plan,
                             texts=[r.text for r in results], packed=chunks, meta=values,
                             refused=[], state=state, error=err.message, status_code=422)
    report = importing.ImportReport()
    for name, result, picked, meta in zip(plan.files, results, chosen, metas):
        importing.store_each(session, report, name, lambda n=name, r=result, p=picked, m=meta:
                             importing.store(session, project=proj, by=user, filename=n,
                                             result=r, chosen=p, names=names, meta=m,
                                             max_bytes=limit, origin="upload"))
    return render(request, "pseudonyms/result.html", status_code=200 if report.added else 422,
                  user=user, project=proj, role=role, report=report)


# ---- the register (owners) ----

def _register_page(request, session, user, proj, role, error=None, status_code=200):
    return render(request, "pseudonyms/register.html", status_code=status_code, user=user,
                  project=proj, role=role, entries=service.entries(session, project=proj),
                  roles=ROLES, categories=CATEGORIES, error=error)


@router.get("/p/{project}/pseudonyms", name="pseudonyms_page")
def pseudonyms_page(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="manage")
    return _register_page(request, session, user, proj, role)


@router.post("/p/{project}/pseudonyms", name="pseudonym_add")
def pseudonym_add(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  real_name: Annotated[str, Form()] = "",
                  category: Annotated[str, Form()] = "person",
                  role_hint: Annotated[str, Form()] = "",
                  pseudonym: Annotated[str, Form()] = ""):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="manage")
    try:
        with session.begin_nested():
            service.add(session, project=proj, by=user, real_name=real_name,
                        category=category, pseudonym=pseudonym, role_hint=role_hint)
    except FieldbenchError as err:
        return _register_page(request, session, user, proj, role, error=err.message,
                              status_code=err.status_code)
    return RedirectResponse(request.url_for("pseudonyms_page", project=proj.slug),
                            status_code=303)


@router.post("/p/{project}/pseudonyms/{entry_id}/delete", name="pseudonym_delete")
def pseudonym_delete(request: Request, session: SessionDep, user: CurrentUser, project: str,
                     entry_id: int):
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    service.delete(session, project=proj, by=user, entry_id=entry_id)
    return RedirectResponse(request.url_for("pseudonyms_page", project=proj.slug),
                            status_code=303)
