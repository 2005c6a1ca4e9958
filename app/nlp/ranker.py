"""The suggestion ranker: gold codings decide which pattern finds to keep, and add a few.

Patterns alone do not carry over well to text nobody tuned them on (issue #5): a word a
pattern looks for ("supervision", "trauma") runs through a whole site's notes, while the
coder codes the sentence for its point. The ranker scores every (sentence, code) pair with a
logistic regression over nine features, the same weights for every code (plus a small
per-code offset, pulled towards 0), so a few thousand gold passages are enough to fit it:

* `pattern`: a pattern of the code found something in the sentence;
* `pattern_next_door`: ... in the sentence before or after (gold passages run on);
* `definition`: tf-idf cosine between the sentence's content lemmas and the code's name,
  definition, when-to-use and example, from the project's own codebook;
* `coded_like`: cosine with the centroid of the gold sentences coded with it;
* `codes_in_sentence`: how many codes the patterns found there (many: a busy sentence);
* `length`: how many content lemmas the sentence has;
* `sibling`: a code under the same parent was found there, this one not;
* `definition_next_door`, `coded_like_next_door`: the higher of the two neighbours'
  similarities (a point often runs over two or three sentences).

A sentence gets a code when its probability reaches the threshold. A pattern find is kept
with its own rule and reason; a sentence next to a pattern find of a code, where the
patterns did not find it, is added with rule "CODE:ranker" and a reason naming the words it
shares with the code's passages. It adds nothing away from the patterns' finds: on its own
it would take "the score was six four" for a risk score (`adds`: "anywhere" allows it, for
comparison in bench/suggest_ranker.py).
`train` fits a ranker from gold sets; `fieldbench train-ranker` writes it beside the
codebook as `<codebook key>.ranker.json`, which suggestion runs and `fieldbench evaluate`
pick up by the codebook's key.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy

from app.codebook.spec import CodeSpec
from app.errors import Invalid

FEATURES = ("pattern", "pattern_next_door", "definition", "coded_like", "codes_in_sentence",
            "length", "sibling", "definition_next_door", "coded_like_next_door")
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "NUM"})
CODEBOOKS = Path(__file__).resolve().parents[2] / "codebooks"
CENTROID_TERMS = 80      # the strongest terms kept per code
OFFSET_L2 = 5.0          # how hard a code's own offset is pulled towards 0
FORMAT = 2
ADDS = ("anywhere", "next_door", "nowhere")


@dataclass
class Sentence:
    """A sentence of a document: offsets, its content lemmas, the codes patterns found."""

    start: int
    end: int
    lemmas: list[str]
    found: set[str] = field(default_factory=set)
    unit: int = 0        # the paragraph or turn it sits in: neighbours are within one unit


@dataclass
class Ranker:
    codebook: str                       # the codebook key it was trained for
    threshold: float
    idf: dict[str, float]
    unknown_idf: float                  # for a lemma the training text never had
    centroids: dict[str, dict[str, float]]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    trained_on: list[str] = field(default_factory=list)
    offsets: dict[str, float] = field(default_factory=dict)   # per code, added to the logit
    adds: str = "next_door"     # where it may add sentences: anywhere, next_door, nowhere
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, indent=0)

    @cached_property
    def digest(self) -> str:
        """Stands for the ranker in the suggestion hash (read once: the fields do not change
        after loading)."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]

    @classmethod
    def from_json(cls, text: str, where: str = "ranker") -> Ranker:
        try:
            data = json.loads(text)
            ranker = cls(**data)
        except (ValueError, TypeError) as err:
            raise Invalid(f"{where}: not a suggestion ranker ({err})") from None
        if ranker.format != FORMAT:
            raise Invalid(f"{where}: ranker format {ranker.format}, this version reads {FORMAT}")
        if not (len(ranker.weights) == len(ranker.mean) == len(ranker.scale) == len(FEATURES)):
            raise Invalid(f"{where}: expects {len(FEATURES)} weights, means and scales")
        if not 0 < ranker.threshold < 1:
            raise Invalid(f"{where}: threshold must lie between 0 and 1")
        if ranker.adds not in ADDS:
            raise Invalid(f"{where}: adds must be one of {', '.join(ADDS)}")
        return ranker


_LOADED: dict[Path, tuple[float, Ranker]] = {}


def ranker_for(codebook_key: str, folder: Path = CODEBOOKS) -> Ranker | None:
    """The ranker written for this codebook, if there is one (re-read when the file changes)."""
    path = folder / f"{codebook_key}.ranker.json"
    if not path.is_file():
        return None
    mtime = path.stat().st_mtime
    cached = _LOADED.get(path)
    if cached is None or cached[0] != mtime:
        ranker = Ranker.from_json(path.read_text(encoding="utf-8"), where=path.name)
        if ranker.codebook != codebook_key:
            raise Invalid(f"{path.name} was trained for codebook {ranker.codebook!r}")
        _LOADED[path] = cached = (mtime, ranker)
    return cached[1]


# ---------------------------------------------------------------- vectors

def _vector(lemmas: Iterable[str], idf: dict[str, float], unknown: float) -> dict[str, float]:
    """(1 + log tf) * idf, unit length; a lemma with no idf counts toward the length only."""
    counts = Counter(lemmas)
    weights = {w: (1 + math.log(n)) * idf.get(w, unknown) for w, n in counts.items()}
    norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
    return {w: x / norm for w, x in weights.items()}


def definition_text(code: CodeSpec) -> str:
    return " ".join([code.name, code.full_definition or code.definition, code.when_to_use,
                     code.example])


def content_lemmas(doc) -> list[str]:
    return [t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and not t.is_stop
            and t.is_alpha]


# ---------------------------------------------------------------- scoring

class Scorer:
    """A ranker compiled for one codebook's codable codes: the definitions and centroids as
    term-by-code matrices, so a sentence is scored against every code in two products."""

    def __init__(self, ranker: Ranker, codes: list[CodeSpec], definitions: dict[str, list[str]]):
        self.ranker = ranker
        self.codes = [c for c in codes if not c.is_category and c.key in definitions]
        self.names = {c.key: c.name for c in self.codes}
        self.column = {c.key: j for j, c in enumerate(self.codes)}
        vectors = [_vector(definitions[c.key], ranker.idf, ranker.unknown_idf)
                   for c in self.codes]
        centroids = [ranker.centroids.get(c.key, {}) for c in self.codes]
        self.terms = {w: n for n, w in enumerate(sorted({w for v in vectors + centroids
                                                          for w in v}))}
        self.by_term = numpy.zeros((max(len(self.terms), 1), 2, len(self.codes)))
        for j, (vector, centroid) in enumerate(zip(vectors, centroids)):
            for w, v in vector.items():
                self.by_term[self.terms[w], 0, j] = v
            for w, v in centroid.items():
                self.by_term[self.terms[w], 1, j] = v
        groups = {c.parent for c in self.codes}
        group = {g: n for n, g in enumerate(sorted(groups, key=str))}
        self.group = numpy.array([group[c.parent] for c in self.codes], dtype=int)
        self.has_parent = numpy.array([c.parent is not None for c in self.codes])
        # [code, group]: 1 where the code has that parent (for "a sibling was found")
        self.in_group = numpy.zeros((len(self.codes), len(group)))
        self.in_group[numpy.arange(len(self.codes)), self.group] = self.has_parent
        self.mean = numpy.array(ranker.mean)
        self.scale = numpy.array(ranker.scale)
        self.weights = numpy.array(ranker.weights)
        self.offsets = numpy.array([ranker.offsets.get(c.key, 0.0) for c in self.codes])

    def _similarities(self, sentences: list[Sentence]) -> numpy.ndarray:
        """(definition, centroid) cosines of every sentence with every code: [n, 2, codes],
        as one product of the sentences' tf-idf rows with the terms they use."""
        rows, columns, values = [], [], []
        idf, unknown, terms = self.ranker.idf, self.ranker.unknown_idf, self.terms
        for i, sentence in enumerate(sentences):
            for w, v in _vector(sentence.lemmas, idf, unknown).items():
                t = terms.get(w)
                if t is not None:
                    rows.append(i)
                    columns.append(t)
                    values.append(v)
        m = len(self.codes)
        if not rows:
            return numpy.zeros((len(sentences), 2, m))
        used, where = numpy.unique(columns, return_inverse=True)
        dense = numpy.zeros((len(sentences), len(used)))
        dense[rows, where] = values
        return (dense @ self.by_term[used].reshape(len(used), 2 * m)).reshape(-1, 2, m)

    def features(self, sentences: list[Sentence]) -> numpy.ndarray:
        """[sentence, code, feature] for one document's sentences, in order."""
        n, m = len(sentences), len(self.codes)
        hit = numpy.zeros((n, m), dtype=bool)
        for i, sentence in enumerate(sentences):
            hit[i, [self.column[c] for c in sentence.found if c in self.column]] = True
        same = numpy.array([a.unit == b.unit for a, b in zip(sentences, sentences[1:])],
                           dtype=bool)[:, None]       # sentence k and k+1 share a unit
        near = numpy.zeros_like(hit)
        near[1:] |= hit[:-1] & same
        near[:-1] |= hit[1:] & same
        groups_hit = (hit @ self.in_group) > 0
        sibling = ~hit & groups_hit[:, self.group] & self.has_parent
        x = numpy.empty((n, m, len(FEATURES)))
        x[:, :, 0], x[:, :, 1], x[:, :, 6] = hit, near, sibling
        x[:, :, 2:4] = self._similarities(sentences).transpose(0, 2, 1)
        x[:, :, 4] = numpy.log1p([len(s.found) for s in sentences])[:, None]
        x[:, :, 5] = numpy.log1p([len(s.lemmas) for s in sentences])[:, None]
        x[:, :, 7:9] = 0.0      # the closer of the two neighbours, for each similarity
        if n > 1:
            x[1:, :, 7:9] = x[:-1, :, 2:4] * same[:, :, None]
            x[:-1, :, 7:9] = numpy.maximum(x[:-1, :, 7:9], x[1:, :, 2:4] * same[:, :, None])
        return x

    def probabilities(self, sentences: list[Sentence]) -> numpy.ndarray:
        if not sentences:
            return numpy.zeros((0, len(self.codes)))
        return 1 / (1 + numpy.exp(-self.logits(sentences)))

    def logits(self, sentences: list[Sentence]) -> numpy.ndarray:
        z = (self.features(sentences) - self.mean) / self.scale
        return z @ self.weights + self.ranker.bias + self.offsets

    def shared_words(self, sentence: Sentence, code: str, n: int = 3) -> list[str]:
        """The sentence's lemmas that weigh most in the code's passages and definition."""
        j = self.column[code]
        weight = {w: self.by_term[self.terms[w], :, j].sum() for w in set(sentence.lemmas)
                  if w in self.terms}
        return [w for w, v in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
                if v > 0][:n]


def rank(scorer: Scorer, sentences: list[Sentence], found: list) -> list:
    """The pattern finds whose sentence scores its code at the threshold or above, plus the
    sentences that score a code the patterns did not find there ("CODE:ranker")."""
    from app.nlp.suggest import Found

    p = scorer.probabilities(sentences)
    threshold = scorer.ranker.threshold
    starts = [s.start for s in sentences]
    kept = []
    for f in found:
        j = scorer.column.get(f.code)
        rows = list(overlapping(starts, sentences, f.start, f.end))
        if j is None or not rows or max(p[i, j] for i in rows) >= threshold:
            kept.append(f)
    added = []
    adds = scorer.ranker.adds
    if adds == "nowhere":
        return kept
    rows, columns = numpy.nonzero(p >= threshold)
    for i, j in zip(rows.tolist(), columns.tolist()):
        sentence, code = sentences[i], scorer.codes[j].key
        if code in sentence.found or (adds == "next_door"
                                      and not _found_beside(sentences, i, code)):
            continue
        words = scorer.shared_words(sentence, code)
        reason = ("runs on from the passage suggested beside it and reads like passages "
                  f"coded “{scorer.names[code]}”" + (f": {', '.join(words)}" if words else ""))
        added.append(Found(code, sentence.start, sentence.end, f"{code}:ranker", reason))
    return kept + added


def _found_beside(sentences: list[Sentence], i: int, code: str) -> bool:
    """The sentence before or after, in the same paragraph or turn, has a find of `code`."""
    return any(0 <= k < len(sentences) and sentences[k].unit == sentences[i].unit
               and code in sentences[k].found for k in (i - 1, i + 1))


def overlapping(starts: list[int], sentences: list[Sentence], start: int, end: int):
    """Indices of the sentences (in order, `starts` their starts) that [start, end) overlaps."""
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    while i < len(sentences) and sentences[i].start < end:
        if sentences[i].end > start:
            yield i
        i += 1


# ---------------------------------------------------------------- training

def _fit(x: numpy.ndarray, y: numpy.ndarray, l2: float = 1e-2, steps: int = 30):
    """Logistic regression by Newton's method on standardised features."""
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = numpy.hstack([(x - mean) / scale, numpy.ones((len(x), 1))])
    w = numpy.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + numpy.exp(-(z @ w)))
        gradient = z.T @ (p - y) + l2 * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + l2 * numpy.eye(len(w))
        w -= numpy.linalg.solve(hessian, gradient)
    return mean, scale, w


@dataclass
class GoldSet:
    """One gold set made ready for training: each document's sentences and gold codes."""

    name: str
    documents: list[tuple[list[Sentence], list[set[str]]]]


def _idf(sets: list[GoldSet], definitions: dict[str, list[str]]) -> tuple[dict, float]:
    df: Counter = Counter()
    n = 0
    for gold in sets:
        for sentences, _labels in gold.documents:
            for s in sentences:
                df.update(set(s.lemmas))
                n += 1
    for lemmas in definitions.values():
        df.update(set(lemmas))
        n += 1
    return ({w: math.log((n + 1) / (k + 1)) + 1 for w, k in df.items()}, math.log(n + 1))


def _centroids(sets: list[GoldSet], idf: dict, unknown: float) -> dict[str, dict[str, float]]:
    sums: dict[str, Counter] = {}
    for gold in sets:
        for sentences, labels in gold.documents:
            for s, codes in zip(sentences, labels):
                if not codes:
                    continue
                vector = _vector(s.lemmas, idf, unknown)
                for code in codes:
                    sums.setdefault(code, Counter()).update(vector)
    out = {}
    for code, total in sums.items():
        top = dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS])
        norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
        out[code] = {w: round(v / norm, 5) for w, v in top.items()}
    return out


def train(sets: list[GoldSet], codes: list[CodeSpec], definitions: dict[str, list[str]], *,
          codebook: str, threshold: float = 0.3) -> Ranker:
    """Fit the weights on features each set gets from the *other* sets' centroids (as new
    text will), then keep the centroids of all of them."""
    if len(sets) < 2:
        raise Invalid("training a ranker needs at least two gold sets")
    idf, unknown = _idf(sets, definitions)
    order = [c for c in codes if not c.is_category and c.key in definitions]   # Scorer's
    xs, ys = [], []
    for held in sets:
        others = [s for s in sets if s is not held]
        draft = Ranker(codebook, threshold, idf, unknown, _centroids(others, idf, unknown),
                       [0.0] * len(FEATURES), [1.0] * len(FEATURES), [0.0] * len(FEATURES), 0.0)
        scorer = Scorer(draft, codes, definitions)
        for sentences, labels in held.documents:
            if sentences:
                xs.append(scorer.features(sentences).reshape(-1, len(FEATURES)))
                ys.append(numpy.array([[c.key in found for c in order]
                                       for found in labels], dtype=float).reshape(-1))
    x, y = numpy.vstack(xs), numpy.concatenate(ys)
    mean, scale, w = _fit(x, y)
    logits = ((x - mean) / scale) @ w[:-1] + w[-1]
    offsets = _offsets(logits.reshape(-1, len(order)), y.reshape(-1, len(order)))
    return Ranker(codebook, threshold, {k: round(v, 5) for k, v in idf.items()},
                  round(unknown, 5), _centroids(sets, idf, unknown),
                  [round(v, 6) for v in mean], [round(v, 6) for v in scale],
                  [round(v, 6) for v in w[:-1]], round(float(w[-1]), 6),
                  trained_on=[s.name for s in sets],
                  offsets={c.key: round(float(b), 5) for c, b in zip(order, offsets)
                           if b != 0})


def _offsets(logits: numpy.ndarray, y: numpy.ndarray, steps: int = 25) -> numpy.ndarray:
    """A per-code shift of the shared logit ([pair, code] arrays), pulled towards 0, for the
    codes the shared weights over- or under-suggest."""
    b = numpy.zeros(logits.shape[1])
    for _ in range(steps):
        p = 1 / (1 + numpy.exp(-(logits + b)))
        b -= ((p - y).sum(0) + OFFSET_L2 * b) / ((p * (1 - p)).sum(0) + OFFSET_L2)
    return b


# ---------------------------------------------------------------- from spaCy docs

_LOWER: dict[int, str] = {}


def lowercase(strings, hashes: Iterable[int]) -> list[str]:
    """The lower-case forms of these string-store hashes, cached per process (a long run
    meets new words, so the cache is emptied when it grows large)."""
    lower = _LOWER
    if len(lower) > 500_000:
        lower.clear()
    out = []
    for h in hashes:
        word = lower.get(h)
        if word is None:
            word = lower[h] = strings[h].lower()
        out.append(word)
    return out


def sentences_of(doc, offset: int = 0, unit: int = 0) -> list[Sentence]:
    """A parsed unit's sentences with their content lemmas (lower case), offsets shifted.
    One `to_array` per unit and no Span objects: this runs on every sentence of a pass."""
    from spacy.attrs import IDX, IS_ALPHA, IS_STOP, LEMMA, LENGTH, POS, SENT_START

    n = len(doc)
    if not n:
        return []
    table = doc.to_array([LEMMA, POS, IS_STOP, IS_ALPHA, SENT_START, IDX, LENGTH])
    starts = numpy.flatnonzero(table[:, 4] == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    ends = starts[1:] + [n]
    content = _content_pos()
    pos = numpy.minimum(table[:, 1], len(content) - 1).astype("intp")
    kept = numpy.flatnonzero(content[pos] & (table[:, 2] == 0) & (table[:, 3] == 1))
    cuts = numpy.searchsorted(kept, starts[1:]).tolist()
    words = lowercase(doc.vocab.strings, table[kept, 0].tolist())
    idx, length = table[:, 5].tolist(), table[:, 6].tolist()
    bounds = [0] + cuts + [len(words)]
    return [Sentence(offset + idx[a], offset + idx[b - 1] + length[b - 1], words[lo:hi],
                     unit=unit) for a, b, lo, hi in zip(starts, ends, bounds, bounds[1:])]


@lru_cache(maxsize=1)
def _content_pos() -> numpy.ndarray:
    """A lookup by part-of-speech id: True for the content parts of speech."""
    from spacy import symbols

    ids = [getattr(symbols, pos) for pos in CONTENT_POS]
    table = numpy.zeros(max(ids) + 2, dtype=bool)     # the last slot: any larger id
    table[ids] = True
    return table


_SCORERS: dict[tuple, Scorer] = {}


def scorer_for(ranker: Ranker, codes: list[CodeSpec]) -> Scorer:
    """The ranker compiled for these codes, their definitions lemmatised by the model once."""
    codable = [c for c in codes if not c.is_category]
    key = (ranker.digest, tuple((c.key, c.parent, definition_text(c)) for c in codable))
    scorer = _SCORERS.get(key)
    if scorer is None:
        if len(_SCORERS) > 4:
            _SCORERS.clear()
        scorer = _SCORERS[key] = Scorer(ranker, codable, scorer_definitions(codable))
    return scorer


def scorer_definitions(codes: list[CodeSpec]) -> dict[str, list[str]]:
    """Each codable code's definition text as content lemmas."""
    from app.nlp.pipeline import get_nlp

    codable = [c for c in codes if not c.is_category]
    docs = get_nlp().pipe(definition_text(c) for c in codable)
    return {c.key: content_lemmas(doc) for c, doc in zip(codable, docs)}
