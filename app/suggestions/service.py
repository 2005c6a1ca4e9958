"""Suggestions: the codebook's patterns propose codings; a person accepts or rejects each one.

`suggest_documents` runs the NLP engine only where a document's text or the codebook's
patterns changed since the last run (`SuggestionState`). New finds are stored as pending;
pending ones the patterns no longer produce are dropped; accepted and rejected ones are
kept, so a rejected span is never proposed again. Nothing becomes a coding without a
person's `accept`, and every decision is audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.codebook import service as codebook
from app.codebook.models import Code
from app.coding import service as coding_service
from app.coding.models import Coding
from app.db import utcnow
from app.documents.models import Document
from app.errors import Conflict, Invalid, NotFound
from app.jobs import service as jobs
from app.projects import service as projects
from app.projects.models import Project
from app.suggestions.models import STATUSES, Suggestion, SuggestionState

KIND = "suggest"


def engine():
    """The NLP engine's entry points, imported on first use (spaCy loads only when needed)."""
    from app.nlp.patterns import patterns_hash
    from app.nlp.suggest import find_suggestions

    return find_suggestions, patterns_hash


def _ranker(spec):
    """The codebook's suggestion ranker, if one was trained for it (app/nlp/ranker.py)."""
    from app.nlp.ranker import ranker_for

    return ranker_for(spec.key)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class RunReport:
    checked: int = 0
    skipped: int = 0
    added: int = 0
    removed: int = 0


def suggest_documents(session: Session, *, project: Project, documents: Iterable[Document],
                      by: User | None = None) -> RunReport:
    """Find suggestions in the documents whose text or the patterns changed since last time."""
    find, hash_of = engine()
    spec = codebook.to_spec(session, project=project)
    codes, ranker = spec.codes, _ranker(spec) if project.rank_suggestions else None
    patterns = hash_of(codes) if ranker is None else \
        hashlib.sha256(f"{hash_of(codes)} {ranker.digest}".encode()).hexdigest()
    docs = {d.id: d for d in documents}
    states = {s.document_id: s for s in session.scalars(
        select(SuggestionState).where(SuggestionState.document_id.in_(list(docs))))}
    hashes = {i: text_hash(d.text) for i, d in docs.items()}
    todo = [i for i in docs if not _current(states.get(i), patterns, hashes[i])]
    report = RunReport(skipped=len(docs) - len(todo))
    if not todo:
        return report
    code_ids = {c.key: c.id for c in codebook.list_codes(session, project=project,
                                                         active_only=True) if not c.is_category}
    for doc_id, found in find(((i, docs[i].text) for i in todo), codes, ranker=ranker):
        added, removed, kept = _store(session, project, docs[doc_id], found, code_ids)
        report.checked, report.added = report.checked + 1, report.added + added
        report.removed += removed
        state = states.get(doc_id) or SuggestionState(document_id=doc_id)
        state.patterns_hash, state.text_hash = patterns, hashes[doc_id]
        state.found, state.checked_at = kept, utcnow()
        session.add(state)
    session.flush()
    audit.record(session, user_id=by.id if by else None, project_id=project.id,
                 action="suggestions.run", obj=project, documents=sorted(todo),
                 added=report.added, removed=report.removed)
    return report


def _current(state: SuggestionState | None, patterns: str, digest: str) -> bool:
    """Checked already with these patterns and this text."""
    return state is not None and (state.patterns_hash, state.text_hash) == (patterns, digest)


def _store(session: Session, project: Project, document: Document, found,
           code_ids: dict[str, int]) -> tuple[int, int, int]:
    """Upsert one document's finds; (added, removed, now proposed)."""
    existing = {(s.code_id, s.start, s.end): s for s in session.scalars(
        select(Suggestion).where(Suggestion.document_id == document.id))}
    coded = {(c.code_id, c.start, c.end) for c in session.scalars(select(Coding).where(
        Coding.document_id == document.id, Coding.deleted_at.is_(None)))}
    fresh = {}
    for item in found:
        start, end = coding_service.trim(document.text, max(item.start, 0),
                                         min(item.end, len(document.text)))
        key = (code_ids.get(item.code), start, end)
        if key[0] is not None and start < end and key not in coded:
            fresh.setdefault(key, item)
    added = removed = 0
    for key, item in fresh.items():
        old = existing.get(key)
        if old is None:
            session.add(Suggestion(project_id=project.id, document_id=document.id,
                                   code_id=key[0], start=key[1], end=key[2], status="pending",
                                   rule=item.rule[:200], reason=item.reason[:300]))
            added += 1
        elif old.status == "pending":
            old.rule, old.reason = item.rule[:200], item.reason[:300]
    for key, old in existing.items():
        if old.status == "pending" and key not in fresh:
            session.delete(old)
            removed += 1
    session.flush()
    return added, removed, len(fresh)


def get_for_member(session: Session, *, suggestion_id: int, user: User,
                   need: str = "view") -> tuple[Suggestion, Project]:
    """The suggestion and its project, if the user is a member (NotFound otherwise)."""
    suggestion = session.get(Suggestion, suggestion_id)
    return projects.object_for_member(session, suggestion, f"no suggestion {suggestion_id}",
                                      user=user, need=need)


def _decide(session: Session, suggestion: Suggestion, status: str, by: User) -> None:
    """Move a pending suggestion to `status`; Conflict if someone decided it first."""
    changed = session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id, Suggestion.status == "pending")
        .values(status=status, decided_by_id=by.id, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        session.refresh(suggestion)
        raise Conflict(f"suggestion {suggestion.id} was already {suggestion.status}")
    session.refresh(suggestion)


def accept(session: Session, *, suggestion: Suggestion, by: User, start: int | None = None,
           end: int | None = None, code: str | None = None) -> Coding:
    """Code the suggested span (or the adjusted span or code) and mark the suggestion accepted."""
    project = session.get(Project, suggestion.project_id)
    document = session.get(Document, suggestion.document_id)
    suggested = session.get(Code, suggestion.code_id).key
    _decide(session, suggestion, "accepted", by)
    coding = coding_service.create(
        session, project=project, document=document, code_key=code or suggested,
        start=suggestion.start if start is None else start,
        end=suggestion.end if end is None else end, by=by, origin="suggested",
        rule=suggestion.rule)
    suggestion.coding_id = coding.id
    session.flush()
    adjusted = (coding.start, coding.end, code or suggested) != (
        suggestion.start, suggestion.end, suggested)
    audit.record(session, user_id=by.id, project_id=project.id, action="suggestion.accept",
                 obj=suggestion, coding=coding.id, code=code or suggested, rule=suggestion.rule,
                 start=coding.start, end=coding.end, adjusted=adjusted)
    return coding


def reject(session: Session, *, suggestion: Suggestion, by: User) -> Suggestion:
    """Turn the suggestion down; the same span is never proposed for this code again."""
    _decide(session, suggestion, "rejected", by)
    audit.record(session, user_id=by.id, project_id=suggestion.project_id,
                 action="suggestion.reject", obj=suggestion, rule=suggestion.rule)
    return suggestion


def _status_filter(query, status: str | None):
    if status in (None, "", "all"):
        return query
    if status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)} or all, not '{status}'")
    return query.where(Suggestion.status == status)


def list_for_document(session: Session, *, document: Document,
                      status: str | None = None) -> list[tuple[Suggestion, Code]]:
    """The document's suggestions in text order, each with its code."""
    query = (select(Suggestion, Code).join(Code, Suggestion.code_id == Code.id)
             .where(Suggestion.document_id == document.id)
             .order_by(Suggestion.start, Suggestion.end, Suggestion.id))
    return [tuple(row) for row in session.execute(_status_filter(query, status))]


def queue(session: Session, *, project: Project, code_key: str | None = None,
          document_id: int | None = None, status: str | None = "pending",
          after_id: int | None = None, limit: int = 50) -> list[tuple[Suggestion, Code]]:
    """Suggestions in corpus order (document, then position), for one code or document."""
    query = (select(Suggestion, Code).join(Code, Suggestion.code_id == Code.id)
             .where(Suggestion.project_id == project.id))
    if code_key:
        query = query.where(Code.id == codebook.get_code(session, project=project,
                                                         key=code_key).id)
    if document_id is not None:
        query = query.where(Suggestion.document_id == document_id)
    after = session.get(Suggestion, after_id) if after_id else None
    if after is not None:
        query = query.where(tuple_(Suggestion.document_id, Suggestion.start, Suggestion.id)
                            > tuple_(after.document_id, after.start, after.id))
    query = query.order_by(Suggestion.document_id, Suggestion.start, Suggestion.id)
    return [tuple(row) for row in
            session.execute(_status_filter(query, status).limit(max(1, min(limit, 500))))]


def pending_counts(session: Session, *, project: Project) -> list[tuple[Code, int]]:
    """Each code with pending suggestions and how many, in codebook order."""
    rows = session.execute(
        select(Code, func.count(Suggestion.id)).join(Suggestion, Suggestion.code_id == Code.id)
        .where(Suggestion.project_id == project.id, Suggestion.status == "pending")
        .group_by(Code.id).order_by(Code.position, Code.key))
    return [(code, count) for code, count in rows]


def scope_ids(session: Session, *, project: Project, site: str | None = None,
              document: int | None = None) -> list[int]:
    """The ids of the documents a run covers: one document, a site's, or the project's."""
    query = select(Document.id).where(Document.project_id == project.id)
    if site:
        query = query.where(Document.site_id == projects.get_site(session, project=project,
                                                                  slug=site).id)
    if document is not None:
        query = query.where(Document.id == document)
        if session.scalar(query) is None:
            raise NotFound(f"no document {document} in project '{project.slug}'")
    return list(session.scalars(query.order_by(Document.id)))


def start_run(session: Session, *, project: Project, by: User | None, site: str | None = None,
              document: int | None = None):
    """Queue a background suggestion run over a document, a site or the whole project."""
    ids = scope_ids(session, project=project, site=site, document=document)
    job = jobs.enqueue(session, project=project, kind=KIND, by=by,
                       params={"site": site, "document": document})
    job.total = job.total or len(ids)
    return job


def on_ingest(session: Session, *, project: Project, document: Document, by: User) -> None:
    """The ingest hook: with `auto_suggest` on, queue a run for the new document."""
    if project.auto_suggest:
        start_run(session, project=project, by=by, document=document.id)


def set_rank_suggestions(session: Session, *, project: Project, on: bool,
                         by: User) -> Project:
    """Let the codebook's ranker filter and add to suggestions, or use the patterns alone;
    the next run redoes every document, since its hash includes the choice."""
    project.rank_suggestions = bool(on)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id,
                 action="project.rank_suggestions", obj=project, on=bool(on))
    return project


def set_auto_suggest(session: Session, *, project: Project, on: bool, by: User) -> Project:
    """Turn automatic suggestions for new documents on or off."""
    project.auto_suggest = bool(on)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id,
                 action="project.auto_suggest", obj=project, on=bool(on))
    return project
