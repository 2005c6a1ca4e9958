"""Retrieval shapes for the JSON API: excerpts, pages, matrices and saved queries.

A `query` is always a dict of query-string parameters (app/retrieval/params.py): values are
strings, lists of strings for repeatable parameters, e.g. {"code": ["PA"], "q": "A AND B"}.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

QueryParams = dict[str, str | list[str]]


class ExcerptOut(BaseModel):
    id: int = Field(description="the coding's id")
    code: str
    code_name: str
    family: str
    colour: str
    codebook_version: int
    coder: str = Field(description="the coder's e-mail")
    origin: str
    start: int = Field(description="code-point offset into the document text")
    end: int
    text: str
    before: str = Field(description="the sentence before (and the start of its own)")
    after: str = Field(description="the rest of its sentence and the sentence after")
    document_id: int
    document: str
    kind: str
    date: dt.date | None
    period: str
    site: str
    site_name: str
    strand: str
    governance: str | None
    country: str
    site_attributes: dict
    speaker: str = Field(description="the speaker of the first turn the excerpt overlaps")
    role: str
    agency: str
    codes_here: list[str] = Field(description="other codes on overlapping passages")
    memos: list[str]


class ExcerptPageOut(BaseModel):
    excerpts: list[ExcerptOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null "
                                                "on the last page")
    total: int | None = Field(description="all matching excerpts (with total=true)")


class LabelOut(BaseModel):
    key: str
    label: str


class CellOut(BaseModel):
    row: str
    col: str
    excerpts: int = Field(description="excerpts the cell's query finds")
    documents: int = Field(description="documents those excerpts are in")
    share: float | None = Field(description="where rows or cols are site or kind: the share "
                                            "of the documents in scope there with the cell's "
                                            "excerpts")
    pairs: int | None = Field(default=None, description="co-occurrence: overlapping coding "
                                                        "pairs (off the diagonal)")
    value: int = Field(description="what to show: pairs in co-occurrence, else excerpts")
    query: QueryParams = Field(description="the excerpt query behind the cell, as "
                                           "parameters of /api/projects/{project}/excerpts")


class MatrixOut(BaseModel):
    rows_dim: str
    cols_dim: str
    measure: str = Field(description="excerpts, or pairs (co-occurrence)")
    rows: list[LabelOut]
    cols: list[LabelOut]
    cells: list[CellOut] = Field(description="cells with excerpts (the others are zero)")


class SavedQueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    query: QueryParams = Field(default_factory=dict,
                               description="the filter, as excerpt query parameters")


class SavedQueryUpdate(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    query: QueryParams | None = None


class SavedQueryOut(BaseModel):
    id: int
    name: str
    description: str
    query: QueryParams
    author: str | None = Field(description="the author's e-mail")
    created_at: datetime
    updated_at: datetime


def as_utc(moment: datetime) -> datetime:
    """The time in UTC with its zone (SQLite hands stored times back without one)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
