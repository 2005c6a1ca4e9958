"""The full-text search tested on one quote at a time, for SQLite.

Asking FTS5 for every match of a common word costs as much as the matches; when the rows
are already few (the documents of one page), testing each row's quote is far cheaper. The
test reads the quote as FTS5's `unicode61` tokenizer does (runs of letters and digits,
lower-cased, no diacritics removed), so both ways find the same excerpts.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
FUNCTION = "fieldbench_match"


@lru_cache(maxsize=64)
def _terms(spec: str) -> list[tuple[list[str], bool]]:
    return [(WORD.findall(" ".join(tokens).lower()), prefix) for tokens, prefix in
            json.loads(spec)]


def matches(quote: str | None, spec: str) -> int:
    """1 if every term (phrase, word or prefix) of `spec` (JSON terms) occurs in the quote."""
    if not quote:
        return 0
    lowered, terms = quote.lower(), _terms(spec)
    if any(token not in lowered for tokens, _ in terms for token in tokens):
        return 0                          # most quotes fail here, cheaply
    words = WORD.findall(lowered)
    for tokens, prefix in terms:
        if not tokens:
            continue
        n, last = len(tokens), len(tokens) - 1
        if not any(words[i:i + last] == tokens[:last] and (
                words[i + last].startswith(tokens[last]) if prefix
                else words[i + last] == tokens[last]) for i in range(len(words) - n + 1)):
            return 0
    return 1


def register(session) -> None:
    """Make the function known to the session's SQLite connection (idempotent, cheap)."""
    raw = session.connection().connection.driver_connection
    raw.create_function(FUNCTION, 2, matches, deterministic=True)


def spec_of(terms: list[tuple[list[str], bool]]) -> str:
    return json.dumps(terms)
