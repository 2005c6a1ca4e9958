"""Pseudonym register and pseudonymisation: JSON shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, BaseModel, Field


class EntryOut(BaseModel):
    id: int
    real_name: str
    pseudonym: str
    category: str
    role_hint: str
    created_at: datetime | None = None


class EntryCreate(BaseModel):
    real_name: str = Field(validation_alias=AliasChoices("real_name", "name"), max_length=200,
                           description="The real name as it is written in the fieldnotes.")
    category: str = Field("person", description="person, place or organisation")
    pseudonym: str | None = Field(None, description="Blank: the next free label.")
    role_hint: str = Field("", description="For people: young person, parent, social "
                                           "worker, police officer ... (sets the label)")


class CandidateOut(BaseModel):
    text: str = Field(description="The words in the text.")
    start: int = Field(description="Code-point offset into the normalised text.")
    end: int
    category: str
    source: str = Field(description="register, speaker (a Name: label) or ner (spaCy)")
    key: str = Field(description="The real name whose pseudonym replaces the words.")
    pseudonym: str
    known: bool = Field(description="The name is in the register already.")


class PreviewOut(BaseModel):
    filename: str
    format: str
    word_count: int
    candidates: list[CandidateOut]
    warnings: list[str]


class ImportedOut(BaseModel):
    id: int
    title: str
    original_filename: str
    replacements: int
    new_entries: int
    pseudonyms: list[str]
    warnings: list[str]


class ImportOut(BaseModel):
    added: list[ImportedOut]
    refused: list[str]
