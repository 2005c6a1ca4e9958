"""Speaker turns: ``Name: utterance`` lines in transcripts.

The label rules are deliberately conservative: a false turn is worse than a
missed one, because researchers code against turns and a field-note header
("Date: 3 May") mistaken for a speaker pollutes every speaker report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedTurn:
    """One speaker turn; ``[start, end)`` are str indices into the text."""

    start: int
    end: int
    speaker: str
    time_start_ms: int | None = None
    time_end_ms: int | None = None


@dataclass(frozen=True)
class SpeakerLabel:
    """A ``Name:`` label found at the start of a line."""

    speaker: str
    time_ms: int | None
    body_start: int  # index in the line just after "Name: "


# Lower-cased words that open header lines in notes, not speaker labels.
HEADER_WORDS = frozenset("""
    note notes date time present attendees apologies location venue site
    title re subject agenda action actions summary duration researcher
    meeting observation interview transcript fieldnote fieldnotes kind
    period nb ps
""".split())

MAX_LABEL_CHARS = 40
MIN_LABELLED_LINES = 2

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# letters/digits, ' ’ . - ; bounded so a long unlabelled line fails fast
_WORD = r"[^\W_](?:[^\W_]|['\u2019.\-]){0,39}"
_LABEL = re.compile(
    rf"[ \t]{{0,20}}(?:[\[(]?(?P<lead>{_TS})[\])]?[ \t]+)?"
    rf"(?P<name>{_WORD}(?: {_WORD}){{0,4}})"
    rf"(?:[ \t]*[\[(](?P<trail>{_TS})[\])])?"
    r"[ \t]*:(?:[ \t]+|$)"
)


def timestamp_ms(value: str) -> int:
    """``[hh:]mm:ss[.fff]`` -> milliseconds."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds * 1000 + int((fraction + "000")[:3])


def match_label(line: str) -> SpeakerLabel | None:
    """Return the speaker label opening ``line``, or None.

    A name is 1-5 words, at most 40 characters, starting with an upper-case
    letter (any script), made of letters, digits, spaces, apostrophes,
    hyphens and full stops, and not opening with a header word (Date,
    Present, Notes...). The colon must be followed by white space or the
    end of the line, so "10:30" and "Re:Action" are not labels.
    """
    m = _LABEL.match(line)
    if m is None:
        return None
    name = m["name"]
    first_word = name.split(" ")[0].rstrip(".").casefold()
    if len(name) > MAX_LABEL_CHARS or not name[0].isupper():
        return None
    if first_word in HEADER_WORDS:
        return None
    stamp = m["lead"] or m["trail"]
    time_ms = timestamp_ms(stamp) if stamp else None
    return SpeakerLabel(name, time_ms, m.end())


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    return lines


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` past white space at both ends; None if empty."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def parse_speaker_turns(text: str) -> list[ParsedTurn]:
    """Find ``Name: utterance`` turns in already-normalised text.

    A turn runs from just after ``Name: `` to the end of the last line
    before the next blank line or the next labelled line, so unlabelled
    lines directly below a label belong to it. Fewer than two labelled lines
    means the text is not a transcript, and no turns are returned.
    """
    lines = _lines_with_offsets(text)
    labels = {i: lab for i, (_, line) in enumerate(lines)
              if (lab := match_label(line)) is not None}
    if len(labels) < MIN_LABELLED_LINES:
        return []
    turns = []
    for i, label in labels.items():
        last = i
        while (last + 1 < len(lines) and last + 1 not in labels
               and lines[last + 1][1].strip()):
            last += 1
        end = lines[last][0] + len(lines[last][1])
        span = trimmed_span(text, lines[i][0] + label.body_start, end)
        if span is not None:
            turns.append(ParsedTurn(*span, label.speaker, label.time_ms))
    return turns
