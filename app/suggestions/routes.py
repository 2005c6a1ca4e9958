"""Suggestions through the JSON API: list, queue, accept, reject, run, and the auto setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.codebook.models import Code
from app.coding.routes import coding_out
from app.coding.schemas import CodingOut
from app.documents import service as documents
from app.documents.models import Document
from app.jobs.routes import JobOut, job_out
from app.projects import service as projects
from app.schemas import errors
from app.suggestions import service
from app.suggestions.models import Suggestion
from app.suggestions.schemas import (AcceptIn, SettingsIn, SettingsOut, SuggestIn,
                                     SuggestionOut)
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["suggestions"])


def texts_of(session: Session, ids: set[int]) -> dict[int, str]:
    """Document id -> text, for quoting suggestions."""
    rows = session.execute(select(Document.id, Document.text).where(Document.id.in_(ids)))
    return dict(rows.all())


def suggestion_out(suggestion: Suggestion, code: Code, text: str) -> SuggestionOut:
    return SuggestionOut(id=suggestion.id, document=suggestion.document_id, code=code.key,
                         code_name=code.name, start=suggestion.start, end=suggestion.end,
                         quote=text[suggestion.start:suggestion.end], rule=suggestion.rule,
                         reason=suggestion.reason, status=suggestion.status,
                         coding=suggestion.coding_id, created_at=suggestion.created_at)


def many_out(session: Session, rows: list[tuple[Suggestion, Code]]) -> list[SuggestionOut]:
    texts = texts_of(session, {s.document_id for s, _ in rows})
    return [suggestion_out(s, code, texts[s.document_id]) for s, code in rows]


@router.get("/api/documents/{document_id}/suggestions", name="api_document_suggestions",
            response_model=list[SuggestionOut], responses=errors(401, 404, 422))
def api_document_suggestions(session: SessionDep, user: CurrentUser, document_id: int,
                             status: str = "all"):
    """The document's suggestions in text order (`status`: pending, accepted, rejected, all)."""
    document, _ = documents.get_for_member(session, document_id=document_id, user=user)
    rows = service.list_for_document(session, document=document, status=status)
    return [suggestion_out(s, code, document.text) for s, code in rows]


@router.get("/api/projects/{project}/suggestions", name="api_suggestions",
            response_model=list[SuggestionOut], responses=errors(401, 404, 422))
def api_suggestions(session: SessionDep, user: CurrentUser, project: str,
                    code: str | None = None, document: int | None = None,
                    status: str = "pending", after: int | None = None, limit: int = 50):
    """The review queue in corpus order, for one code and/or one document; page with `after`
    (the last id seen)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    rows = service.queue(session, project=proj, code_key=code, document_id=document,
                         status=status, after_id=after, limit=limit)
    return many_out(session, rows)


@router.get("/api/suggestions/{suggestion_id}", name="api_suggestion",
            response_model=SuggestionOut, responses=errors(401, 404))
def api_suggestion(session: SessionDep, user: CurrentUser, suggestion_id: int):
    """One suggestion, with its rule and the reason it was proposed."""
    suggestion, _ = service.get_for_member(session, suggestion_id=suggestion_id, user=user)
    return many_out(session, [(suggestion, session.get(Code, suggestion.code_id))])[0]


@router.post("/api/suggestions/{suggestion_id}/accept", name="api_suggestion_accept",
             status_code=201, response_model=CodingOut,
             responses=errors(401, 403, 404, 409, 422))
def api_suggestion_accept(session: SessionDep, user: CurrentUser, suggestion_id: int,
                          body: Annotated[AcceptIn | None, Body()] = None):
    """Accept: the span (adjusted if `start`/`end` are sent) becomes a coding with origin
    "suggested" and the suggestion's rule. 409 if it was already decided."""
    suggestion, _ = service.get_for_member(session, suggestion_id=suggestion_id, user=user,
                                           need="edit")
    body = body or AcceptIn()
    coding = service.accept(session, suggestion=suggestion, by=user, start=body.start,
                            end=body.end, code=body.code)
    return coding_out(session, coding)


@router.post("/api/suggestions/{suggestion_id}/reject", name="api_suggestion_reject",
             response_model=SuggestionOut, responses=errors(401, 403, 404, 409))
def api_suggestion_reject(session: SessionDep, user: CurrentUser, suggestion_id: int):
    """Reject: nothing is coded, and the span is not suggested for this code again."""
    suggestion, _ = service.get_for_member(session, suggestion_id=suggestion_id, user=user,
                                           need="edit")
    service.reject(session, suggestion=suggestion, by=user)
    return many_out(session, [(suggestion, session.get(Code, suggestion.code_id))])[0]


@router.post("/api/projects/{project}/suggest", name="api_suggest", status_code=202,
             response_model=JobOut, responses=errors(401, 403, 404, 422))
def api_suggest(session: SessionDep, user: CurrentUser, project: str,
                body: Annotated[SuggestIn | None, Body()] = None):
    """Start a background run of the codebook's patterns over a document, a site or the
    project; poll `GET /api/jobs/{id}`. Unchanged documents are skipped."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    body = body or SuggestIn()
    return job_out(service.start_run(session, project=proj, by=user, site=body.site,
                                     document=body.document))


@router.get("/api/projects/{project}/settings", name="api_project_settings",
            response_model=SettingsOut, responses=errors(401, 404))
def api_project_settings(session: SessionDep, user: CurrentUser, project: str):
    """The project's settings."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return SettingsOut(auto_suggest=proj.auto_suggest, rank_suggestions=proj.rank_suggestions)


@router.put("/api/projects/{project}/settings", name="api_project_settings_set",
            response_model=SettingsOut, responses=errors(401, 403, 404, 422))
def api_project_settings_set(session: SessionDep, user: CurrentUser, project: str,
                             body: SettingsIn):
    """Owners: `auto_suggest` queues a suggestion run for every newly imported document;
    `rank_suggestions` lets the codebook's trained ranker filter and add to the patterns'
    suggestions. A setting left out is unchanged."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="manage")
    if body.auto_suggest is not None:
        service.set_auto_suggest(session, project=proj, on=body.auto_suggest, by=user)
    if body.rank_suggestions is not None:
        service.set_rank_suggestions(session, project=proj, on=body.rank_suggestions, by=user)
    return SettingsOut(auto_suggest=proj.auto_suggest, rank_suggestions=proj.rank_suggestions)
