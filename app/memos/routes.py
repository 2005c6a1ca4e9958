"""Memos through the JSON API: write, list and filter, read, change, delete."""

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.codebook.service import get_code
from app.memos import service
from app.memos.schemas import MemoIn, MemoOut, MemoUpdate, TargetOut, as_utc
from app.projects import service as projects
from app.schemas import errors
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["memos"])


def memo_out(session: Session, memo) -> MemoOut:
    v = service.view(session, memo)
    return MemoOut(id=memo.id, kind=memo.kind, kind_name=v.kind_name, title=memo.title,
                   body=memo.body, html=v.html, author=v.author.email,
                   created_at=as_utc(memo.created_at),
                   updated_at=as_utc(memo.updated_at),
                   target=TargetOut(type=v.target_type, id=v.target_id, label=v.target_label))


@router.post("/api/projects/{project}/memos", name="api_memo_create", status_code=201,
             response_model=MemoOut, responses=errors(401, 403, 404, 422))
def api_memo_create(session: SessionDep, user: CurrentUser, project: str, body: MemoIn):
    """Write a memo (coders and owners) on the project or on one site, document, code or
    coding of it; 404 if the target is not in the project, 422 for more than one target,
    an unknown kind or an empty body."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    target = service.resolve_target(session, project=proj, site=body.site,
                                    document=body.document, code=body.code, coding=body.coding)
    memo = service.create(session, project=proj, by=user, kind=body.kind, body=body.body,
                          title=body.title, **target)
    return memo_out(session, memo)


@router.get("/api/projects/{project}/memos", name="api_memos", response_model=list[MemoOut],
            responses=errors(401, 404, 422))
def api_memos(session: SessionDep, user: CurrentUser, project: str, kind: str | None = None,
              author: str | None = None, site: str | None = None, code: str | None = None,
              document: int | None = None, coding: int | None = None,
              target: str | None = None):
    """The project's memos, newest first, filtered by kind, author (e-mail), site (slug:
    also memos on its documents and their codings), code (key: also memos on its codings),
    document (id: also memos on its codings), coding (id) or target type (`project` for memos
    on the project itself, or site, document, code, coding)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    filters = _filters(session, proj, site=site, code=code, document=document, coding=coding)
    if author:
        writer = accounts.get_by_email(session, email=author)
        if writer is None:
            return []
        filters["author_id"] = writer.id
    memos = service.list_for_project(session, project=proj, kind=kind or None,
                                     target=target or None, **filters)
    return [memo_out(session, memo) for memo in memos]


def _filters(session, proj, *, site, code, document, coding) -> dict:
    """Filter values to ids, each looked up in the project (NotFound otherwise)."""
    found = {}
    if site:
        found["site_id"] = projects.get_site(session, project=proj, slug=site).id
    if code:
        found["code_id"] = get_code(session, project=proj, key=code).id
    for name, value in (("document", document), ("coding", coding)):
        if value is not None:
            service.target_by_id(session, project=proj, target_type=name, target_id=value)
            found[f"{name}_id"] = value
    return found


@router.get("/api/memos/{memo_id}", name="api_memo", response_model=MemoOut,
            responses=errors(401, 404))
def api_memo(session: SessionDep, user: CurrentUser, memo_id: int):
    """One memo."""
    memo, _ = service.get_for_member(session, memo_id=memo_id, user=user)
    return memo_out(session, memo)


@router.patch("/api/memos/{memo_id}", name="api_memo_update", response_model=MemoOut,
              responses=errors(401, 403, 404, 422))
def api_memo_update(session: SessionDep, user: CurrentUser, memo_id: int, body: MemoUpdate):
    """Change a memo's kind, title or body (its author or a project owner)."""
    memo, _ = service.get_for_member(session, memo_id=memo_id, user=user, need="edit")
    changes = body.model_dump(exclude_unset=True)
    return memo_out(session, service.update(session, memo=memo, by=user, **changes))


@router.delete("/api/memos/{memo_id}", name="api_memo_delete", status_code=204,
               responses=errors(401, 403, 404))
def api_memo_delete(session: SessionDep, user: CurrentUser, memo_id: int):
    """Delete a memo (its author or a project owner)."""
    memo, _ = service.get_for_member(session, memo_id=memo_id, user=user, need="edit")
    service.delete(session, memo=memo, by=user)
    return Response(status_code=204)
