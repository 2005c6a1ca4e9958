"""Review pages: a queue per document and per code, each suggestion a card to decide on.

A card shows the suggested passage in its sentence, the code (key, name, one-line
definition) and the rule with its reason. Accept, reject and adjust-the-span are htmx
requests that swap the card in place; `app/static/suggestions.js` binds them to keys.
Span adjustments are worked out here, in code points, and carried to the accept form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from app.codebook.models import Code
from app.coding.service import trim
from app.documents import service as documents
from app.documents.models import Document
from app.errors import FieldbenchError, Invalid, NotFound
from app.jobs import service as jobs
from app.projects import service as projects
from app.projects.models import Project
from app.suggestions import service
from app.suggestions.models import Suggestion
from app.web import CurrentUser, SessionDep, is_htmx, render

router = APIRouter(include_in_schema=False)

WORD = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")
AROUND = 240


@dataclass
class Card:
    """One suggestion as the review page shows it (with a possibly adjusted span)."""

    suggestion: Suggestion
    code: Code
    document: Document
    start: int
    end: int
    can_edit: bool
    error: str = ""

    @property
    def adjusted(self) -> bool:
        return (self.start, self.end) != (self.suggestion.start, self.suggestion.end)

    @cached_property
    def context(self) -> tuple[str, str, str, bool, bool]:
        """(before, quote, after, more before, more after): the sentence around the span."""
        return context_of(self.document.text, self.start, self.end)

    @cached_property
    def moves(self) -> dict[str, tuple[int, int] | None]:
        return word_moves(self.document.text, self.start, self.end)

    @property
    def definition(self) -> str:
        text = " ".join(self.code.definition.split())
        first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        return first if len(first) <= 200 else first[:199] + "…"


def context_of(text: str, start: int, end: int) -> tuple[str, str, str, bool, bool]:
    """The sentence (or line) around [start, end), cut at AROUND characters either side."""
    low = max(0, start - AROUND)
    cuts = [m.end() for m in SENTENCE_END.finditer(text, low, start)]
    begin = cuts[-1] if cuts else low
    stop = SENTENCE_END.search(text, end, min(len(text), end + AROUND))
    finish = stop.end() if stop else min(len(text), end + AROUND)
    return (text[begin:start].lstrip(), text[start:end], text[end:finish].rstrip(),
            not cuts and begin > 0, not stop and finish < len(text))


def word_moves(text: str, start: int, end: int) -> dict[str, tuple[int, int] | None]:
    """The span with its start or end moved by one word, each way (None where it cannot)."""
    found = list(WORD.finditer(text, max(0, start - AROUND), min(len(text), end + AROUND)))
    tokens = [(m.start(), m.end()) for m in found]
    words = [m.start() for m in found if m.group()[0].isalnum() or m.group()[0] == "_"]
    earlier = [a for a in words if a < start]      # a start moves by words, never onto
    later = [a for a in words if start < a < end]  # a comma; an end may take a full stop
    longer = [b for _, b in tokens if b > end]
    shorter = [b for _, b in tokens if start < b < end]
    return {"start-earlier": (earlier[-1], end) if earlier else None,
            "start-later": (later[0], end) if later else None,
            "end-later": (start, longer[0]) if longer else None,
            "end-earlier": (start, shorter[-1]) if shorter else None}


def _project(session: Session, user, slug: str, need: str = "view") -> tuple[Project, bool]:
    project, role = projects.get_for_member(session, slug=slug, user=user, need=need)
    return project, role.can_edit()


def _suggestion(session: Session, user, project: str, suggestion_id: int,
                need: str = "view") -> tuple[Suggestion, Project, bool]:
    suggestion, proj = service.get_for_member(session, suggestion_id=suggestion_id, user=user,
                                              need=need)
    if proj.slug != project:
        raise NotFound(f"no suggestion {suggestion_id}")
    return suggestion, proj, projects.role_of(session, project=proj, user=user).can_edit()


def cards(session: Session, rows, can_edit: bool) -> list[Card]:
    docs = {i: session.get(Document, i) for i in {s.document_id for s, _ in rows}}
    return [Card(s, code, docs[s.document_id], s.start, s.end, can_edit) for s, code in rows]


def _card_response(request: Request, session: Session, suggestion: Suggestion,
                   project: Project, can_edit: bool, start: int | None = None,
                   end: int | None = None, error: str = ""):
    session.refresh(suggestion)
    card = Card(suggestion, session.get(Code, suggestion.code_id),
                session.get(Document, suggestion.document_id),
                suggestion.start if start is None else start,
                suggestion.end if end is None else end, can_edit, error)
    return render(request, "suggestions/_card.html", card=card, project=project)


def _run_job(session: Session, project: Project, document: int | None):
    """The newest suggestion run for this page's scope, for its progress bar."""
    if document is not None:
        return jobs.latest_matching(session, project=project, kind=service.KIND,
                                    match=lambda p: p.get("document") == document)
    return jobs.latest_matching(session, project=project, kind=service.KIND,
                                match=lambda p: "document" not in p)


@router.get("/p/{project}/suggestions", name="suggestions_page")
def suggestions_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                     code: str = "", status: str = "pending", after: int | None = None):
    """The project's review queue, for one code or all, across the corpus."""
    proj, can_edit = _project(session, user, project)
    rows = service.queue(session, project=proj, code_key=code or None, status=status,
                         after_id=after, limit=50)
    return render(request, "suggestions/review.html", user=user, project=proj,
                  role=projects.role_of(session, project=proj, user=user).value,
                  cards=cards(session, rows, can_edit), can_edit=can_edit, code=code,
                  status=status, counts=service.pending_counts(session, project=proj),
                  sites=projects.list_sites(session, project=proj), document=None,
                  job=_run_job(session, proj, None), more=len(rows) == 50)


@router.get("/p/{project}/documents/{document_id}/suggestions",
            name="document_suggestions_page")
def document_suggestions_page(request: Request, session: SessionDep, user: CurrentUser,
                              project: str, document_id: int, status: str = "pending"):
    """One document's suggestions in text order."""
    document, proj = documents.get_for_member(session, document_id=document_id, user=user)
    if proj.slug != project:
        raise NotFound(f"no document {document_id}")
    can_edit = projects.role_of(session, project=proj, user=user).can_edit()
    rows = service.list_for_document(session, document=document, status=status)
    return render(request, "suggestions/review.html", user=user, project=proj,
                  role=projects.role_of(session, project=proj, user=user).value,
                  cards=cards(session, rows, can_edit), can_edit=can_edit, code="",
                  status=status, counts=[], sites=[], document=document,
                  job=_run_job(session, proj, document.id), more=False)


@router.get("/p/{project}/suggestions/{suggestion_id}/card", name="suggestion_card")
def suggestion_card(request: Request, session: SessionDep, user: CurrentUser, project: str,
                    suggestion_id: int, start: int | None = None, end: int | None = None):
    """The card, with the span adjusted to [start, end) (the adjust keys ask for this)."""
    suggestion, proj, can_edit = _suggestion(session, user, project, suggestion_id)
    text = session.get(Document, suggestion.document_id).text
    start, end = trim(text, *_bounded(start, end, suggestion, len(text)))
    if start >= end:
        start, end = suggestion.start, suggestion.end
    return _card_response(request, session, suggestion, proj, can_edit, start, end)


def _bounded(start, end, suggestion: Suggestion, size: int) -> tuple[int, int]:
    start = suggestion.start if start is None else min(max(start, 0), size)
    end = suggestion.end if end is None else min(max(end, 0), size)
    return start, end


@router.post("/p/{project}/suggestions/{suggestion_id}/accept", name="suggestion_accept")
def suggestion_accept(request: Request, session: SessionDep, user: CurrentUser, project: str,
                      suggestion_id: int, start: Annotated[int | None, Form()] = None,
                      end: Annotated[int | None, Form()] = None):
    """Accept (with the span as adjusted on the card); the card comes back decided."""
    suggestion, proj, can_edit = _suggestion(session, user, project, suggestion_id, "edit")
    return _decide(request, session, suggestion, proj, start, end,
                   lambda: service.accept(session, suggestion=suggestion, by=user,
                                          start=start, end=end))


@router.post("/p/{project}/suggestions/{suggestion_id}/reject", name="suggestion_reject")
def suggestion_reject(request: Request, session: SessionDep, user: CurrentUser, project: str,
                      suggestion_id: int):
    """Reject; the card comes back marked rejected."""
    suggestion, proj, _ = _suggestion(session, user, project, suggestion_id, "edit")
    return _decide(request, session, suggestion, proj, None, None,
                   lambda: service.reject(session, suggestion=suggestion, by=user))


def _decide(request, session, suggestion, project, start, end, action):
    """Run the decision in a savepoint; a refusal comes back on the card, nothing changed."""
    error = ""
    try:
        with session.begin_nested():
            action()
    except FieldbenchError as err:
        error = err.message
    if not is_htmx(request):
        if error:
            raise Invalid(error)
        return RedirectResponse(request.url_for(
            "document_suggestions_page", project=project.slug,
            document_id=suggestion.document_id), status_code=303)
    return _card_response(request, session, suggestion, project, True,
                          start if error else None, end if error else None, error)


@router.post("/p/{project}/suggest", name="suggest_run")
def suggest_run(request: Request, session: SessionDep, user: CurrentUser, project: str,
                site: Annotated[str, Form()] = "", document: Annotated[str, Form()] = ""):
    """Start a suggestion run; answers with the progress bar that polls the job."""
    proj, _ = _project(session, user, project, need="edit")
    if document and not document.isdigit():
        raise Invalid("the document must be given by its number")
    job = service.start_run(session, project=proj, by=user, site=site or None,
                            document=int(document) if document else None)
    if not is_htmx(request):
        target = (request.url_for("document_suggestions_page", project=proj.slug,
                                  document_id=job.params["document"])
                  if "document" in job.params else request.url_for("suggestions_page",
                                                                   project=proj.slug))
        return RedirectResponse(target, status_code=303)
    return render(request, "jobs/_job.html", job=job, project=proj)


@router.post("/p/{project}/settings/rank-suggestions", name="rank_suggestions_set")
def rank_suggestions_set(request: Request, session: SessionDep, user: CurrentUser, project: str,
                         rank_suggestions: Annotated[str, Form()] = ""):
    """Owners: let the codebook's trained ranker filter and add to the suggestions."""
    proj, _ = _project(session, user, project, need="manage")
    service.set_rank_suggestions(session, project=proj,
                                 on=rank_suggestions in ("1", "on", "true"), by=user)
    return RedirectResponse(request.url_for("project_page", project=proj.slug),
                            status_code=303)


@router.post("/p/{project}/settings/auto-suggest", name="auto_suggest_set")
def auto_suggest_set(request: Request, session: SessionDep, user: CurrentUser, project: str,
                     auto_suggest: Annotated[str, Form()] = ""):
    """Owners: turn automatic suggestions for new documents on or off."""
    proj, _ = _project(session, user, project, need="manage")
    service.set_auto_suggest(session, project=proj, on=auto_suggest in ("1", "on", "true"),
                             by=user)
    return RedirectResponse(request.url_for("project_page", project=proj.slug),
                            status_code=303)
