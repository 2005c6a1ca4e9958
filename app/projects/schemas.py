from typing import Literal

from pydantic import BaseModel, Field


class ProjectCreate(BaseModel):
    slug: str
    name: str
    description: str = ""


class ProjectOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    role: str


class SiteCreate(BaseModel):
    slug: str
    name: str
    strand: str = ""
    governance: Literal["statutory", "voluntary"] | None = None
    country: str = ""
    attributes: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class SiteUpdate(BaseModel):
    name: str | None = None
    strand: str | None = None
    governance: Literal["statutory", "voluntary", ""] | None = None
    country: str | None = None
    attributes: dict[str, str | int | float | bool | None] | None = None


class SiteOut(BaseModel):
    id: int
    slug: str
    name: str
    strand: str
    governance: str | None
    country: str
    attributes: dict
    document_count: int = 0


class MemberSet(BaseModel):
    email: str
    role: Literal["owner", "coder", "viewer"]


class MemberOut(BaseModel):
    email: str
    name: str
    role: str
