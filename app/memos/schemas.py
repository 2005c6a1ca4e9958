"""Memo shapes: the JSON API's, the page forms', and the view pages and the API read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.models import User
from app.memos.models import MEMO_KINDS, Memo

class MemoIn(BaseModel):
    """A new memo. Give at most one target: a site (slug), a document (id), a code (key) or a
    coding (id); with none, the memo is on the project itself. The body is Markdown."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="analytic, reflexive, interest (“in whose interest?”) "
                                  "or methodological")
    body: str
    title: str = ""
    site: str | None = None
    document: int | None = None
    code: str | None = None
    coding: int | None = None


class MemoUpdate(BaseModel):
    """Fields to change; those left out stay as they are. A memo's target never changes."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    title: str | None = None
    body: str | None = None


class TargetOut(BaseModel):
    type: Literal["project", "site", "document", "code", "coding"]
    id: int | None = Field(description="null for a memo on the project itself")
    label: str


class MemoOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    title: str
    body: str
    html: str = Field(description="the body rendered from Markdown and sanitised")
    author: str = Field(description="the author's e-mail")
    created_at: datetime
    updated_at: datetime
    target: TargetOut


class MemoForm(BaseModel):
    """The memo forms of the pages (every field optional so the permission check comes
    first). `target` is "project" or "type:id" (site, document, code or coding by id), the
    alternative to `site` (slug), `document` (id), `code` (key) or `coding` (id); `next` is
    a local path to return to."""

    kind: str = ""
    title: str = ""
    body: str = ""
    site: str = ""
    document: str = ""
    code: str = ""
    coding: str = ""
    target: str = ""
    next: str = ""


@dataclass
class MemoView:
    """A memo ready for a page or the API: its author, rendered HTML and target."""

    memo: Memo
    author: User
    html: str
    target_type: str          # "project", "site", "document", "code" or "coding"
    target_id: int | None
    target_label: str
    target_ref: str | int | None = None   # site slug, code key, or a coding's document id

    def __getattr__(self, name: str):     # m.id, m.kind, m.title ... come from the memo
        if name.startswith("_") or name == "memo":
            raise AttributeError(name)
        return getattr(self.memo, name)

    @property
    def kind_name(self) -> str:
        return MEMO_KINDS[self.memo.kind]

    @property
    def edited(self) -> bool:
        return (as_utc(self.memo.updated_at) - as_utc(self.memo.created_at)).total_seconds() > 1


def as_utc(moment: datetime) -> datetime:
    """The time in UTC with its zone (SQLite hands stored times back without one)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
