"""Names and paths from a REFI-QDA file made fit for Fieldbench (titles, slugs, dates)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

from app.codebook import refi

EXTENSIONS = re.compile(r"\.(txt|docx?|pdf|rtf|odt|md|html?|srt|vtt)$", re.IGNORECASE)


def member_path(path: str) -> str:
    """`internal://x.txt`, `relative:///a/x.txt`, `absolute:///C:/a/x.txt` -> a path to
    look for in the package (external files are looked for by name in sources/)."""
    path = path.strip().replace("\\", "/")
    scheme, sep, rest = path.partition("://")
    if not sep:
        return path
    rest = rest.lstrip("/")
    return rest if scheme.lower() == "internal" else PurePosixPath(rest).name


def title(name: str) -> str:
    """A document title from a source name ('Interview 3.docx' -> 'Interview 3')."""
    name = EXTENSIONS.sub("", (name or "").strip()) if EXTENSIONS.search(name or "") else name
    return (name or "").strip()[:300] or "Untitled source"


def as_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def slug(name: str) -> str:
    """A site slug from a case name ('Zoë's Council' -> 'zoes-council')."""
    made = re.sub(r"[^a-z0-9]+", "-", refi._slug(name).lower()).strip("-")[:60]
    return made or "site"


def unique(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3` ... if taken; the result is added to `taken`."""
    out, n = slug, 2
    while out in taken:
        out, n = f"{slug[:58]}-{n}", n + 1
    taken.add(out)
    return out
