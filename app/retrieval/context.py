"""The sentence before and after an excerpt, found without a parser.

A sentence ends at '.', '!' or '?' followed by white space, or at a line break. An excerpt
that starts or ends mid-sentence carries the rest of that sentence in its context too.
"""

from __future__ import annotations

import re
from itertools import islice

END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n+")
LIMIT = 400  # characters: a runaway "sentence" (a list, a table) is cut short


def sentence_before(text: str, start: int) -> str:
    """The whole sentence before the excerpt, and the start of its own sentence if it
    begins mid-sentence."""
    window = text[max(0, start - 2 * LIMIT):start]
    ends = [0] + [m.end() for m in END.finditer(window)]
    partial = window[ends[-1]:]
    begin = ends[-2] if len(ends) >= 2 else 0
    return (window[begin:ends[-1]] + partial).strip()[-LIMIT:]


def sentence_after(text: str, end: int) -> str:
    """The rest of the excerpt's own sentence, and the whole sentence after it."""
    window = text[end:end + 2 * LIMIT]
    stops = [m.end() for m in islice(END.finditer(window), 2)] + [len(window), len(window)]
    finished = end == 0 or END.match(text, end - 1) is not None or window[:1] == "\n"
    return window[:stops[0] if finished else stops[1]].strip()[:LIMIT]
