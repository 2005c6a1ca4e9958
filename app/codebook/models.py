"""A project's codebook: its codes (a tree of categories and codes) and its versions.

A `Code` row is the code's lasting identity: codings point at it, so a rename or a move
carries every coding along. Each change to the codebook makes a new `CodebookVersion`
holding a snapshot of the whole codebook, so versions can be compared and every coding
records the version under which it was made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (CheckConstraint, ForeignKey, ForeignKeyConstraint, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class CodebookVersion(Base):
    __tablename__ = "codebook_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),
                      UniqueConstraint("id", "project_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int]
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    snapshot: Mapped[dict] = mapped_column(deferred=True)  # large: load only when compared
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Code(Base):
    __tablename__ = "codes"
    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        UniqueConstraint("project_id", "guid"),
        UniqueConstraint("id", "project_id"),
        ForeignKeyConstraint(["parent_id", "project_id"], ["codes.id", "codes.project_id"]),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    guid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(index=True)
    is_category: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    definition: Mapped[str] = mapped_column(Text)
    full_definition: Mapped[str] = mapped_column(Text, default="")
    when_to_use: Mapped[str] = mapped_column(Text, default="")
    when_not_to_use: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="")
    citation: Mapped[str] = mapped_column(Text, default="")
    patterns: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
