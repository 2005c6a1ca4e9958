"""Plain data for the document page: the text cut into turn and non-turn pieces."""

from __future__ import annotations

from dataclasses import dataclass

from app.documents.models import Speaker, Turn


def clock(ms: int | None) -> str | None:
    """Milliseconds as H:MM:SS (or M:SS under an hour), None stays None."""
    if ms is None:
        return None
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Piece:
    text: str
    start: int
    turn: Turn | None = None
    speaker: Speaker | None = None


def pieces(text: str, turns: list[tuple[Turn, Speaker]]) -> list[Piece]:
    """Cut the text at turn boundaries; turns are sorted and do not overlap."""
    out: list[Piece] = []
    at = 0
    for turn, speaker in turns:
        if turn.start > at:
            out.append(Piece(text[at:turn.start], at))
        out.append(Piece(text[turn.start:turn.end], turn.start, turn, speaker))
        at = turn.end
    if at < len(text):
        out.append(Piece(text[at:], at))
    return out
