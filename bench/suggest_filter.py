"""Experiment (issue #5, not wired into the app): can a learned sentence scorer lift the
precision of the codebook's pattern suggestions on text it was not trained on?

    .venv/bin/python bench/suggest_filter.py [--filter 0.1] [--add 0.5]

For each gold set in turn (leave one set out), a one-vs-rest logistic regression is trained
(numpy, plain gradient descent) on the sentences of the other sets: features are the
sentence's lower-case words and word pairs and the codes the patterns suggest there; a
sentence's labels are the gold codes overlapping it. On the left-out set it then scores
every sentence for every code, and the suggestions are (a) the patterns' suggestions whose
code scores at least --filter in their sentence, plus (b) sentences whose code scores at
least --add. Prints passage-overlap precision and recall per set: patterns alone, the
scorer alone (at --add) and the two combined. Takes about a minute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.codebook.spec import parse_yaml  # noqa: E402
from app.nlp.evaluate import (Passage, gold_passages, load_gold, score,  # noqa: E402
                              suggest_and_segment, texts_from_folder)

SETS = {"demo": "app/demo/content", "heldout": "tests/fixtures/nlp/heldout",
        "fresh": "tests/fixtures/nlp/fresh", "blind-a": "tests/fixtures/nlp/blind-a",
        "blind-b": "tests/fixtures/nlp/blind-b", "blind-c": "tests/fixtures/nlp/blind-c"}


def sentences(folder: str, codes) -> tuple[list[tuple], list[Passage], list[Passage]]:
    """(document, start, end, features, gold codes) per sentence; the gold; the patterns'
    suggestions."""
    texts = texts_from_folder(ROOT / folder)
    gold, _ = gold_passages(load_gold(ROOT / folder / "gold.jsonl"), texts)
    texts = {k: v for k, v in texts.items() if k in {g.document for g in gold}}
    found, bounds = suggest_and_segment(texts, codes)
    rows = []
    for doc, spans in bounds.items():
        for start, end in spans:
            words = [w for w in texts[doc][start:end].lower().split() if w.isalpha()]
            hits = {p.code for p in found if p.document == doc and p.start < end
                    and p.end > start}
            labels = {g.code for g in gold if g.document == doc and g.start < end
                      and g.end > start}
            features = ({f"w:{w}" for w in words} | {f"b:{a}_{b}" for a, b in
                        zip(words, words[1:])} | {f"h:{h}" for h in hits})
            rows.append((doc, start, end, features, labels))
    return rows, gold, found


def train(rows: list[tuple], labels: list[str], steps: int = 300):
    counts: dict[str, int] = {}
    for row in rows:
        for f in row[3]:
            counts[f] = counts.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(f for f, n in counts.items() if n >= 2)}
    x = matrix(rows, vocab)
    y = np.array([[c in row[4] for c in labels] for row in rows], dtype=np.float32)
    w = np.zeros((x.shape[1], len(labels)), dtype=np.float32)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= 2.5 * (x.T @ (p - y) / len(x) + 1e-3 * w)
    return vocab, w


def matrix(rows: list[tuple], vocab: dict[str, int]) -> np.ndarray:
    x = np.zeros((len(rows), len(vocab) + 1), dtype=np.float32)
    for r, row in enumerate(rows):
        for f in row[3]:
            if f in vocab:
                x[r, vocab[f]] = 1
        x[r, -1] = 1            # bias
    return x


def figures(passages: list[Passage], gold: list[Passage]) -> str:
    t = score(passages, gold).total
    return f"P {t.correct / max(t.suggested, 1):.2f} R {t.found / t.gold:.2f} (n {t.suggested})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filter", type=float, default=0.1)
    parser.add_argument("--add", type=float, default=0.5)
    args = parser.parse_args()
    codes = parse_yaml((ROOT / "codebooks" / "institutional-ethnography.yaml").read_text()).codes
    data = {name: sentences(folder, codes) for name, folder in SETS.items()}
    for left_out, (rows, gold, found) in data.items():
        training = [row for name, d in data.items() if name != left_out for row in d[0]]
        labels = sorted({c for row in training for c in row[4]})
        vocab, w = train(training, labels)
        p = 1 / (1 + np.exp(-(matrix(rows, vocab) @ w)))
        index = {c: j for j, c in enumerate(labels)}

        def best(s: Passage) -> float:
            return max((p[r, index[s.code]] for r, row in enumerate(rows)
                        if row[0] == s.document and row[1] < s.end and row[2] > s.start
                        and s.code in index), default=0.0)
        scorer = [Passage(row[0], c, row[1], row[2]) for r, row in enumerate(rows)
                  for c, j in index.items() if p[r, j] >= args.add]
        kept = [s for s in found if best(s) >= args.filter]
        print(f"{left_out:8} patterns {figures(found, gold)}   scorer {figures(scorer, gold)}"
              f"   combined {figures(kept + scorer, gold)}")


if __name__ == "__main__":
    main()
