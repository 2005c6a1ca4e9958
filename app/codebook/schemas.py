from datetime import datetime

from pydantic import BaseModel, Field


class CodeOut(BaseModel):
    key: str
    guid: str
    name: str
    parent: str | None
    family: str
    is_category: bool
    status: str
    definition: str
    full_definition: str
    when_to_use: str
    when_not_to_use: str
    example: str
    colour: str
    citation: str
    codings: int = 0
    codings_by_site: dict[str, int] = Field(default_factory=dict)


class CodebookOut(BaseModel):
    key: str
    name: str
    label: str
    version: int
    description: str
    source: str
    codes: list[CodeOut]


class VersionOut(BaseModel):
    number: int
    label: str
    note: str
    created_at: datetime
    created_by: str | None


class DiffOut(BaseModel):
    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]
    notes: list[str] = Field(default_factory=list)


class LoadOut(BaseModel):
    version: int
    diff: DiffOut


class CodeCreate(BaseModel):
    key: str
    name: str
    definition: str
    parent: str | None = None
    is_category: bool = False
    full_definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str = ""
    citation: str = ""


class CodeUpdate(BaseModel):
    """Any of: new key or name (rename), parent (move; null for the top), other fields (edit)."""

    key: str | None = None
    name: str | None = None
    parent: str | None = None
    definition: str | None = None
    full_definition: str | None = None
    when_to_use: str | None = None
    when_not_to_use: str | None = None
    example: str | None = None
    colour: str | None = None
    citation: str | None = None


class MergeIn(BaseModel):
    into: str


class SplitPart(BaseModel):
    key: str
    name: str
    definition: str


class SplitIn(BaseModel):
    parts: list[SplitPart]


class DeleteOut(BaseModel):
    key: str
    codings_removed: int
