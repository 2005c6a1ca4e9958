"""Uploaded file (name + bytes) -> normalised text and speaker turns.

Pure functions, no database or HTTP. Anything wrong with the file raises
IngestError whose message the service shows to the researcher after the
file name; no other exception escapes for bad input.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

from app.documents.formats import (MB, Extracted, IngestError, decode_text,
                                   extract_docx, extract_odt, extract_pdf,
                                   extract_rtf)
from app.documents.formats_captions import CAPTION_FORMATS, extract_captions
from app.documents.normalise import normalise_text
from app.documents.turns import ParsedTurn, parse_speaker_turns

__all__ = ["IngestError", "ParsedTurn", "ReadResult", "SUPPORTED_EXTENSIONS",
           "read_document", "normalise_text", "parse_speaker_turns"]

SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    ".txt", ".md", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt")
DEFAULT_MAX_BYTES = 20 * MB


@dataclass(frozen=True)
class ReadResult:
    text: str                 # normalised (see normalise_text)
    turns: list[ParsedTurn]   # sorted, non-overlapping spans into text
    warnings: list[str]       # things the researcher should check
    format: str               # extension without the dot, e.g. "docx"


def _extract_plain(data: bytes, max_bytes: int) -> Extracted:
    return decode_text(data)


_EXTRACTORS: dict[str, Callable[[bytes, int], Extracted]] = {
    "txt": _extract_plain, "md": _extract_plain, "docx": extract_docx,
    "odt": extract_odt, "rtf": extract_rtf, "pdf": extract_pdf,
}


def _format_of(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    ext = os.path.splitext(name)[1].lower()
    if ext in SUPPORTED_EXTENSIONS:
        return ext[1:]
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if not ext:
        raise IngestError(f"the file has no extension; supported types: {supported}")
    raise IngestError(f"'{ext}' files are not supported; supported types: {supported}")


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """Size and limit in the limit's unit; the size rounded up, so a file
    just over the limit never reads as equal to it."""
    units = (("MB", MB), ("KB", 1024))
    unit, scale = next(((u, s) for u, s in units if limit >= s), ("bytes", 1))

    def show(value: float) -> str:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return (f"{show(math.ceil(size / scale * 100) / 100)} {unit}",
            f"{show(limit / scale)} {unit}")


def _check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        size, limit = _sizes(len(data), max_bytes)
        raise IngestError(f"the file is {size}, over the {limit} limit")
    if not data:
        raise IngestError("the file is empty")


def _guarded(fmt: str, extract: Callable, *args) -> tuple:
    """Run an extractor; a library's own exception for bad input becomes an
    IngestError so the researcher gets a reason, not a server error."""
    try:
        return extract(*args)
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(f"the file could not be read as {fmt.upper()}: "
                          "it may be corrupt or in a different format") from exc


def read_document(filename: str, data: bytes, *,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read an upload into normalised text and speaker turns.

    Raises IngestError (message without the file name) for unsupported
    types, oversized, empty, corrupt, binary or undecodable files, zip
    bombs and PDFs without a text layer.
    """
    fmt = _format_of(filename)
    _check_size(data, max_bytes)
    if fmt in CAPTION_FORMATS:
        text, turns, warnings = _guarded(fmt, extract_captions, data, fmt)
    else:
        raw, warnings = _guarded(fmt, _EXTRACTORS[fmt], data, max_bytes)
        text = normalise_text(raw)
        turns = parse_speaker_turns(text)
    if not text.strip():
        raise IngestError("no text could be extracted from the file")
    return ReadResult(text=text, turns=turns, warnings=list(warnings), format=fmt)
