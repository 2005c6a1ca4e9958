"""Text positions between REFI-QDA tools and Fieldbench.

Fieldbench offsets are code points into the normalised text, half-open. The standard says
the same (code points, end exclusive, over the plain-text file), and our export writes
exactly `Document.text` (UTF-8, no BOM, LF), so exported positions are our offsets as they
are. Other tools count differently (shared/refi-qda/NOTES.md §5): NVivo in UTF-16 code
units with CRLF as two, ATLAS.ti with CRLF as one. On import each file's selections are read
in every plausible unit (`VARIANTS`) and the unit that best fits the file is kept: the most
selections whose text matches their `name` (tools put the selected text there), then the
most that start and end on word boundaries, then the standard's unit.

Positions are then carried through Fieldbench's normalisation (BOM, CRLF, NFC, trailing
spaces, blank lines: app/documents/normalise.py) by `normalise_with_map`, which returns the
normalised text and where every raw index lands in it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from app.documents.normalise import _LINE_BREAKS, normalise_text

# (label, count UTF-16 code units, count CRLF as one character)
VARIANTS = (("code points", False, False), ("UTF-16 code units", True, False),
            ("code points with CRLF as one", False, True),
            ("UTF-16 code units with CRLF as one", True, True))
_TRAILING = re.compile(r"[^\S\n]+(?=\n|\Z)")
_BLANKS = re.compile(r"\n{3,}")


@dataclass
class Selection:
    start: int
    end: int
    name: str = ""


# ---------------------------------------------------------------- units

class Units:
    """Converts a tool's positions in one variant to code-point indices into `raw`."""

    def __init__(self, raw: str, utf16: bool, crlf_once: bool):
        self.raw = raw
        view, self.to_raw = (raw, None)
        if crlf_once and "\r\n" in raw:
            view, self.to_raw = _collapse_crlf(raw)
        self.length = len(view)
        self.cumulative = _utf16_offsets(view) if utf16 else None

    def index(self, position: int) -> int:
        """The raw code-point index for a position, clamped to the text."""
        if self.cumulative is not None:
            i = bisect_left(self.cumulative, position)
        else:
            i = position
        i = min(max(i, 0), self.length)
        return self.to_raw[i] if self.to_raw is not None else i


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of each code-point index 0..len(text)."""
    out, unit = [0], 0
    for ch in text:
        unit += 2 if ord(ch) > 0xFFFF else 1
        out.append(unit)
    return out


def _collapse_crlf(raw: str) -> tuple[str, list[int]]:
    """`raw` with CRLF as LF, and the raw index of each index of the result."""
    keep = [i for i in range(len(raw)) if not (raw[i] == "\r" and raw[i + 1:i + 2] == "\n")]
    return "".join(raw[i] for i in keep), keep + [len(raw)]


def variants_for(raw: str, origin: str = "") -> list[tuple[str, Units]]:
    """The variants that differ for this text, NVivo's first when NVivo wrote the file."""
    astral, crlf = any(ord(ch) > 0xFFFF for ch in raw), "\r\n" in raw
    wanted = [v for v in VARIANTS if (astral or not v[1]) and (crlf or not v[2])]
    if "nvivo" in origin.lower():
        wanted.sort(key=lambda v: not v[1])
    return [(label, Units(raw, utf16, once)) for label, utf16, once in wanted]


def choose_units(raw: str, selections: list[Selection],
                 origin: str = "") -> tuple[str, Units]:
    """The variant that fits the file's selections best (see the module docstring)."""
    options = variants_for(raw, origin)
    if len(options) == 1 or not selections:
        return options[0]

    def score(option: tuple[str, Units]) -> tuple[int, int]:
        units = option[1]
        named = bounded = 0
        for sel in selections:
            start, end = units.index(sel.start), units.index(sel.end)
            named += _matches_name(raw[start:end], sel.name)
            bounded += _on_word_boundaries(raw, start, end)
        return named, bounded
    return max(options, key=score)  # max keeps the first of equals


def _squash(text: str) -> str:
    return " ".join(text.split()).rstrip(".…").strip()


def _matches_name(selected: str, name: str) -> bool:
    selected, name = _squash(selected), _squash(name)
    if not selected or not name:
        return False
    return selected.startswith(name) or (len(selected) >= 3 and name.startswith(selected))


def _on_word_boundaries(raw: str, start: int, end: int) -> bool:
    if not 0 <= start < end <= len(raw):
        return False
    starts = start == 0 or not raw[start - 1].isalnum() or not raw[start].isalnum()
    ends = end == len(raw) or not raw[end].isalnum() or not raw[end - 1].isalnum()
    return starts and ends


# ---------------------------------------------------------------- normalisation

def normalise_with_map(raw: str) -> tuple[str, list[int]]:
    """`normalise_text(raw)` and, for each raw index 0..len(raw), its index in the result.

    Follows app/documents/normalise.py step by step; characters it removes map to where
    they were. If the steps ever disagree with `normalise_text`, positions are mapped
    proportionally (a last resort the caller reports)."""
    text, where = raw, list(range(len(raw) + 1))
    steps = (
        lambda t: _drop(t, [(m.start(), m.end()) for m in re.finditer(r"\r(?=\n)|\ufeff", t)]),
        lambda t: (t.replace("\r", "\n").translate(_LINE_BREAKS), None),
        _nfc,
        lambda t: _drop(t, [(m.start(), m.end()) for m in _TRAILING.finditer(t)]),
        lambda t: _drop(t, [(m.start() + 2, m.end()) for m in _BLANKS.finditer(t)]),
        _strip_newlines,
    )
    for step in steps:
        text, mapping = step(text)
        if mapping is not None:
            where = [mapping[i] for i in where]
    if text != normalise_text(raw):  # not expected; keep positions roughly right
        text = normalise_text(raw)
        scale = len(text) / max(len(raw), 1)
        where = [min(round(i * scale), len(text)) for i in range(len(raw) + 1)]
    return text, where


def _drop(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[int] | None]:
    """Remove sorted, disjoint spans; removed characters map to the point they leave."""
    if not spans:
        return text, None
    parts, mapping, last, removed = [], [], 0, 0
    for start, end in spans:
        parts.append(text[last:start])
        mapping.extend(range(last - removed, start - removed))
        mapping.extend([start - removed] * (end - start))
        removed += end - start
        last = end
    parts.append(text[last:])
    mapping.extend(range(last - removed, len(text) + 1 - removed))
    return "".join(parts), mapping


def _strip_newlines(text: str) -> tuple[str, list[int] | None]:
    lead = len(text) - len(text.lstrip("\n"))
    trail = len(text) - len(text.rstrip("\n"))
    spans = [(0, lead)] if lead else []
    if trail and trail < len(text):
        spans.append((len(text) - trail, len(text)))
    return _drop(text, spans)


def _nfc(text: str) -> tuple[str, list[int] | None]:
    """NFC line by line (no composition crosses a newline), cluster by cluster within a
    line that needs it, so each cluster's characters map into its composed form."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    parts, mapping, base = [], [], 0
    for line in text.split("\n"):
        if unicodedata.is_normalized("NFC", line):
            new, local = line, list(range(len(line)))
        else:
            new, local = _nfc_line(line)
        parts.append(new + "\n")
        mapping.extend(base + i for i in local)
        mapping.append(base + len(new))  # the newline
        base += len(new) + 1
    joined = "".join(parts)[:-1]
    return joined, mapping


def _nfc_line(line: str) -> tuple[str, list[int]]:
    clusters, start = [], 0
    for j in range(1, len(line) + 1):
        if j == len(line) or (unicodedata.combining(line[j]) == 0
                              and not 0x1160 <= ord(line[j]) <= 0x11FF):
            clusters.append(line[start:j])
            start = j
    out, local, base = [], [], 0
    for cluster in clusters:
        new = unicodedata.normalize("NFC", cluster)
        local.extend(base + min(k, len(new)) for k in range(len(cluster)))
        out.append(new)
        base += len(new)
    new_line = "".join(out)
    if new_line != unicodedata.normalize("NFC", line):
        new_line = unicodedata.normalize("NFC", line)
        scale = len(new_line) / max(len(line), 1)
        local = [min(round(k * scale), len(new_line)) for k in range(len(line))]
    return new_line, local
