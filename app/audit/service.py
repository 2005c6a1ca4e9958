"""Recording audit events. Every state-changing service calls `record`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def record(session: Session, *, user_id: int | None, action: str, obj: object,
           project_id: int | None = None, **detail) -> AuditEvent:
    """Append one event naming the action and the object it touched."""
    if getattr(obj, "id", 0) is None:
        session.flush()
    event = AuditEvent(user_id=user_id, project_id=project_id, action=action,
                       object_type=type(obj).__name__.lower(),
                       object_id=getattr(obj, "id", None), detail=detail)
    session.add(event)
    return event


def list_for_project(session: Session, *, project_id: int, limit: int = 100) -> list[AuditEvent]:
    """The newest events of a project first."""
    query = (select(AuditEvent).where(AuditEvent.project_id == project_id)
             .order_by(AuditEvent.id.desc()).limit(limit))
    return list(session.scalars(query))
