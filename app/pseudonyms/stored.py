"""What is stored for a pseudonymised file: its replaced text, read back as it will be.

Plain text and Markdown stay as they are (UTF-8). Captions become WebVTT, one cue per
paragraph, so turns keep their timings. Other formats (docx, odt, rtf, pdf) become plain
text. Each result is read back with `read_document` and compared with the expected text
and turns, so a pseudonym that changes how turns parse is reported, not silently stored.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from pathlib import PurePath

from app.documents.formats_captions import CAPTION_FORMATS
from app.documents.readers import IngestError, ParsedTurn, ReadResult, read_document
from app.pseudonyms import service
from app.pseudonyms.service import Candidate


def _shifter(chosen: list[Candidate]):
    """Old offset -> offset in the replaced text (for positions outside replaced spans)."""
    ordered = sorted(chosen, key=lambda c: c.end)
    ends, total, sums = [c.end for c in ordered], 0, [0]
    for c in ordered:
        total += len(c.pseudonym) - (c.end - c.start)
        sums.append(total)
    return lambda pos: pos + sums[bisect.bisect_right(ends, pos)]


def _new_turns(result: ReadResult, chosen: list[Candidate]) -> list[ParsedTurn]:
    """The turns the replaced text should parse into: shifted, with replaced speakers."""
    shift, turns = _shifter(chosen), []
    for t in result.turns:
        line_start = result.text.rfind("\n", 0, t.start) + 1
        at = result.text.find(t.speaker, line_start, t.start)
        speaker = t.speaker
        if at >= 0:
            inside = [replace(c, start=c.start - at, end=c.end - at) for c in chosen
                      if at <= c.start and c.end <= at + len(t.speaker)]
            speaker = service.apply(t.speaker, inside)
        turns.append(replace(t, start=shift(t.start), end=shift(t.end), speaker=speaker))
    return turns


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _webvtt(text: str, turns: list[ParsedTurn]) -> bytes:
    """One cue per paragraph: a turn's cue keeps its timings and voice."""
    cues, offset, last_ms = ["WEBVTT"], 0, 0
    by_start = {t.start: t for t in turns}
    for paragraph in text.split("\n\n"):
        turn = next((by_start[p] for p in range(offset, offset + len(paragraph) + 1)
                     if p in by_start), None) if by_start else None
        if turn is not None and turn.time_start_ms is not None:
            start_ms, end_ms = turn.time_start_ms, turn.time_end_ms or turn.time_start_ms
            body = f"<v {turn.speaker}>{text[turn.start:turn.end]}"
        else:
            start_ms = end_ms = last_ms
            body = paragraph
        cues.append(f"{_clock(start_ms)} --> {_clock(end_ms)}\n{body}")
        last_ms = end_ms
        offset += len(paragraph) + 2
    return ("\n\n".join(cues) + "\n").encode("utf-8")


def stored_file(filename: str, result: ReadResult, chosen: list[Candidate],
                max_bytes: int) -> tuple[str, bytes, list[str]]:
    """File name, bytes and warnings for the pseudonymised text."""
    text = service.apply(result.text, chosen)
    turns = _new_turns(result, chosen)
    stem, warnings = PurePath(filename).stem, []
    if result.format in CAPTION_FORMATS:
        name, data = f"{stem}.vtt", _webvtt(text, turns)
        if _reads_as(name, data, text, turns, max_bytes):
            return name, data, warnings
        warnings.append("the caption timings could not be kept: stored as plain text")
    elif result.format not in ("txt", "md"):
        warnings.append(f"stored as pseudonymised plain text (the {result.format} file "
                        "itself is not kept)")
    name = filename if result.format in ("txt", "md") else f"{stem}.txt"
    data = text.encode("utf-8")
    if result.format in CAPTION_FORMATS:
        turns = [replace(t, time_start_ms=None, time_end_ms=None) for t in turns]
    if not _reads_as(name, data, text, turns, max_bytes):
        warnings.append("check the speaker turns: the pseudonyms changed how they parse")
    return name, data, warnings


def _reads_as(name, data, text, turns, max_bytes) -> bool:
    try:
        back = read_document(name, data, max_bytes=max(max_bytes, len(data)))
    except IngestError:
        return False
    same_turns = turns is None or [(t.start, t.end, t.speaker, t.time_start_ms) for t in
                                   back.turns] == [(t.start, t.end, t.speaker, t.time_start_ms)
                                                   for t in turns]
    return back.text == text and same_turns
