"""Find passages the codebook's patterns suggest, in many documents at once.

    for doc_id, found in find_suggestions([(7, text), ...], spec.codes):
        ...   # one result per input, in input order; `found` may be empty

Each document is split into paragraphs and speaker turns (labels such as "Chair:" left
out), with their offsets; the pieces go through `nlp.pipe` in batches, inside
`nlp.memory_zone()` per group of documents, so a long run keeps its memory flat; spans come
back as code-point offsets into the original text, half-open. Importing this module does
not import spaCy: that happens on the first call that has patterns to run.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.codebook.spec import CodeSpec
from app.documents.turns import match_label
from app.nlp.ranker import Ranker, overlapping, rank

GROUP_CHARS = 1_000_000   # documents per memory zone (and per set of worker processes)
MAX_UNIT_CHARS = 3_000    # a longer paragraph is cut at sentence ends
TITLE_CHARS = 120         # a first line this short, without closing punctuation, is a title
_ENDS = frozenset(""".!?:;…"”’)]""")
_STARTS_BLOCK = re.compile(r"""^\s*(?:[#|>*•\-–]|\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\d+(?:\.\d+)*[.)]?\s|\[)""")
_SENTENCE_GAP = re.compile(r"""(?<=[.!?…])["”’)\]]*\s+(?=["“‘(\[]?[A-Z0-9])""")
HEADER_CHARS = 800         # where a document's header (who was there, who interviewed) sits
_HEADER_LIST = re.compile(r"^\s*(?:present|attendees|attending|apologies|participants?|"
                          r"interviewees?|observers?|in attendance)\s*:", re.IGNORECASE)
_INTERVIEWER_NAMED = re.compile(r"\b[Ii]nterviewers?\s*:?[ \t]+(?:(?:Dr|Mr|Mrs|Ms)\.?[ \t]+)?"
                                r"([A-Z][\w'’-]+)(?=[ \t]+[A-Z]|[.,;(])")
_HEADER_BLOCK_CHARS = 1_500   # a document's opening block longer than this is not a header
_HEADER_BLOCK_LINES = 10
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_METADATA_KEY = re.compile(
    r"(?:^|[.;,]\s+)(?:date|time|researchers?|observers?|interviewers?|interviewees?|"
    r"participants?|present|also present|attendees|attending|apologies|meeting|setting|"
    r"location|venue|entries|area|workers|young person|subject|duration|written by|"
    r"recorded by|notes by)\b[^:\n]{0,20}:", re.IGNORECASE | re.MULTILINE)
_INTERVIEWER_LABELS = frozenset({"interviewer", "researcher", "q", "int"})
_SOFT = str.maketrans({"\n": " ", "\t": " ", "\r": " "})
_zone_lock = threading.Lock()   # memory zones must not nest: one pass at a time per process


@dataclass(frozen=True)
class Found:
    """A suggested passage: code-point offsets [start, end) into the document's text."""

    code: str
    start: int
    end: int
    rule: str      # "CODE:pattern-id"
    reason: str    # the line the researcher sees, e.g. 'a numeric risk score: “scored 14”'


def find_suggestions(texts: Iterable[tuple[int, str]], codes: list[CodeSpec], *,
                     n_process: int = 1, batch_size: int = 256, ranker: Ranker | None = None
                     ) -> Iterator[tuple[int, list[Found]]]:
    """(doc id, its suggestions) for every (doc id, text), in input order; with a ranker,
    the pattern finds ranked (app/nlp/ranker.py)."""
    for doc_id, found, _sentences in run(texts, codes, n_process=n_process,
                                         batch_size=batch_size, ranker=ranker):
        yield doc_id, found


def run(texts: Iterable[tuple[int, str]], codes: list[CodeSpec], *, n_process: int = 1,
        batch_size: int = 256, sentences: bool | str = False, ranker: Ranker | None = None
        ) -> Iterator[tuple[int, list[Found], list]]:
    """As find_suggestions, plus each document's sentences when `sentences` is set: (start,
    end) pairs, or `ranker.Sentence`s with their lemmas and found codes when `sentences` is
    "lemmas". With a `ranker`, the pattern finds are ranked (see app/nlp/ranker.py)."""
    from app.nlp.pipeline import FOUND_KEY, compile_ruleset, suggester
    from app.nlp.ranker import scorer_for, sentences_of

    ruleset = compile_ruleset(codes)
    if ruleset.empty and not sentences:
        for doc_id, _text in texts:
            yield doc_id, [], []
        return
    scorer = scorer_for(ranker, codes) if ranker is not None else None
    nlp = suggester(ruleset)
    for group in _groups(texts):
        places = [(i, s, e) for i, (_id, text) in enumerate(group)
                  for s, e in codable_units(text)]
        # Plain strings, not (text, context) tuples: with as_tuples spaCy tokenises in this
        # process and ships Doc bytes to the workers. Order is kept, so zip restores places.
        units = (group[i][1][s:e].translate(_SOFT) for i, s, e in places)
        found: list[list[Found]] = [[] for _ in group]
        sents: list[list] = [[] for _ in group]
        workers = max(1, min(n_process, -(-len(places) // batch_size)))
        with _zone_lock, nlp.memory_zone():
            docs = nlp.pipe(units, batch_size=batch_size, n_process=workers)
            for doc, (i, offset, _end) in zip(docs, places):
                here = doc.user_data.get(FOUND_KEY, ())
                found[i] += [Found(code, offset + s, offset + e, rule, reason)
                             for code, s, e, rule, reason in here]
                # The ranker keeps, drops or extends finds within their unit, so a unit
                # without one is read only when the sentences are asked for.
                if sentences or (scorer is not None and here):
                    sents[i] += sentences_of(doc, offset, unit=offset)
        for i, (doc_id, _text) in enumerate(group):
            finds = _dedupe(found[i])
            _mark_found(sents[i], finds)
            if scorer is not None:
                finds = _dedupe(rank(scorer, sents[i], finds))
            yield doc_id, finds, (sents[i] if sentences == "lemmas" else
                                  [(s.start, s.end) for s in sents[i]] if sentences else [])


def _mark_found(sentences: list, finds: list[Found]) -> None:
    """Each sentence's `found`: the codes of the pattern finds that overlap it."""
    starts = [s.start for s in sentences]
    for f in finds:
        for i in overlapping(starts, sentences, f.start, f.end):
            sentences[i].found.add(f.code)


def codable_units(text: str) -> list[tuple[int, int]]:
    """The units a suggestion may fall in: split_units less the title line, the header's
    list of who was there ("Present: ...", "Participant: ...", up to its first full stop)
    and the interviewer's own turns (prompts and questions, not data: "Interviewer: How
    did that feel?")."""
    units = _without_title(text, split_units(text))
    asking = _interviewers(text)
    header_end = _header_end(text)
    out = []
    for start, end in units:
        if end <= header_end:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start, end)
        line = text[line_start:line_end if line_end >= 0 else end]
        if line_start < HEADER_CHARS and _HEADER_LIST.match(line):
            rest = _SENTENCE_GAP.search(text, start, end)   # the list ends at its first full stop
            if rest is None:
                continue
            start = rest.end()
        label = match_label(line) if line_start < start else None
        if label is not None and label.speaker.casefold() in asking:
            continue
        out.append((start, end))
    return out


def _header_end(text: str) -> int:
    """Where the document's header block ends, or 0 when it has none.

    The header is the opening block, up to the first blank line, when it reads as a record
    of the setting: at most ten lines and 1,500 characters, no question in it, and a line
    after the title that names the date, the researcher, who was there, the meeting or the
    like ("Date: 4 May 2022", "Observer: R2", "Present: ..."). Its words describe the
    occasion, not what happened in it, so nothing in it is suggested.
    """
    blank = _BLANK_LINE.search(text, 0, _HEADER_BLOCK_CHARS + 2)
    if blank is None:
        return 0
    block = text[:blank.start()]
    lines = block.split("\n")
    if len(lines) > _HEADER_BLOCK_LINES or "?" in block:
        return 0
    rest = block[len(lines[0]):]
    return blank.start() if _METADATA_KEY.search(rest) else 0


def _interviewers(text: str) -> frozenset[str]:
    """Speaker labels that stand for the interviewer: "Interviewer", "Researcher", "Q",
    and the first name given after "Interviewer" in the document's header."""
    names = {m.group(1).casefold() for m in _INTERVIEWER_NAMED.finditer(text[:HEADER_CHARS])}
    return frozenset(names | _INTERVIEWER_LABELS)


def _without_title(text: str, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The units less the document's title: a short first line with no closing punctuation
    (a heading such as "Fieldnotes: Riverside Council, monthly panel") is not coded."""
    if not units:
        return units
    start, end = units[0]
    line_end = text.find("\n", start)
    line_end = end if line_end == -1 or line_end > end else line_end
    line = text[start:line_end].rstrip()
    if text[:start].strip() or not line or len(line) > TITLE_CHARS or line[-1] in _ENDS:
        return units
    rest = line_end
    while rest < end and text[rest].isspace():
        rest += 1
    return ([(rest, end)] if rest < end else []) + units[1:]


def _groups(texts: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    group, size = [], 0
    for doc_id, text in texts:
        group.append((doc_id, text or ""))
        size += len(text or "")
        if size >= GROUP_CHARS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _dedupe(found: list[Found]) -> list[Found]:
    seen, out = set(), []
    for f in sorted(found, key=lambda f: (f.start, f.end, f.code)):
        if (f.code, f.start, f.end) not in seen:
            seen.add((f.code, f.start, f.end))
            out.append(f)
    return out


def split_units(text: str) -> list[tuple[int, int]]:
    """Paragraphs and speaker turns as [start, end) offsets, labels and white space left out.

    A blank line ends a paragraph; a line that opens with a speaker label ("Chair: "), a
    list mark, a table row, a numbered clause or a dated entry starts a new one; a line
    that ends without closing punctuation runs on into the next (PDF and e-mail wrapping).
    """
    units: list[tuple[int, int]] = []
    start = end = None
    offset = 0
    for line in text.split("\n"):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        content = line.strip()
        if not content:
            if start is not None:
                units.append((start, end))
            start = end = None
            continue
        label = match_label(line)
        begins = line_start + (len(line) - len(line.lstrip()))
        if label is not None:
            begins = line_start + label.body_start
            while begins < line_end and text[begins].isspace():
                begins += 1
        new = (start is None or label is not None or _STARTS_BLOCK.match(line)
               or text[end - 1] in _ENDS)
        if new:
            if start is not None:
                units.append((start, end))
            start = begins
        end = line_end - (len(line) - len(line.rstrip()))
        if begins >= end and label is not None:   # a label with nothing after it
            start = end = None
    if start is not None:
        units.append((start, end))
    out = []
    for s, e in units:
        if s < e:
            out += _cut(text, s, e)
    return out


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A long paragraph in pieces of at most MAX_UNIT_CHARS, cut where sentences end."""
    if end - start <= MAX_UNIT_CHARS:
        return [(start, end)]
    pieces, piece_start = [], start
    while end - piece_start > MAX_UNIT_CHARS:
        limit = piece_start + MAX_UNIT_CHARS
        cut = None
        for m in _SENTENCE_GAP.finditer(text, piece_start + MAX_UNIT_CHARS // 3, limit):
            cut = m
        if cut is not None:
            pieces.append((piece_start, cut.start()))
            piece_start = cut.end()
            continue
        space = text.rfind(" ", piece_start + 1, limit)
        stop = space if space > piece_start else limit
        pieces.append((piece_start, stop))
        piece_start = stop
        while piece_start < end and text[piece_start].isspace():
            piece_start += 1
    if piece_start < end:
        pieces.append((piece_start, end))
    return [(s, e) for s, e in pieces if s < e]
