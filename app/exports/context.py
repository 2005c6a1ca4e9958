"""The sentence before and after each excerpt of a document, exactly as retrieval/context.py
finds them, but fast for many excerpts of one text: the text's sentence ends are found
once (with END's equivalent `ENDS`, which the regex engine scans faster).

retrieval scans a window of 800 characters before the excerpt and after it. The pattern's
matches in such a window are the text's own matches, except a match cut short by the
window's edge (matched again up to that edge) and a match straddling the window's first
character: its rest is scanned as retrieval does (or, before an excerpt, retrieval's own
function is called). tests/exports/test_context.py checks the two agree.
"""

from __future__ import annotations

import bisect
import re

from app.retrieval import context
from app.retrieval.context import LIMIT

ENDS = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\n*")   # context.END, with '\n+' as '\n\n*'
WINDOW = 2 * LIMIT


class DocumentContext:
    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in ENDS.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def before(self, start: int) -> str:
        """context.sentence_before(text, start)."""
        text, starts, ends = self.text, self.starts, self.ends
        ws = max(0, start - WINDOW)
        i = bisect.bisect_left(starts, ws) - 1          # the last match starting before ws
        if ws > 0 and i >= 0 and ends[i] > ws:
            return context.sentence_before(text, start)
        found: list[int] = []                            # the window's last two ends
        j = bisect.bisect_left(starts, start) - 1
        while j >= 0 and starts[j] >= ws and len(found) < 2:
            if ends[j] <= start:
                found.append(ends[j])
            elif (m := ENDS.match(text, starts[j], start)) is not None:   # cut at start
                found.append(m.end())
            j -= 1
        begin = found[1] if len(found) >= 2 else ws
        return text[begin:start].strip()[-LIMIT:]

    def after(self, end: int) -> str:
        """context.sentence_after(text, end)."""
        text = self.text
        stop = min(len(text), end + WINDOW)
        stops = [e - end for e in self._first_ends(end, stop)] + [stop - end, stop - end]
        finished = (end == 0 or ENDS.match(text, end - 1) is not None
                    or text[end:end + 1] == "\n")
        return text[end:end + (stops[0] if finished else stops[1])].strip()[:LIMIT]

    def _first_ends(self, pos: int, stop: int) -> list[int]:
        """The ends of the first two matches in text[pos:stop], scanned from pos."""
        starts, ends, out = self.starts, self.ends, []
        j = bisect.bisect_left(starts, pos)
        if j > 0 and ends[j - 1] > pos:                  # pos is inside a match: its rest
            out = [m.end() for m in ENDS.finditer(self.text, pos, min(ends[j - 1], stop))][:2]
        while len(out) < 2 and j < len(starts) and starts[j] < stop:
            if ends[j] <= stop:
                out.append(ends[j])
            else:
                if (m := ENDS.match(self.text, starts[j], stop)) is not None:   # cut at stop
                    out.append(m.end())
                break
            j += 1
        return out
