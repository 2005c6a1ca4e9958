"""JSON shapes of the exchange API."""

from pydantic import BaseModel


class ImportOut(BaseModel):
    """What an import brought over and what it could not (with why)."""

    project: str
    url: str
    counts: dict[str, int]
    not_brought_over: list[str]
    notes: list[str]
