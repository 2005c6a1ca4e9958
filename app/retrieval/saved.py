"""Saved excerpt queries: a named ExcerptFilter shared with the project.

Members list and run them; coders and owners save them; only the author (still a coder
or owner) or a project owner changes or deletes one. Names are unique per project. The
filter is stored as `ExcerptFilter.to_params()`; exports ask `get_filter` by name or id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.coding.models import Coding
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.projects import service as projects
from app.projects.models import Project, Role
from app.retrieval.filters import ExcerptFilter
from app.retrieval.models import SavedQuery
from app.retrieval.params import filter_from_params
from app.retrieval.query import coding_conditions

NAME_MAX = 200


def list_queries(session: Session, *, project: Project) -> list[SavedQuery]:
    """The project's saved queries by name."""
    return list(session.scalars(select(SavedQuery).where(SavedQuery.project_id == project.id)
                                .order_by(SavedQuery.name, SavedQuery.id)))


def get(session: Session, *, project: Project, query_id: int) -> SavedQuery:
    query = session.get(SavedQuery, query_id)
    if query is None or query.project_id != project.id:
        raise NotFound(f"no saved query {query_id} in project '{project.slug}'")
    return query


def get_by_name(session: Session, *, project: Project, name: str) -> SavedQuery:
    query = session.scalar(select(SavedQuery).where(SavedQuery.project_id == project.id,
                                                    SavedQuery.name == name.strip()))
    if query is None:
        raise NotFound(f"no saved query named '{name}' in project '{project.slug}'")
    return query


def filter_of(query: SavedQuery) -> ExcerptFilter:
    """The stored filter."""
    return filter_from_params(query.params or {})


def get_filter(session: Session, *, project: Project, name_or_id: str | int) -> ExcerptFilter:
    """A saved query's filter, by its name or its id (a number, or digits)."""
    if isinstance(name_or_id, int) or str(name_or_id).strip().isdigit():
        try:
            return filter_of(get(session, project=project, query_id=int(name_or_id)))
        except NotFound:
            if isinstance(name_or_id, int):
                raise
    return filter_of(get_by_name(session, project=project, name=str(name_or_id)))


def _clean_name(session: Session, project: Project, name: str,
                query: SavedQuery | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("name the saved query")
    if len(name) > NAME_MAX:
        raise Invalid(f"the name is {len(name)} characters long; keep it to {NAME_MAX}")
    twin = session.scalar(select(SavedQuery).where(SavedQuery.project_id == project.id,
                                                   SavedQuery.name == name))
    if twin is not None and twin is not query:
        raise Conflict(f"a saved query named '{name}' already exists in this project")
    return name


def _check_filter(session: Session, project: Project, f: ExcerptFilter) -> dict:
    """The filter as stored, once its codes, query and search are known to be good."""
    coding_conditions(session, project, f, Coding)   # Invalid for unknown codes, bad query
    return f.to_params()


def _may_change(session: Session, *, query: SavedQuery, by: User) -> None:
    role = projects.role_of(session, project=session.get(Project, query.project_id), user=by)
    if role is None:
        raise NotFound(f"no saved query {query.id}")
    projects.require(role, "edit")
    if query.created_by_id != by.id and role is not Role.OWNER:
        raise Forbidden("only the query's author or a project owner can change it")


def create(session: Session, *, project: Project, by: User, name: str, filter: ExcerptFilter,
           description: str = "") -> SavedQuery:
    """Save a filter under a name (coders and owners; NotFound for non-members)."""
    role = projects.role_of(session, project=project, user=by)
    if role is None:
        raise NotFound(f"no project '{project.slug}'")
    projects.require(role, "edit")
    query = SavedQuery(project_id=project.id, name=_clean_name(session, project, name),
                       description=(description or "").strip(),
                       params=_check_filter(session, project, filter), created_by_id=by.id)
    session.add(query)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="query.create",
                 obj=query, name=query.name)
    return query


def update(session: Session, *, query: SavedQuery, by: User, name: str | None = None,
           description: str | None = None, filter: ExcerptFilter | None = None) -> SavedQuery:
    """Rename, describe or change the filter of a saved query (None leaves it as it is)."""
    _may_change(session, query=query, by=by)
    project = session.get(Project, query.project_id)
    changes = {}
    if name is not None:
        changes["name"] = _clean_name(session, project, name, query)
    if description is not None:
        changes["description"] = description.strip()
    if filter is not None:
        changes["params"] = _check_filter(session, project, filter)
    changes = {k: v for k, v in changes.items() if getattr(query, k) != v}
    for key, value in changes.items():
        setattr(query, key, value)
    if changes:
        query.updated_at = utcnow()
        session.flush()
        audit.record(session, user_id=by.id, project_id=project.id, action="query.update",
                     obj=query, fields=sorted(changes))
    return query


def delete(session: Session, *, query: SavedQuery, by: User) -> None:
    """Delete a saved query (its author or a project owner)."""
    _may_change(session, query=query, by=by)
    audit.record(session, user_id=by.id, project_id=query.project_id, action="query.delete",
                 obj=query, name=query.name)
    session.delete(query)
    session.flush()
