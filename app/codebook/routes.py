"""The codebook's JSON API: read, load a file (with a preview), export, evolve codes."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response

from app.codebook import evolve, files, service
from app.codebook.schemas import (CodebookOut, CodeCreate, CodeOut, CodeUpdate, DeleteOut,
                                  DiffOut, LoadOut, MergeIn, SplitIn, VersionOut)
from app.codebook.views import code_out, codebook_out, diff_out, versions_out
from app.projects import service as projects
from app.schemas import errors
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["codebook"])
BASE = "/api/projects/{project}"


@router.get(BASE + "/codebook", name="api_codebook", response_model=CodebookOut,
            responses=errors(401, 404))
def api_codebook(session: SessionDep, user: CurrentUser, project: str,
                 retired: bool = False):
    """The live codebook with coding counts per code and per site."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return codebook_out(session, proj, include_retired=retired)


@router.get(BASE + "/codebook/versions", name="api_codebook_versions",
            response_model=list[VersionOut], responses=errors(401, 404))
def api_versions(session: SessionDep, user: CurrentUser, project: str):
    """Every version of the codebook, newest first."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return versions_out(session, proj)


@router.get(BASE + "/codebook/diff", name="api_codebook_diff", response_model=DiffOut,
            responses=errors(401, 404))
def api_diff(session: SessionDep, user: CurrentUser, project: str, old: int, new: int):
    """Codes added, removed and changed between two versions."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return diff_out(service.compare_versions(session, project=proj, old=old, new=new))


@router.post(BASE + "/codebook/load", name="api_codebook_load", response_model=LoadOut,
             responses=errors(401, 403, 404, 422))
def api_load(session: SessionDep, user: CurrentUser, project: str, file: UploadFile,
             dry_run: Annotated[bool, Form()] = False):
    """Load a YAML or REFI-QDA `.qdc` codebook as a new version (owners only).

    With `dry_run` nothing is written: the answer is the diff that loading would make.
    Errors in the file are listed with their line and key, and nothing is loaded.
    """
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    spec, notes = files.read(file.filename or "codebook.yaml", file.file.read())
    if dry_run:
        return LoadOut(version=0, diff=diff_out(service.preview(session, project=proj,
                                                                spec=spec), notes))
    version, changes = service.load(session, project=proj, spec=spec, by=user,
                                    note=f"loaded {file.filename}")
    return LoadOut(version=version.number, diff=diff_out(changes, notes))


@router.get(BASE + "/codebook/export", name="api_codebook_export",
            responses=errors(401, 404) | {200: {"content": {"application/xml": {},
                                                            "application/yaml": {}}}})
def api_export(session: SessionDep, user: CurrentUser, project: str,
               format: Literal["qdc", "yaml"] = "qdc"):
    """The codebook as a REFI-QDA `.qdc` file or as YAML."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    data, media = files.export(session, project=proj, fmt=format)
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{proj.slug}-codebook.{format}"'})


@router.get(BASE + "/codes/{key}", name="api_code", response_model=CodeOut,
            responses=errors(401, 404))
def api_code(session: SessionDep, user: CurrentUser, project: str, key: str):
    """One code with its coding counts."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return code_out(session, proj, service.get_code(session, project=proj, key=key))


@router.post(BASE + "/codes", name="api_code_create", status_code=201, response_model=CodeOut,
             responses=errors(401, 403, 404, 409, 422))
def api_code_create(session: SessionDep, user: CurrentUser, project: str, body: CodeCreate):
    """Add a code or category (owners only)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    code = evolve.add_code(session, project=proj, by=user, **body.model_dump())
    return code_out(session, proj, code)


@router.patch(BASE + "/codes/{key}", name="api_code_update", response_model=CodeOut,
              responses=errors(401, 403, 404, 409, 422))
def api_code_update(session: SessionDep, user: CurrentUser, project: str, key: str,
                    body: CodeUpdate):
    """Rename (key, name), move (parent; null for the top) and edit the other fields."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    code = evolve.change(session, project=proj, by=user, key=key,
                         changes=body.model_dump(exclude_unset=True))
    return code_out(session, proj, code)


@router.post(BASE + "/codes/{key}/merge", name="api_code_merge", response_model=CodeOut,
             responses=errors(401, 403, 404, 422))
def api_code_merge(session: SessionDep, user: CurrentUser, project: str, key: str,
                   body: MergeIn):
    """Merge this code into another: its codings move there and it is retired."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    target = evolve.merge(session, project=proj, by=user, key=key, into=body.into)
    return code_out(session, proj, target)


@router.post(BASE + "/codes/{key}/split", name="api_code_split", status_code=201,
             response_model=list[CodeOut], responses=errors(401, 403, 404, 409, 422))
def api_code_split(session: SessionDep, user: CurrentUser, project: str, key: str,
                   body: SplitIn):
    """Split new codes from this one; its codings stay with it until recoded."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    parts = evolve.split(session, project=proj, by=user, key=key,
                         parts=[p.model_dump() for p in body.parts])
    return [code_out(session, proj, code) for code in parts]


@router.post(BASE + "/codes/{key}/retire", name="api_code_retire", response_model=CodeOut,
             responses=errors(401, 403, 404))
def api_code_retire(session: SessionDep, user: CurrentUser, project: str, key: str,
                    restore: bool = False):
    """Hide a code from the picker, keeping its codings (`restore=true` brings it back)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    code = evolve.retire(session, project=proj, by=user, key=key, restore=restore)
    return code_out(session, proj, code)


@router.delete(BASE + "/codes/{key}", name="api_code_delete", response_model=DeleteOut,
               responses=errors(401, 403, 404, 409))
def api_code_delete(session: SessionDep, user: CurrentUser, project: str, key: str,
                    confirm: bool = False):
    """Delete a code; one with codings needs `confirm=true` (409 otherwise)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    removed = evolve.delete(session, project=proj, by=user, key=key, confirm=confirm)
    return DeleteOut(key=key, codings_removed=removed)
