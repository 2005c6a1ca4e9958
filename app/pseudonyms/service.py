"""The pseudonym register and the replacement of real names in text.

The register maps each real name to one pseudonym per project, so a name gets the same
pseudonym in every document and site. It grows only when a researcher confirms a
pseudonymised import (or an owner adds a name). Audit events name the pseudonym and the
entry id, never the real name: the audit log is read more widely than the register.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit import service as audit
from app.documents.normalise import normalise_text
from app.errors import Conflict, Invalid, NotFound
from app.projects.models import Project, Site
from app.pseudonyms.detect import find_names
from app.pseudonyms.labels import Labeller, check_category, check_pseudonym, check_role
from app.pseudonyms.models import PseudonymEntry

CSV_COLUMNS = ("id", "real_name", "pseudonym", "category", "role_hint", "created_at")


@dataclass
class Candidate:
    """One span to replace: what it says, where, what it stands for and its proposal."""

    file: int
    text: str
    start: int
    end: int
    category: str
    source: str        # "register" | "speaker" | "ner" | "added"
    key: str           # the real name whose pseudonym replaces the span
    pseudonym: str = ""


@dataclass
class Name:
    """A real name met in a preview or import, with the pseudonym it will get."""

    key: str
    category: str
    role: str = ""
    pseudonym: str = ""
    known: bool = False   # in the register already: its pseudonym is fixed


@dataclass
class Proposal:
    names: dict[str, Name] = field(default_factory=dict)
    candidates: list[list[Candidate]] = field(default_factory=list)  # per file


# ---- the register ----

def entries(session: Session, *, project: Project) -> list[PseudonymEntry]:
    """The register by category, then pseudonym ("Person 2" before "Person 10")."""
    rows = session.scalars(select(PseudonymEntry).where(PseudonymEntry.project_id == project.id))
    return sorted(rows, key=lambda e: (e.category, [int(p) if p.isdigit() else p for p in
                                                    re.split(r"(\d+)", e.pseudonym)]))


def register_of(session: Session, *, project: Project) -> dict[str, PseudonymEntry]:
    return {e.real_name: e for e in entries(session, project=project)}


def _clean_name(real_name: str) -> str:
    name = " ".join(normalise_text(real_name or "").split())
    if not name or len(name) > 200:
        raise Invalid("give the real name (at most 200 characters)")
    return name


def add(session: Session, *, project: Project, by: User, real_name: str, category: str,
        pseudonym: str | None = None, role_hint: str = "",
        origin: str = "manual") -> PseudonymEntry:
    """Register a known name; without a pseudonym it gets the next free label."""
    name, category, role = _clean_name(real_name), check_category(category), check_role(role_hint)
    register = register_of(session, project=project)
    if name in register:
        raise Conflict(f"that name is already in the register as '{register[name].pseudonym}'")
    used = {e.pseudonym: e for e in register.values()}
    if pseudonym and pseudonym.strip():
        pseudonym = check_pseudonym(pseudonym)
        if pseudonym in used:
            raise Conflict(f"the pseudonym '{pseudonym}' is already in use (entry "
                           f"{used[pseudonym].id})")
    else:
        pseudonym = Labeller(used).next(category, role)
    entry = PseudonymEntry(project_id=project.id, real_name=name, pseudonym=pseudonym,
                           category=category, role_hint=role, created_by_id=by.id)
    session.add(entry)
    session.flush()
    audit.record(session, user_id=by.id, project_id=project.id, action="pseudonym.add",
                 obj=entry, pseudonym=pseudonym, category=category, role_hint=role,
                 origin=origin)
    return entry


def delete(session: Session, *, project: Project, by: User, entry_id: int) -> None:
    """Forget an entry; documents already pseudonymised keep their pseudonym."""
    entry = session.get(PseudonymEntry, entry_id)
    if entry is None or entry.project_id != project.id:
        raise NotFound(f"no register entry {entry_id} in project '{project.slug}'")
    audit.record(session, user_id=by.id, project_id=project.id, action="pseudonym.delete",
                 obj=entry, pseudonym=entry.pseudonym, category=entry.category)
    session.delete(entry)
    session.flush()


def csv_text(rows: Iterable[PseudonymEntry]) -> str:
    """The register for the data controller (UTF-8, one row per name)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in rows:
        writer.writerow([e.id, e.real_name, e.pseudonym, e.category, e.role_hint,
                         e.created_at.isoformat() if e.created_at else ""])
    return out.getvalue()


def ignored_names(session: Session, *, project: Project) -> set[str]:
    """Names never proposed: the project's own (pseudonymous) site names and slugs."""
    sites = session.scalars(select(Site).where(Site.project_id == project.id))
    return {v for s in sites for v in (s.name, s.slug) if v}


# ---- proposing and applying ----

def propose(session: Session, *, project: Project, texts: list[str], use_ner: bool = True,
            known_only: bool = False) -> Proposal:
    """Candidates per text and one proposed pseudonym per name across all the texts."""
    register = register_of(session, project=project)
    categories = {n: e.category for n, e in register.items()}
    ignore = ignored_names(session, project=project) | {e.pseudonym for e in register.values()}
    proposal = Proposal()
    seen: dict[str, Counter] = {}
    for index, text in enumerate(texts):
        found = find_names(text, categories, ignore=ignore, use_ner=use_ner and not known_only)
        if known_only:
            found = [f for f in found if f.key in register]
        proposal.candidates.append([Candidate(index, f.text, f.start, f.end, f.category,
                                              f.source, f.key) for f in found])
        for f in found:
            seen.setdefault(f.key, Counter())[f.category] += 1
    labeller = Labeller(e.pseudonym for e in register.values())
    for key, counts in seen.items():
        entry = register.get(key)
        if entry is not None:
            name = Name(key, entry.category, entry.role_hint, entry.pseudonym, known=True)
        else:
            category = "person" if counts["person"] else counts.most_common(1)[0][0]
            name = Name(key, category, "", labeller.next(category))
        proposal.names[key] = name
    for row in proposal.candidates:
        for c in row:
            name = proposal.names[c.key]
            c.category, c.pseudonym = name.category, name.pseudonym
    return proposal


def apply(text: str, decisions: Iterable) -> str:
    """Replace each decision's [start, end) with its pseudonym, right to left (so the
    offsets of the ones still to do stay true); Invalid if two overlap."""
    pieces, limit = [], len(text)
    for d in sorted(decisions, key=lambda d: d.start, reverse=True):
        if not 0 <= d.start < d.end <= limit:
            raise Invalid("replacements overlap or fall outside the text; preview it again")
        pieces += [text[d.end:limit], d.pseudonym]
        limit = d.start
    pieces.append(text[:limit])
    return "".join(reversed(pieces))


def settle(session: Session, *, project: Project, names: Iterable[Name]) -> dict[str, Name]:
    """Final pseudonyms for the chosen names (nothing stored yet).

    A registered name keeps its pseudonym. A new name keeps the pseudonym the researcher
    typed, or, left blank, gets the next free label for its category and role. A typed
    pseudonym that belongs to another registered name makes this name an alias of it.
    """
    register = register_of(session, project=project)
    labeller = Labeller(e.pseudonym for e in register.values())
    settled: dict[str, Name] = {}
    typed: dict[str, str] = {}
    for name in names:
        entry = register.get(name.key)
        if entry is not None:
            settled[name.key] = Name(name.key, entry.category, entry.role_hint,
                                     entry.pseudonym, known=True)
            continue
        category, role = check_category(name.category), check_role(name.role)
        if category != "person":
            role = ""
        pseudonym = check_pseudonym(name.pseudonym) if name.pseudonym.strip() else ""
        if pseudonym and typed.get(pseudonym, name.key) != name.key:
            raise Invalid(f"two names were given the same pseudonym '{pseudonym}'")
        if pseudonym:
            typed[pseudonym] = name.key
            labeller.claim(pseudonym)
        settled[name.key] = Name(name.key, category, role, pseudonym)
    for name in settled.values():
        if not name.pseudonym:
            name.pseudonym = labeller.next(name.category, name.role)
    return settled


def record_names(session: Session, *, project: Project, by: User, names: Iterable[Name],
                 origin: str) -> list[PseudonymEntry]:
    """Add the settled names that are new to the register (aliases of a registered
    pseudonym are not: the register holds one real name per pseudonym)."""
    register = register_of(session, project=project)
    taken = {e.pseudonym for e in register.values()}
    created = []
    for name in names:
        if name.key in register or name.pseudonym in taken:
            continue
        created.append(add(session, project=project, by=by, real_name=name.key,
                           category=name.category, pseudonym=name.pseudonym,
                           role_hint=name.role, origin=origin))
        taken.add(name.pseudonym)
    return created
