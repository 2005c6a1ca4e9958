import datetime as dt

from pydantic import BaseModel


class TurnOut(BaseModel):
    id: int
    start: int
    end: int
    speaker: str
    role: str
    agency: str
    timestamp: str | None
    time_start_ms: int | None
    time_end_ms: int | None


class DocumentCreated(BaseModel):
    id: int
    title: str
    word_count: int
    speakers: list[str]
    turns: int
    warnings: list[str]


class DocumentSummary(BaseModel):
    id: int
    title: str
    site: str
    kind: str
    date: dt.date | None
    word_count: int
    original_filename: str


class DocumentOut(BaseModel):
    id: int
    project: str
    site: str
    kind: str
    title: str
    date: dt.date | None
    researcher: str
    fieldwork_period: str
    original_filename: str
    format: str
    content_hash: str
    word_count: int
    offset_unit: str = "code points (Python str indices) into text"
    text: str
    turns: list[TurnOut]


class SpeakerOut(BaseModel):
    id: int
    name: str
    role: str
    agency: str
    turns: int


class SpeakerUpdate(BaseModel):
    role: str | None = None
    agency: str | None = None
