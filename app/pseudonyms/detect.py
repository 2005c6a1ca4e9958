"""Names to pseudonymise in a text: the register, speaker labels and spaCy's entities.

Pure apart from the spaCy pipeline (loaded once per process). Every span is a str
(code-point) range into the normalised text, like every other offset in Fieldbench.
Each span names the `key` it stands for: the real name whose pseudonym replaces it (a
registered name, the full name a bare first name belongs to, or the span's own text).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from app.documents.turns import match_label, parse_speaker_turns
from app.pseudonyms.labels import looks_like_pseudonym
from app.pseudonyms.words import GENERIC, LEADING, NOT_NAMES, PARTICLES

# ner has its own tok2vec in this model (the shared one serves only tagger and parser)
ONLY_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
CATEGORY_OF = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place",
               "ORG": "organisation"}
PRIORITY = {"register": 0, "speaker": 1, "ner": 2}
MAX_PIECE = 2000  # characters fed to spaCy at once (a line, or part of a long one)

_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")

_lock = threading.Lock()


@dataclass(frozen=True)
class Found:
    text: str
    start: int
    end: int
    category: str
    source: str   # "register" | "speaker" | "ner"
    key: str      # the real name whose pseudonym replaces this span


def nlp():
    """The process's spaCy pipeline with NER (loaded once, by app.nlp.pipeline)."""
    from app.nlp.pipeline import get_nlp

    return get_nlp(ner=True)


def name_pattern(names: Iterable[str], flags: int = 0) -> re.Pattern | None:
    """Whole-word alternation, longest first; "Zoë" matches in "Zoë's" but not in
    "Zoë-Ann", and "Neill" not inside "O'Neill"."""
    ordered = sorted({n for n in names if n}, key=lambda n: (-len(n), n))
    if not ordered:
        return None
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(rf"(?<![\w\-])(?<!\w['\u2019])(?:{body})(?![\w\-])", flags)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.split(r"[\s\-]+", text) if w]


def plausible(text: str, ignored: frozenset[str] = frozenset()) -> bool:
    """A name, not a role, a month, a pseudonym or one of the project's own site names."""
    words = _words(text)
    if len(text) < 2 or not text[0].isupper() or any(c.isdigit() for c in text):
        return False
    if text.casefold() in ignored or looks_like_pseudonym(text):
        return False
    return not all(w.strip(".'\u2019") in NOT_NAMES | GENERIC | ignored for w in words)


def _trim(text: str, start: int, end: int, category: str) -> tuple[int, int]:
    """Drop a possessive, edge punctuation, and leading titles/roles ("Mum Zoë" -> "Zoë")."""
    while start < end and not text[start].isalnum():
        start += 1
    for tail in _POSSESSIVE:
        if text[start:end].endswith(tail) and end - len(tail) > start:
            end -= len(tail)
            break
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ".)"):
        end -= 1
    drop = LEADING if category == "person" else frozenset({"the"})
    while (m := re.match(r"([^\s]+)\s+", text[start:end])) and \
            m.group(1).casefold().rstrip(".") in drop:
        start += m.end()
    return start, end


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """Lines (long ones cut at a sentence end or space) with their offsets."""
    offset = 0
    for line in text.split("\n"):
        pos = 0
        while pos < len(line):
            cut = len(line)
            if cut - pos > MAX_PIECE:   # after a sentence's full stop, else at a space
                half, limit = pos + MAX_PIECE // 2, pos + MAX_PIECE
                stop = line.rfind(". ", half, limit)
                space = line.rfind(" ", half, limit)
                cut = stop + 1 if stop >= 0 else space if space >= 0 else limit
            if line[pos:cut].strip():
                yield offset + pos, line[pos:cut]
            pos = cut
        offset += len(line) + 1


def _ner_spans(text: str, ignored: frozenset[str]) -> list[Found]:
    pieces = list(_pieces(text))
    found = []
    with _lock:
        docs = list(nlp().pipe((p for _, p in pieces), batch_size=64, disable=ONLY_NER))
    for (offset, piece), doc in zip(pieces, docs):
        for ent in doc.ents:
            category = CATEGORY_OF.get(ent.label_)
            if category is None:
                continue
            s, e = _trim(piece, ent.start_char, ent.end_char, category)
            if s < e and plausible(piece[s:e], ignored):
                found.append(Found(piece[s:e], offset + s, offset + e, category, "ner",
                                   piece[s:e]))
    return found


def _speaker_spans(text: str, ignored: frozenset[str]) -> list[Found]:
    """Names in `Name:` labels at line starts, when the text is a transcript."""
    if not parse_speaker_turns(text):
        return []
    found, offset = [], 0
    for line in text.split("\n"):
        label = match_label(line)
        at = line.find(label.speaker) if label is not None else -1
        if 0 <= at < label.body_start:
            s, e = _trim(line, at, at + len(label.speaker), "person")
            name = line[s:e]
            if s < e and plausible(name, ignored) and all(
                    w[0].isupper() or w.casefold() in PARTICLES for w in name.split()):
                found.append(Found(name, offset + s, offset + e, "person", "speaker", name))
        offset += len(line) + 1
    return found


def _register_spans(text: str, register: Mapping[str, str]) -> list[Found]:
    pattern = name_pattern(register)
    if pattern is None:
        return []
    return [Found(m.group(), m.start(), m.end(), register[m.group()], "register", m.group())
            for m in pattern.finditer(text)]


class _Taken:
    """Non-overlapping spans, for quick overlap checks."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        return not ((i > 0 and self.ends[i - 1] > start) or
                    (i < len(self.starts) and self.starts[i] < end))

    def take(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _resolve(found: list[Found], taken: _Taken) -> list[Found]:
    """The longest span wins an overlap; ties go to the register, then speaker labels."""
    kept = []
    for f in sorted(found, key=lambda f: (f.start - f.end, PRIORITY[f.source], f.start)):
        if taken.free(f.start, f.end):
            taken.take(f.start, f.end)
            kept.append(f)
    return kept


def _first(name: str) -> str | None:
    words = name.split()
    if len(words) < 2 or words[0].casefold() in PARTICLES | LEADING or len(words[0]) < 2:
        return None
    return words[0]


def _unique_owner(first: str, names: Iterable[str]) -> str | None:
    owners = {n for n in names if _first(n) == first}
    return owners.pop() if len(owners) == 1 else None


def _rekey(kept: list[Found], register: Mapping[str, str]) -> list[Found]:
    """Consistency: a bare "Jordan" goes with the document's only "Jordan ..." (even if
    spaCy took it for a place), or else with the register's only one; an unknown
    "Jordan Smith" goes with a registered "Jordan"."""
    people = {f.key for f in kept if f.category == "person"}
    registered = [n for n, c in register.items() if c == "person"]
    out = []
    for f in kept:
        if f.key not in register:
            first = _first(f.key) if f.category == "person" else None
            if first and register.get(first) == "person":
                f = replace(f, key=first)
            elif " " not in f.text:
                owner = _unique_owner(f.text, people) or (
                    _unique_owner(f.text, registered) if f.category == "person" else None)
                if owner:
                    f = replace(f, key=owner, category="person")
        out.append(f)
    return out


def _part_spans(text: str, kept: list[Found], taken: _Taken,
                ignored: frozenset[str]) -> list[Found]:
    """Bare first names of the document's full names (same key), and bare surnames
    (a name of their own), where nothing else found them. They count as found by spaCy
    (or the register), never as speaker labels."""
    full = {f.text: f for f in kept if f.category == "person" and _first(f.text)}
    firsts: dict[str, set[str]] = {}
    for name, f in full.items():
        firsts.setdefault(_first(name), set()).add(f.key)
    parts: dict[str, tuple[str, str]] = {}
    for name, f in full.items():
        first, last = _first(name), name.split()[-1]
        if len(firsts[first]) == 1:
            parts[first] = (f.key, "register" if f.source == "register" else "ner")
        if last != first and len(last) > 1 and plausible(last, ignored):
            parts.setdefault(last, (last, "ner"))
    pattern = name_pattern(parts)
    extra = []
    for m in pattern.finditer(text) if pattern else ():
        if taken.free(m.start(), m.end()):
            taken.take(m.start(), m.end())
            key, source = parts[m.group()]
            extra.append(Found(m.group(), m.start(), m.end(), "person", source, key))
    return extra


def find_names(text: str, register: Mapping[str, str], *, ignore: Iterable[str] = (),
               use_ner: bool = True) -> list[Found]:
    """Spans to replace, in text order. `register` maps each known real name to its
    category; `ignore` lists names never to propose (the project's site names)."""
    ignored = frozenset(i.casefold() for i in ignore)
    found = _register_spans(text, register) + _speaker_spans(text, ignored)
    if use_ner:
        found += _ner_spans(text, ignored)
    taken = _Taken()
    kept = _rekey(_resolve(found, taken), register)
    kept += _part_spans(text, kept, taken, ignored)
    return sorted(kept, key=lambda f: f.start)
