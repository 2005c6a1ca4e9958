"""What a researcher can ask of the coded excerpts, as one plain object.

The same `ExcerptFilter` serves the excerpt browser, the JSON API, matrices (a cell is a
filter plus its row and column), saved queries and exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields

SORTS = ("site", "date", "document")
NO_ROLE = "(none)"   # in `roles`: excerpts in no turn of a speaker who has a role


@dataclass
class ExcerptFilter:
    codes: list[str] = field(default_factory=list)        # any of these (and codes below
                                                           # them; '=KEY': that code alone)
    expr: str = ""                                         # the query language (expr.py)
    sites: list[str] = field(default_factory=list)        # site slugs
    strands: list[str] = field(default_factory=list)
    governance: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)        # NO_ROLE: no speaker with a role
    agencies: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    periods: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)       # e-mails
    origins: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)     # codebook version numbers
    documents: list[int] = field(default_factory=list)
    has_memo: bool | None = None
    text: str = ""                                         # full-text: words, "phrases", pre*
    sort: str = "site"

    def to_params(self) -> dict:
        """The filter as query-string parameters (lists repeat; empty values left out)."""
        out = {}
        for name, value in asdict(self).items():
            if value in (None, "", []) or (name == "sort" and value == "site"):
                continue
            out[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return out

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
