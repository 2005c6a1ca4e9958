"""The two-step pseudonymisation form: what the preview page carries and how the
confirmation is read back.

The preview stores nothing. The files travel in hidden fields (zlib + base64, cut into
pieces under the form parser's 1 MB per field), with a plan: the candidates found and the
names with their proposed pseudonyms. The form sends back which occurrences to replace
(one checkbox per occurrence, or per name and file when a preview is too large for the
parser's 1000 fields), the pseudonyms, categories and roles, and names added by hand.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.errors import Invalid
from app.projects.models import Project
from app.pseudonyms import importing, service
from app.pseudonyms.service import Candidate, Name

CHUNK = 700_000        # characters per hidden field (the parser allows 1 MB)
FIELD_BUDGET = 900     # Starlette parses at most 1000 fields
ADD_ROWS = 3
CONTEXT = 40


def pack(data: bytes) -> list[str]:
    text = base64.b64encode(zlib.compress(data, 6)).decode("ascii")
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def unpack(chunks: list[str], limit: int) -> bytes:
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode("".join(chunks), validate=True), limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise Invalid("the preview form was damaged; upload the files again") from None
    if len(data) > limit:
        raise Invalid("the preview form carries more than the upload limit")
    return data


@dataclass
class Plan:
    """What a preview found; JSON in a hidden field of the preview page."""

    files: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)

    def dump(self) -> bytes:
        return json.dumps({
            "files": self.files,
            "candidates": [[c.file, c.text, c.start, c.end, c.key, c.source]
                           for c in self.candidates],
            "names": [[n.key, n.category, n.role, n.pseudonym, n.known] for n in self.names],
        }, ensure_ascii=False).encode("utf-8")

    @classmethod
    def load(cls, raw: bytes) -> Plan:
        try:
            data = json.loads(raw)
            return cls(files=[str(f) for f in data["files"]],
                       candidates=[Candidate(int(f), str(t), int(s), int(e), "person", str(src),
                                             str(k)) for f, t, s, e, k, src in data["candidates"]],
                       names=[Name(str(k), str(c), str(r), str(p), bool(kn))
                              for k, c, r, p, kn in data["names"]])
        except (ValueError, KeyError, TypeError):
            raise Invalid("the preview form was damaged; upload the files again") from None


@dataclass
class State:
    """The researcher's choices: kept candidate indexes, per-name edits, added names."""

    kept: set[int] | None = None                      # None: all
    # name index -> (category, role, pseudonym)
    edits: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    added: list[Name] = field(default_factory=list)


def _context(text: str, start: int, end: int) -> tuple[str, str, str]:
    def squash(s: str) -> str:
        return re.sub(r"\s+", " ", s)
    before, after = text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]
    return (("…" if start > CONTEXT else "") + squash(before), text[start:end],
            squash(after) + ("…" if end + CONTEXT < len(text) else ""))


def groups(plan: Plan, texts: list[str], compact: bool) -> list[list[dict]]:
    """Checkbox groups per file: one per occurrence, except speaker labels (one per name)
    and, in a compact preview, one per name."""
    out: list[list[dict]] = [[] for _ in plan.files]
    by_key: dict[tuple, dict] = {}
    for index, c in enumerate(plan.candidates):
        if compact:
            slot: tuple = (c.file, c.key)
        else:
            slot = (c.file, c.key, "speaker") if c.source == "speaker" else (index,)
        group = by_key.get(slot)
        if group is None:
            group = by_key[slot] = {"indexes": [], "key": c.key, "source": c.source,
                                    "contexts": []}
            out[c.file].append(group)
        group["indexes"].append(index)
        if len(group["contexts"]) < 3:
            group["contexts"].append(_context(texts[c.file], c.start, c.end))
    for row in out:
        for g in row:
            g["value"] = ",".join(map(str, g["indexes"]))
    return out


def field_count(plan: Plan, grouped: list[list[dict]], packed: list[list[str]],
                plan_chunks: int) -> int:
    unknown = sum(1 for n in plan.names if not n.known)
    return (10 + plan_chunks + sum(1 + len(p) for p in packed) + 3 * unknown
            + 4 * ADD_ROWS + sum(len(g) for g in grouped))


def build(session: Session, *, project: Project, uploads: list[tuple[str, bytes]],
          max_bytes: int) -> tuple[Plan, list, list[tuple[str, str]]]:
    """Read the files and propose; returns the plan, the read files and the refusals."""
    plan, read, refused = Plan(), [], []
    for filename, data in uploads:
        try:
            read.append((importing.base_name(filename), data,
                         importing.read(filename, data, max_bytes=max_bytes)))
        except Invalid as err:
            refused.append((importing.base_name(filename), err.message))
        except Exception as err:  # TooLarge and friends carry a message too
            refused.append((importing.base_name(filename), getattr(err, "message", str(err))))
    proposal = service.propose(session, project=project, texts=[r.text for _, _, r in read])
    plan.files = [name for name, _, _ in read]
    plan.candidates = [c for row in proposal.candidates for c in row]
    plan.names = list(proposal.names.values())
    return plan, read, refused


def read_state(form, plan: Plan) -> State:
    """The researcher's choices from the confirmation form."""
    kept: set[int] = set()
    for value in form.getlist("keep"):
        kept |= {int(v) for v in str(value).split(",") if v.isdigit()}
    edits = {j: (str(form.get(f"category_{j}", n.category)), str(form.get(f"role_{j}", "")),
                 str(form.get(f"pseudonym_{j}", n.pseudonym)).strip())
             for j, n in enumerate(plan.names) if not n.known}
    added = []
    rows = zip(form.getlist("add_name"), form.getlist("add_category"),
               form.getlist("add_role"), form.getlist("add_pseudonym"))
    for name, category, role, pseudonym in rows:
        name = " ".join(str(name).split())
        if name:
            added.append(Name(name, str(category), str(role), str(pseudonym).strip()))
    return State(kept=kept, edits=edits, added=added)


def decide(session: Session, *, project: Project, plan: Plan, texts: list[str],
           state: State) -> tuple[list[list[Candidate]], dict[str, Name]]:
    """The chosen candidates per file and the settled names they use."""
    keys = {n.key for n in plan.names}
    if len(texts) != len(plan.files) or any(
            not 0 <= c.file < len(texts) or c.key not in keys for c in plan.candidates):
        raise Invalid("the preview form was damaged; upload the files again")
    wanted: dict[str, Name] = {}
    for j, n in enumerate(plan.names):
        category, role, typed = state.edits.get(j, (n.category, n.role, n.pseudonym))
        # An untouched proposal is worked out again, so a chosen role sets the label.
        wanted[n.key] = Name(n.key, category, role, "" if typed == n.pseudonym else typed,
                             n.known)
    added = [a for a in state.added if a.key not in wanted]
    chosen: list[list[Candidate]] = [[] for _ in plan.files]
    for index, c in enumerate(plan.candidates):
        if state.kept is None or index in state.kept:
            chosen[c.file].append(c)
    for file, text in enumerate(texts):
        every = [c for c in plan.candidates if c.file == file]
        chosen[file] += importing.added_candidates(text, file, added, every)
    wanted |= {a.key: a for a in added}
    used = {c.key for row in chosen for c in row}
    names = service.settle(session, project=project,
                           names=[wanted[k] for k in wanted if k in used])
    return chosen, names
