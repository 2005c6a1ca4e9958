"""JSON shapes for suggestions, suggestion runs and the project's suggestion setting."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class SuggestionOut(BaseModel):
    """A proposed coding: offsets are code points into the document's text, [start, end)."""

    id: int
    document: int
    code: str
    code_name: str
    start: int
    end: int
    quote: str
    rule: str
    reason: str
    status: str
    coding: int | None = None
    created_at: datetime


class AcceptIn(BaseModel):
    """Accept as proposed, or adjust the span and/or the code first (the span is trimmed of
    white space and checked like any coding)."""

    start: int | None = None
    end: int | None = None
    code: str | None = None


class SuggestIn(BaseModel):
    """What to run the codebook's patterns over: one document, one site, or (neither) all."""

    site: str | None = None
    document: int | None = None


class SettingsIn(BaseModel):
    auto_suggest: bool | None = None
    rank_suggestions: bool | None = None


class SettingsOut(BaseModel):
    auto_suggest: bool
    rank_suggestions: bool
