"""How well suggestions agree with a gold coding: precision, recall and F1 per code.

Two levels:

* passage overlap: a suggestion counts (precision) when it overlaps a gold passage of the
  same code in the same document; a gold passage is found (recall) when some suggestion of
  its code overlaps it;
* sentence: the sets of (document, sentence index, code) touched by suggestions and by
  gold passages, compared as sets.

Micro totals add the counts of every code. `score()` is a pure function; `evaluate_texts`
and `evaluate_project` run the finder first. Gold files are JSON lines::

    {"document": "panel.txt" or 12, "code": "RR-TEXT-RISK", "start": 120, "end": 188}

(a "quote" field, if present, is checked against the text).
"""

from __future__ import annotations

import bisect
import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import Invalid

Key = str | int


@dataclass(frozen=True)
class Passage:
    document: Key
    code: str
    start: int
    end: int


@dataclass
class Counts:
    """Both levels for one code (or a total)."""

    suggested: int = 0          # suggestions
    correct: int = 0            # suggestions overlapping gold of their code
    gold: int = 0               # gold passages
    found: int = 0              # gold passages overlapped by a suggestion of their code
    sent_suggested: int = 0     # (doc, sentence, code) triples from suggestions
    sent_gold: int = 0          # ... from gold
    sent_both: int = 0          # ... in both

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.suggested)

    @property
    def recall(self) -> float | None:
        return _ratio(self.found, self.gold)

    @property
    def f1(self) -> float | None:
        return _f1(self.precision, self.recall)

    @property
    def sent_precision(self) -> float | None:
        return _ratio(self.sent_both, self.sent_suggested)

    @property
    def sent_recall(self) -> float | None:
        return _ratio(self.sent_both, self.sent_gold)

    @property
    def sent_f1(self) -> float | None:
        return _f1(self.sent_precision, self.sent_recall)


@dataclass
class Report:
    codes: dict[str, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    notes: list[str] = field(default_factory=list)

    def subtotal(self, keys: Iterable[str]) -> Counts:
        out = Counts()
        for key in keys:
            if key in self.codes:
                out.add(self.codes[key])
        return out

    def by_family(self) -> dict[str, Counts]:
        """Totals per family: the code key up to its first '-' (RR, DA, PA ...)."""
        families: dict[str, Counts] = {}
        for key, counts in self.codes.items():
            families.setdefault(key.split("-")[0], Counts()).add(counts)
        return dict(sorted(families.items()))


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def _overlaps(a: Passage, b: Passage) -> bool:
    return a.start < b.end and b.start < a.end


def _sentence_ids(passage: Passage, starts: list[int], ends: list[int]) -> range:
    """Indices of the sentences [start, end) that the passage overlaps."""
    first = bisect.bisect_right(ends, passage.start)
    last = bisect.bisect_left(starts, passage.end)
    return range(first, last)


def score(suggestions: Iterable[Passage], gold: Iterable[Passage],
          sentences: dict[Key, list[tuple[int, int]]] | None = None) -> Report:
    """Per-code and micro counts. `sentences` maps a document to its sentence spans (sorted);
    without it the sentence level stays empty."""
    suggestions, gold = list(suggestions), list(gold)
    report = Report()
    by_place: dict[tuple[Key, str], list[Passage]] = defaultdict(list)
    for g in gold:
        by_place[(g.document, g.code)].append(g)
    sugg_place: dict[tuple[Key, str], list[Passage]] = defaultdict(list)
    for s in suggestions:
        sugg_place[(s.document, s.code)].append(s)
    for s in suggestions:
        counts = report.codes.setdefault(s.code, Counts())
        counts.suggested += 1
        counts.correct += any(_overlaps(s, g) for g in by_place[(s.document, s.code)])
    for g in gold:
        counts = report.codes.setdefault(g.code, Counts())
        counts.gold += 1
        counts.found += any(_overlaps(g, s) for s in sugg_place[(g.document, g.code)])
    if sentences is not None:
        bounds = {doc: ([s for s, _ in spans], [e for _, e in spans])
                  for doc, spans in sentences.items()}
        sent_s = _triples(suggestions, bounds)
        sent_g = _triples(gold, bounds)
        for code, doc, i in sent_s:
            report.codes.setdefault(code, Counts()).sent_suggested += 1
        for code, doc, i in sent_g:
            report.codes.setdefault(code, Counts()).sent_gold += 1
        for code, doc, i in sent_s & sent_g:
            report.codes[code].sent_both += 1
    report.codes = dict(sorted(report.codes.items()))
    for counts in report.codes.values():
        report.total.add(counts)
    return report


def _triples(passages: list[Passage], bounds) -> set[tuple[str, Key, int]]:
    out = set()
    for p in passages:
        if p.document in bounds:
            starts, ends = bounds[p.document]
            out |= {(p.code, p.document, i) for i in _sentence_ids(p, starts, ends)}
    return out


# ---------------------------------------------------------------- gold files

def load_gold(path: Path | str) -> list[dict]:
    """The lines of a gold file, checked for shape; Invalid names the line at fault."""
    path = Path(path)
    out, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"{path.name}:{n}: not JSON ({err.msg})")
            continue
        if not (isinstance(item, dict) and isinstance(item.get("document"), (str, int))
                and isinstance(item.get("code"), str) and isinstance(item.get("start"), int)
                and isinstance(item.get("end"), int) and 0 <= item["start"] < item["end"]):
            problems.append(f"{path.name}:{n}: needs document (id or file name), code, and "
                            "integer start < end")
            continue
        out.append(item | {"line": n})
    if problems:
        raise Invalid("; ".join(problems[:10]))
    return out


def gold_passages(items: list[dict], texts: dict[Key, str], *, source: str = "gold"
                  ) -> tuple[list[Passage], list[str]]:
    """Gold lines as Passages keyed like `texts`; notes for lines that do not fit a text."""
    out, notes = [], []
    for item in items:
        doc, where = item["document"], f"{source}:{item.get('line', '?')}"
        if doc not in texts:
            notes.append(f"{where}: unknown document {doc!r}, line skipped")
            continue
        text = texts[doc]
        if item["end"] > len(text):
            notes.append(f"{where}: offsets run past the end of {doc!r}, line skipped")
            continue
        quote = item.get("quote")
        if quote is not None and text[item["start"]:item["end"]] != quote:
            notes.append(f"{where}: the quote does not match the text of {doc!r}")
        out.append(Passage(doc, item["code"], item["start"], item["end"]))
    return out, notes


# ---------------------------------------------------------------- running the finder

def suggest_and_segment(texts: dict[Key, str], codes, *, n_process: int = 1, ranker=None
                        ) -> tuple[list[Passage], dict[Key, list[tuple[int, int]]]]:
    """Every suggestion as a Passage, and each document's sentence spans."""
    from app.nlp.suggest import run

    keys = list(texts)
    suggestions, sentences = [], {}
    for index, found, sents in run(enumerate(texts[k] for k in keys), codes,
                                   n_process=n_process, sentences=True, ranker=ranker):
        key = keys[index]
        suggestions += [Passage(key, f.code, f.start, f.end) for f in found]
        sentences[key] = sorted(sents)
    return suggestions, sentences


def evaluate_texts(texts: dict[Key, str], gold_items: list[dict], codes, *,
                   n_process: int = 1, source: str = "gold", ranker=None) -> Report:
    """Run the finder over `texts` (only documents named in the gold) and score it."""
    gold, notes = gold_passages(gold_items, texts, source=source)
    named = {g.document for g in gold}
    texts = {k: v for k, v in texts.items() if k in named}
    suggestions, sentences = suggest_and_segment(texts, codes, n_process=n_process,
                                                 ranker=ranker)
    report = score(suggestions, gold, sentences)
    report.notes = notes + _unpatterned(report, codes)
    return report


def _unpatterned(report: Report, codes) -> list[str]:
    with_patterns = {c.key for c in codes if c.patterns and not c.is_category}
    missing = sorted(k for k, c in report.codes.items() if c.gold and k not in with_patterns)
    if not missing:
        return []
    return [f"{len(missing)} gold code(s) have no patterns, so nothing can find them: "
            + ", ".join(missing)]


def gold_set(folder: Path | str, codes, *, n_process: int = 1):
    """A folder of documents with its gold.jsonl, made ready to train a ranker on: each
    document's sentences (lemmas, pattern finds) and the gold codes overlapping each."""
    from app.nlp.ranker import GoldSet
    from app.nlp.suggest import run

    folder = Path(folder)
    if not (folder / "gold.jsonl").is_file():
        raise Invalid(f"{folder}: no gold.jsonl")
    texts = texts_from_folder(folder)
    gold, _notes = gold_passages(load_gold(folder / "gold.jsonl"), texts, source=folder.name)
    by_doc: dict[Key, list[Passage]] = defaultdict(list)
    for g in gold:
        by_doc[g.document].append(g)
    keys = sorted(by_doc, key=str)
    documents = []
    for index, _found, sentences in run(enumerate(texts[k] for k in keys), codes,
                                        n_process=n_process, sentences="lemmas"):
        passages = by_doc[keys[index]]
        documents.append((sentences, [{g.code for g in passages if g.start < s.end
                                       and g.end > s.start} for s in sentences]))
    return GoldSet(folder.name, documents)


def texts_from_folder(folder: Path | str) -> dict[str, str]:
    """Readable text of every document file in a folder, by file name."""
    from app.documents.readers import read_document

    texts = {}
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() in (".jsonl", ".csv", ".py") or path.name.startswith(".") \
                or path.name.lower() == "readme.md" or not path.is_file():
            continue
        texts[path.name] = read_document(path.name, path.read_bytes()).text
    return texts


def evaluate_project(session, *, project, gold_path: Path | None = None,
                     coder_email: str | None = None, n_process: int = 1,
                     patterns_only: bool = False) -> Report:
    """Score suggestions on a project's documents against a gold file or a coder's codings."""
    from sqlalchemy import select

    from app.accounts import service as accounts
    from app.codebook import service as codebook
    from app.codebook.models import Code
    from app.coding.models import Coding
    from app.documents.models import Document
    from app.nlp.ranker import ranker_for

    if (gold_path is None) == (coder_email is None):
        raise Invalid("give either a gold file or a coder's e-mail address")
    spec = codebook.to_spec(session, project=project)
    codes = spec.codes
    ranker = None if patterns_only or not project.rank_suggestions else ranker_for(spec.key)
    docs = session.scalars(select(Document).where(Document.project_id == project.id)
                           .order_by(Document.id)).all()
    if gold_path is not None:
        items = load_gold(gold_path)
        names: dict[str, list[Document]] = defaultdict(list)
        for d in docs:
            names[d.original_filename].append(d)
        by_id = {d.id: d for d in docs}
        resolved, notes = [], []
        for item in items:
            doc = item["document"]
            if isinstance(doc, int) or (isinstance(doc, str) and doc.isdigit()
                                        and int(doc) in by_id):
                found = by_id.get(int(doc))
            else:
                matches = names.get(doc, [])
                if len(matches) > 1:
                    notes.append(f"{gold_path.name}:{item['line']}: {len(matches)} documents "
                                 f"are called {doc!r}; give the document id instead")
                    continue
                found = matches[0] if matches else None
            if found is None:
                notes.append(f"{gold_path.name}:{item['line']}: no document {doc!r} in "
                             f"project '{project.slug}', line skipped")
                continue
            resolved.append(item | {"document": found.id})
        texts = {d.id: d.text for d in docs}
        report = evaluate_texts(texts, resolved, codes, n_process=n_process,
                                source=gold_path.name, ranker=ranker)
        report.notes = notes + report.notes
        return report
    user = accounts.get_by_email(session, email=coder_email)
    if user is None:
        raise Invalid(f"no user with e-mail address {coder_email}")
    rows = session.execute(
        select(Coding.document_id, Code.key, Coding.start, Coding.end)
        .join(Code, Code.id == Coding.code_id)
        .where(Coding.project_id == project.id, Coding.coder_id == user.id,
               Coding.deleted_at.is_(None), Coding.origin != "suggested")).all()
    if not rows:
        raise Invalid(f"{coder_email} has no codings of their own in '{project.slug}'")
    items = [{"document": d, "code": k, "start": s, "end": e, "line": n}
             for n, (d, k, s, e) in enumerate(rows, 1)]
    texts = {d.id: d.text for d in docs}
    report = evaluate_texts(texts, items, codes, n_process=n_process, source=coder_email,
                            ranker=ranker)
    report.notes.insert(0, f"compared with the {len(rows)} codings {coder_email} made (not "
                           "accepted suggestions), on the documents they coded")
    return report


# ---------------------------------------------------------------- output

COLUMNS = ("code", "suggested", "correct", "gold", "found", "precision", "recall", "f1",
           "sent_suggested", "sent_gold", "sent_both", "sent_precision", "sent_recall",
           "sent_f1")


def rows(report: Report, *, families: bool = True) -> list[dict]:
    """Table rows: each code, each family (FAMILY*), micro totals (ALL, WITH-PATTERNS)."""
    out = [_row(key, counts) for key, counts in report.codes.items()]
    if families:
        out += [_row(f"{fam}*", counts) for fam, counts in report.by_family().items()]
    out.append(_row("ALL", report.total))
    return out


def _row(name: str, c: Counts) -> dict:
    row = {"code": name}
    for col in COLUMNS[1:]:
        value = getattr(c, col)
        row[col] = "" if value is None else (round(value, 3) if isinstance(value, float)
                                              else value)
    return row


def format_report(report: Report) -> str:
    head = (f"{'code':<17}{'sugg':>5}{'ok':>5}{'gold':>5}{'fnd':>5}{'P':>7}{'R':>7}{'F1':>7}"
            f"   {'sP':>6}{'sR':>6}{'sF1':>6}")
    lines = ["passage overlap (sugg ok gold fnd P R F1) and sentence level (sP sR sF1)", head]

    def fmt(v):
        return f"{v:.2f}" if isinstance(v, float) else "  -"

    previous = ""
    for row in rows(report):
        kind = "total" if row["code"] == "ALL" else \
            "family" if row["code"].endswith("*") else "code"
        if kind != previous:
            lines.append("-" * len(head))
            previous = kind
        lines.append(f"{row['code']:<17}{row['suggested']:>5}{row['correct']:>5}"
                     f"{row['gold']:>5}{row['found']:>5}{fmt(row['precision']):>7}"
                     f"{fmt(row['recall']):>7}{fmt(row['f1']):>7}   "
                     f"{fmt(row['sent_precision']):>6}{fmt(row['sent_recall']):>6}"
                     f"{fmt(row['sent_f1']):>6}")
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines)


def write_csv(report: Report, path: Path | str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(report))


def main(argv: list[str] | None = None) -> None:
    """Score a folder of files against a gold file (no database):
    python -m app.nlp.evaluate FOLDER GOLD.jsonl [CODEBOOK.yaml] [--patterns-only]"""
    import sys

    from app.codebook.spec import parse_yaml
    from app.nlp.ranker import ranker_for

    args = sys.argv[1:] if argv is None else argv
    patterns_only = "--patterns-only" in args
    args = [a for a in args if a != "--patterns-only"]
    folder, gold = Path(args[0]), Path(args[1])
    book = Path(args[2]) if len(args) > 2 else \
        Path(__file__).resolve().parents[2] / "codebooks" / "institutional-ethnography.yaml"
    spec = parse_yaml(book.read_text(encoding="utf-8"), book.name)
    ranker = None if patterns_only else ranker_for(spec.key, book.parent)
    report = evaluate_texts(texts_from_folder(folder), load_gold(gold), spec.codes,
                            source=gold.name, ranker=ranker)
    print(format_report(report))


if __name__ == "__main__":
    main()
