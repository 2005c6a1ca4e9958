"""Text normalisation shared by every reader.

Offsets into the normalised text are what codings and turns are stored
against, so normalisation must be deterministic and idempotent:
``normalise_text(normalise_text(s)) == normalise_text(s)``.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that str.splitlines() treats as line breaks. Left in, they
# make "line" mean different things to different callers, so they become
# plain newlines (Word's manual line break often arrives as \v, PDF page
# breaks as \f).
_LINE_BREAKS = str.maketrans({
    "\v": "\n", "\f": "\n", "\x1c": "\n", "\x1d": "\n", "\x1e": "\n",
    "\x85": "\n", "\u2028": "\n", "\u2029": "\n",
})
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Return ``text`` in the canonical form stored for a document.

    NFC; CRLF/CR -> LF; every U+FEFF removed (a BOM at the start, or one
    left mid-text by concatenating files); trailing white space stripped
    from each line; runs of two or more blank lines collapsed to one blank
    line; leading and trailing blank lines removed. Indentation at the
    start of a line and emoji are left alone.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").translate(_LINE_BREAKS)
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")
