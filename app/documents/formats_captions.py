"""WebVTT and SRT captions: one paragraph per speaker turn.

Teams marks speakers with voice tags (``<v Firstname Lastname>``), Zoom
writes ``Name: text`` inside the cue, and SRT can only do the latter.
Consecutive cues by the same speaker merge into one turn; a cue with no
speaker becomes unattributed text (a paragraph with no turn).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from app.documents.formats import IngestError, decode_text
from app.documents.turns import ParsedTurn, match_label

CAPTION_FORMATS = ("vtt", "srt")
_NOT_VALID = {
    "vtt": "the file is not a valid WebVTT file (it must start with WEBVTT)",
    "srt": "the file is not a valid SRT file (it must start with a cue "
           "number and a line of timings)",
}


@dataclass(frozen=True)
class _Segment:
    speaker: str | None
    body: str
    start_ms: int
    end_ms: int


def _clean(text: str) -> str:
    """Cue line breaks are for display, not meaning: fold to single spaces.

    The result is NFC with no edge white space, so text built from it is
    already normalised and turn offsets never need remapping.
    """
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    return " ".join(text.split())


def _parse(text: str, fmt: str) -> list[webvtt.Caption]:
    """Captions via webvtt-py, which skips malformed cue blocks."""
    try:
        if fmt == "vtt":
            captions = webvtt.from_string(text).captions
        else:
            captions = webvtt.from_buffer([text.lstrip()], format="srt").captions
    except MalformedFileError:
        raise IngestError(_NOT_VALID[fmt]) from None
    except MalformedCaptionError as exc:
        raise IngestError(f"a caption has invalid timings ({exc})") from None
    if not captions:
        raise IngestError("no captions could be read from the file "
                          "(check the cue timings)")
    return captions


def _segment(caption: webvtt.Caption) -> _Segment | None:
    """The cue's speaker (voice tag, else a ``Name:`` label) and words."""
    body = _clean(caption.text)
    speaker = _clean(caption.voice or "") or None
    if speaker is None and (label := match_label(body)) is not None:
        speaker, body = label.speaker, body[label.body_start:].strip()
    if not body:
        return None
    return _Segment(speaker, body, caption.start_time.in_milliseconds(),
                    caption.end_time.in_milliseconds())


def _merged(captions: list[webvtt.Caption]) -> list[_Segment]:
    """Segments with consecutive cues of one speaker (or of none) merged."""
    merged: list[_Segment] = []
    for segment in filter(None, map(_segment, captions)):
        if merged and merged[-1].speaker == segment.speaker:
            last = merged[-1]
            segment = replace(last, body=f"{last.body} {segment.body}",
                              end_ms=segment.end_ms)
            merged[-1] = segment
        else:
            merged.append(segment)
    return merged


def _layout(segments: list[_Segment]) -> tuple[str, list[ParsedTurn]]:
    """``Name: words`` paragraphs; each turn spans the words only."""
    paragraphs: list[str] = []
    turns: list[ParsedTurn] = []
    offset = 0
    for seg in segments:
        prefix = f"{seg.speaker}: " if seg.speaker else ""
        paragraph = prefix + seg.body
        if seg.speaker:
            turns.append(ParsedTurn(offset + len(prefix), offset + len(paragraph),
                                    seg.speaker, seg.start_ms, seg.end_ms))
        paragraphs.append(paragraph)
        offset += len(paragraph) + 2  # the blank line between paragraphs
    return "\n\n".join(paragraphs), turns


def extract_captions(data: bytes, fmt: str) -> tuple[str, list[ParsedTurn], list[str]]:
    """Normalised text, turns with cue timings, and decoding warnings."""
    source, warnings = decode_text(data)
    text, turns = _layout(_merged(_parse(source, fmt)))
    return text, turns, warnings
