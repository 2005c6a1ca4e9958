"""Pseudonymised import: replace names in a file's text, then ingest that text.

What is stored is the pseudonymised text, never the real file (see `stored`). The text
is replaced before `documents.service.ingest` reads it, so speaker turns parse from the
pseudonyms. Names in the file name and title are replaced too: both show up in lists
and the audit log.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.documents import service as documents
from app.documents.models import Document
from app.documents.readers import IngestError, ReadResult, read_document
from app.documents.service import DocumentMeta
from app.errors import Conflict, Invalid, TooLarge
from app.projects.models import Project
from app.pseudonyms import service
from app.pseudonyms.detect import name_pattern
from app.pseudonyms.service import Candidate, Name
from app.pseudonyms.stored import stored_file
from app.pseudonyms.words import LEADING, PARTICLES


@dataclass
class FileOutcome:
    document: Document
    warnings: list[str]
    replacements: int
    new_entries: int
    pseudonyms: list[str]


@dataclass
class ImportReport:
    added: list[FileOutcome] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def base_name(filename: str) -> str:
    return PurePath(filename.replace("\\", "/")).name or "unnamed file"


def read(filename: str, data: bytes, *, max_bytes: int) -> ReadResult:
    name = base_name(filename)
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: the file is {len(data) / 1048576:.1f} MB, over the "
                       f"{max_bytes / 1048576:.0f} MB limit")
    try:
        return read_document(name, data, max_bytes=max_bytes)
    except IngestError as err:
        raise Invalid(f"{name}: {err}") from None


def _fold(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", value)
                   if not unicodedata.combining(c))


def scrub_pairs(chosen: Iterable[Candidate], register: Iterable) -> list[tuple[str, str]]:
    """(real, pseudonym) to replace in a file name or title: the names replaced in the
    text, every registered name, and each word of a person's full name ("jordan" in
    case_file_jordan.docx), longest first."""
    pairs: dict[str, str] = {}
    rows = [(c.text, c.pseudonym, c.category) for c in chosen]
    rows += [(c.key, c.pseudonym, c.category) for c in chosen]
    rows += [(e.real_name, e.pseudonym, e.category) for e in register]
    for real, pseudonym, category in rows:
        pairs.setdefault(real, pseudonym)
        words = real.split()
        for word in words if category == "person" and len(words) > 1 else ():
            if len(word) > 2 and word.casefold() not in LEADING | PARTICLES:
                pairs.setdefault(word, pseudonym)
    return sorted(pairs.items(), key=lambda p: (-len(p[0]), p[0]))


def scrub(value: str, pairs: list[tuple[str, str]], *, for_filename: bool = False) -> str:
    """Replace names in a file name or title: any case, accents optional, words joined
    by spaces, _, - or ."""
    for real, pseudonym in pairs:
        new = re.sub(r"\s+", "-", pseudonym.lower()) if for_filename else pseudonym
        for variant in {real, _fold(real)}:
            words = [re.escape(w) for w in variant.split()]
            pattern = r"(?<![^\W_])" + r"[\s_.\-]*".join(words) + r"(?![^\W_])"
            value = re.sub(pattern, lambda _m, new=new: new, value, flags=re.IGNORECASE)
    return value


# ---- storing ----

def added_candidates(text: str, file: int, added: list[Name],
                     chosen: list[Candidate]) -> list[Candidate]:
    """Every whole-word occurrence of names the researcher added, where free."""
    pattern = name_pattern(n.key for n in added)
    if pattern is None:
        return []
    spans = sorted((c.start, c.end) for c in chosen)
    out = []
    for m in pattern.finditer(text):
        i = bisect.bisect_right(spans, (m.start(), m.end()))
        if (i > 0 and spans[i - 1][1] > m.start()) or (i < len(spans) and
                                                         spans[i][0] < m.end()):
            continue
        out.append(Candidate(file, m.group(), m.start(), m.end(), "person", "added", m.group()))
    return out


def store(session: Session, *, project: Project, by: User, filename: str,
          result: ReadResult, chosen: list[Candidate], names: dict[str, Name],
          meta: DocumentMeta, max_bytes: int, origin: str) -> FileOutcome:
    """Replace, register the new names and ingest, inside the caller's savepoint."""
    for c in chosen:
        if result.text[c.start:c.end] != c.text:
            raise Invalid(f"{base_name(filename)}: the file changed since the preview; "
                          "preview it again")
        c.pseudonym, c.category = names[c.key].pseudonym, names[c.key].category
    used = {c.key: names[c.key] for c in chosen}
    created = service.record_names(session, project=project, by=by, names=used.values(),
                                   origin=origin)
    pairs = scrub_pairs(chosen, service.entries(session, project=project))
    name, data, warnings = stored_file(scrub(base_name(filename), pairs, for_filename=True),
                                       result, chosen, max_bytes)
    meta = replace(meta, title=scrub(meta.title, pairs))
    document, more = documents.ingest(session, project=project, filename=name, data=data,
                                      meta=meta, by=by, max_bytes=max(max_bytes, len(data)))
    pseudonyms = sorted({c.pseudonym for c in chosen})
    audit.record(session, user_id=by.id, project_id=project.id, action="document.pseudonymise",
                 obj=document, replacements=len(chosen), new_entries=[e.id for e in created],
                 pseudonyms=pseudonyms, original_format=result.format)
    return FileOutcome(document, warnings + more, len(chosen), len(created), pseudonyms)


def store_each(session: Session, report: ImportReport, filename: str, work) -> None:
    """Run `work()` in a savepoint; a refusal rolls back only this file."""
    try:
        with session.begin_nested():
            report.added.append(work())
    except (Invalid, Conflict, TooLarge) as err:
        report.refused.append((base_name(filename), err.message))
    except IntegrityError:
        report.refused.append((base_name(filename), f"{base_name(filename)}: it clashes with "
                               "a change made at the same moment; try again"))


def import_one(session: Session, *, project: Project, by: User, filename: str, data: bytes,
               meta: DocumentMeta, max_bytes: int, known_only: bool = False) -> FileOutcome:
    """Every proposal accepted: registered names are replaced, and (unless known_only)
    each new name found gets the next free label and joins the register."""
    result = read(filename, data, max_bytes=max_bytes)
    proposal = service.propose(session, project=project, texts=[result.text],
                               known_only=known_only)
    names = service.settle(session, project=project,
                           names=[replace(n, pseudonym="") for n in proposal.names.values()])
    return store(session, project=project, by=by, filename=filename, result=result,
                 chosen=proposal.candidates[0], names=names, meta=meta,
                 max_bytes=max_bytes, origin="import")


def import_auto(session: Session, *, project: Project, by: User,
                items: Iterable[tuple[str, bytes, DocumentMeta]], max_bytes: int,
                known_only: bool = False) -> ImportReport:
    """`import_one` for each file in its own savepoint (the command line's batch)."""
    report = ImportReport()
    for filename, data, meta in items:
        store_each(session, report, filename, lambda f=filename, d=data, m=meta: import_one(
            session, project=project, by=by, filename=f, data=d, meta=m,
            max_bytes=max_bytes, known_only=known_only))
    return report
