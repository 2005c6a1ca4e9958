"""Cutting a document's text into segments for display, where codings may overlap.

A segment is a run of text covered by the same set of codings. Every boundary of a coding
(and every extra cut the page asks for, such as turn boundaries) starts a new segment, so
each highlight is a whole number of segments and overlaps are exact. One sweep over the
sorted boundaries: O((n + k) log k) for k codings.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: int                    # code-point offset of the segment in the document text
    text: str
    codings: tuple[int, ...] = ()  # ids of the codings covering it, in id order


def segments(text: str, spans: Iterable[tuple[int, int, int]],
             cuts: Iterable[int] = ()) -> list[Segment]:
    """Cut `text` at every span boundary and cut; `spans` are (id, start, end)."""
    spans = [(i, max(0, s), min(len(text), e)) for i, s, e in spans if s < e]
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for ident, start, end in spans:
        opening.setdefault(start, []).append(ident)
        closing.setdefault(end, []).append(ident)
    bounds = sorted({0, len(text), *opening, *closing,
                     *(c for c in cuts if 0 < c < len(text))})
    active: set[int] = set()
    out: list[Segment] = []
    for here, there in zip(bounds, bounds[1:]):
        active.difference_update(closing.get(here, ()))
        active.update(opening.get(here, ()))
        out.append(Segment(here, text[here:there], tuple(sorted(active))))
    return out


def within(segs: list[Segment], start: int, end: int) -> list[Segment]:
    """The segments lying in [start, end) (which must fall on segment boundaries)."""
    starts = [s.start for s in segs]
    return segs[bisect_left(starts, start):bisect_right(starts, end - 1)]
