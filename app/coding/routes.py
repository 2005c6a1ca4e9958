"""Codings through the JSON API: create, list, recode, remove, restore, code turns."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.codebook.models import Code, CodebookVersion
from app.coding import service
from app.coding.models import Coding
from app.coding.schemas import CodingIn, CodingOut, RecodeIn, TurnCodingIn
from app.documents import service as documents
from app.schemas import errors
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["codings"])


def coding_out(session: Session, coding: Coding) -> CodingOut:
    code = session.get(Code, coding.code_id)
    coder = session.get(User, coding.coder_id)
    version = session.scalar(select(CodebookVersion.number).where(
        CodebookVersion.id == coding.codebook_version_id))
    return _out(coding, code.key, code.name, code.colour, coder.email, version)


def _out(coding: Coding, key: str, name: str, colour: str, coder: str,
         version: int) -> CodingOut:
    return CodingOut(id=coding.id, document=coding.document_id, code=key, code_name=name,
                     colour=colour, start=coding.start, end=coding.end, quote=coding.quote,
                     coder=coder, origin=coding.origin, rule=coding.rule,
                     codebook_version=version, created_at=coding.created_at,
                     removed=coding.deleted_at is not None)


def codings_out(session: Session, document_id: int) -> list[CodingOut]:
    """Every live coding of a document in one joined query (no per-coding lookups)."""
    rows = session.execute(
        select(Coding, Code.key, Code.name, Code.colour, User.email, CodebookVersion.number)
        .join(Code, Code.id == Coding.code_id).join(User, User.id == Coding.coder_id)
        .join(CodebookVersion, CodebookVersion.id == Coding.codebook_version_id)
        .where(Coding.document_id == document_id, Coding.deleted_at.is_(None))
        .order_by(Coding.start, Coding.end, Coding.id))
    return [_out(*row) for row in rows]


@router.post("/api/documents/{document_id}/codings", name="api_coding_create",
             status_code=201, response_model=CodingOut,
             responses=errors(401, 403, 404, 409, 422))
def api_coding_create(session: SessionDep, user: CurrentUser, document_id: int,
                      body: CodingIn):
    """Code a span; 409 if `quote` does not match the text there, 422 for a blank span."""
    document, project = documents.get_for_member(session, document_id=document_id, user=user,
                                                 need="edit")
    coding = service.create(session, project=project, document=document, code_key=body.code,
                            start=body.start, end=body.end, quote=body.quote, by=user)
    return coding_out(session, coding)


@router.get("/api/documents/{document_id}/codings", name="api_codings",
            response_model=list[CodingOut], responses=errors(401, 404) | {304: {}})
def api_codings(request: Request, session: SessionDep, user: CurrentUser, document_id: int):
    """The document's codings in text order; send If-None-Match to poll cheaply (304)."""
    document, _ = documents.get_for_member(session, document_id=document_id, user=user)
    tag = f'"{service.revision(session, document=document)}"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    body = [c.model_dump(mode="json") for c in codings_out(session, document.id)]
    return JSONResponse(body, headers={"ETag": tag})


@router.get("/api/codings/{coding_id}", name="api_coding", response_model=CodingOut,
            responses=errors(401, 404))
def api_coding(session: SessionDep, user: CurrentUser, coding_id: int):
    """One coding (removed ones too, marked `removed`)."""
    coding, _ = service.get_for_member(session, coding_id=coding_id, user=user)
    return coding_out(session, coding)


@router.patch("/api/codings/{coding_id}", name="api_coding_recode", response_model=CodingOut,
              responses=errors(401, 403, 404, 422))
def api_coding_recode(session: SessionDep, user: CurrentUser, coding_id: int, body: RecodeIn):
    """Give the coding another code."""
    coding, project = service.get_for_member(session, coding_id=coding_id, user=user,
                                             need="edit")
    return coding_out(session, service.recode(session, project=project, coding=coding,
                                              code_key=body.code, by=user))


@router.delete("/api/codings/{coding_id}", name="api_coding_remove", response_model=CodingOut,
               responses=errors(401, 403, 404))
def api_coding_remove(session: SessionDep, user: CurrentUser, coding_id: int):
    """Remove a coding (a soft delete: it can be restored)."""
    coding, project = service.get_for_member(session, coding_id=coding_id, user=user,
                                             need="edit")
    return coding_out(session, service.remove(session, project=project, coding=coding, by=user))


@router.post("/api/codings/{coding_id}/restore", name="api_coding_restore",
             response_model=CodingOut, responses=errors(401, 403, 404, 409))
def api_coding_restore(session: SessionDep, user: CurrentUser, coding_id: int):
    """Bring back a removed coding."""
    coding, project = service.get_for_member(session, coding_id=coding_id, user=user,
                                             need="edit")
    return coding_out(session, service.restore(session, project=project, coding=coding,
                                               by=user))


@router.post("/api/documents/{document_id}/turns/{turn_id}/codings", name="api_turn_code",
             status_code=201, response_model=list[CodingOut],
             responses=errors(401, 403, 404, 422))
def api_turn_code(session: SessionDep, user: CurrentUser, document_id: int, turn_id: int,
                  body: TurnCodingIn):
    """Code a whole speaker turn."""
    document, project = documents.get_for_member(session, document_id=document_id, user=user,
                                                 need="edit")
    made = service.code_turns(session, project=project, document=document, code_key=body.code,
                              by=user, turn_id=turn_id)
    return [coding_out(session, c) for c in made]


@router.post("/api/documents/{document_id}/speakers/{speaker_id}/codings",
             name="api_speaker_code", status_code=201, response_model=list[CodingOut],
             responses=errors(401, 403, 404, 422))
def api_speaker_code(session: SessionDep, user: CurrentUser, document_id: int,
                     speaker_id: int, body: TurnCodingIn):
    """Code every turn of one speaker in this document."""
    document, project = documents.get_for_member(session, document_id=document_id, user=user,
                                                 need="edit")
    made = service.code_turns(session, project=project, document=document, code_key=body.code,
                              by=user, speaker_id=speaker_id)
    return [coding_out(session, c) for c in made]
