from datetime import datetime

from pydantic import BaseModel


class CodingIn(BaseModel):
    """Offsets are code points (Python str indices) into the document's text, [start, end).
    The span is trimmed of surrounding white space; `quote`, if sent, must match it."""

    code: str
    start: int
    end: int
    quote: str | None = None


class RecodeIn(BaseModel):
    code: str


class TurnCodingIn(BaseModel):
    code: str


class CodingOut(BaseModel):
    id: int
    document: int
    code: str
    code_name: str
    colour: str
    start: int
    end: int
    quote: str
    coder: str
    origin: str
    rule: str
    codebook_version: int
    created_at: datetime
    removed: bool
