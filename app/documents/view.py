"""Plain data for the document page: the text cut into turn and non-turn pieces.

Every piece keeps the code-point offset where it starts in `Document.text`, so the page
can map a browser selection back to stored offsets whatever the layout hides or adds.
"""

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
    label: str = ""          # the speaker label as written before the turn ("Chair:")
    label_start: int = 0


def _split_label(gap: str) -> tuple[str, str]:
    """Split the text before a turn into what precedes its label line, and the label."""
    line_start = gap.rfind("\n") + 1
    return gap[:line_start], gap[line_start:].rstrip()


def _plain(text: str, start: int) -> Piece:
    """A non-turn piece without the blank lines around it (its start moves with it)."""
    trimmed = text.lstrip("\n")
    return Piece(trimmed.rstrip("\n"), start + len(text) - len(trimmed))


def pieces(text: str, turns: list[tuple[Turn, Speaker]]) -> list[Piece]:
    """Cut the text at turn boundaries (turns are sorted and do not overlap).

    The label line before a turn travels with the turn, so it is shown once, in the
    turn's heading; white space between turns is dropped from the layout.
    """
    out: list[Piece] = []
    at = 0
    for turn, speaker in turns:
        before, label = _split_label(text[at:turn.start])
        if before.strip():
            out.append(_plain(before, at))
        out.append(Piece(text[turn.start:turn.end], turn.start, turn, speaker, label,
                         at + len(before)))
        at = turn.end
    if text[at:].strip():
        out.append(_plain(text[at:], at))
    return out
