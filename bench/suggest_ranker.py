"""The suggestion ranker (app/nlp/ranker.py), measured leave-one-set-out (issue #5).

    .venv/bin/python bench/suggest_ranker.py [--thresholds 0.3,0.4] [--sets blind-c,blind-d]

For each named gold set, a ranker is trained on every *other* set and the set is scored
with the patterns alone and with the ranker, at passage overlap. The sets the patterns were
tuned on (demo, heldout, fresh, blind-a, blind-b) train the ranker but are not reported by
default: their pattern figures are not a fair baseline. blind-z, the held-back set, is
never read unless named with --sets; nor is blind-y, held back the same way.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.codebook.spec import parse_yaml  # noqa: E402
from app.nlp.evaluate import (gold_passages, gold_set, load_gold, score,  # noqa: E402
                              suggest_and_segment, texts_from_folder)
from app.nlp.ranker import scorer_definitions, train  # noqa: E402

TRAINING = {"demo": "app/demo/content", "heldout": "tests/fixtures/nlp/heldout",
            "fresh": "tests/fixtures/nlp/fresh",
            **{f"blind-{x}": f"tests/fixtures/nlp/blind-{x}"
               for x in [*"abcdefghijklmnopqrstuvwx", "aa", "ab"]}}
TUNED = ("demo", "heldout", "fresh", "blind-a", "blind-b")    # the patterns were tuned on these
UNTUNED = [name for name in TRAINING if name not in TUNED]


def figures(folder: Path, codes, ranker) -> tuple[float, float, int]:
    texts = texts_from_folder(folder)
    gold, _ = gold_passages(load_gold(folder / "gold.jsonl"), texts)
    texts = {k: v for k, v in texts.items() if k in {g.document for g in gold}}
    found, sentences = suggest_and_segment(texts, codes, ranker=ranker)
    total = score(found, gold, sentences).total
    return total.precision or 0.0, total.recall or 0.0, total.suggested


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thresholds", default="0.3",
                        help="comma-separated; each is scored with the same trained ranker")
    parser.add_argument("--adds", default="next_door",
                        help="where the ranker may add sentences: anywhere, next_door, nowhere")
    parser.add_argument("--sets", default=",".join(UNTUNED))
    args = parser.parse_args()
    spec = parse_yaml((ROOT / "codebooks" / "institutional-ethnography.yaml").read_text())
    definitions = scorer_definitions(spec.codes)
    started = time.perf_counter()
    prepared = {name: gold_set(ROOT / folder, spec.codes) for name, folder in TRAINING.items()}
    print(f"prepared {len(prepared)} training sets in {time.perf_counter() - started:.1f} s")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    adds = args.adds.split(",")
    sums = {"patterns": [0.0, 0.0], **{f"{a}@{t}": [0.0, 0.0] for t in thresholds for a in adds}}
    names = args.sets.split(",")
    for name in names:
        folder = ROOT / TRAINING.get(name, f"tests/fixtures/nlp/{name}")
        others = [s for n, s in prepared.items() if n != name]
        ranker = train(others, spec.codes, definitions, codebook=spec.key)
        line = [f"{name:9}"]
        models = [("patterns", None)] + [(f"{a}@{t}", replace(ranker, threshold=t, adds=a))
                                         for t in thresholds for a in adds]
        for label, model in models:
            p, r, n = figures(folder, spec.codes, model)
            sums[label][0] += p
            sums[label][1] += r
            line.append(f"{label} P {p:.2f} R {r:.2f} (n {n})")
        print("   ".join(line), flush=True)
    k = len(names)
    print("mean      " + "   ".join(f"{label} P {p / k:.2f} R {r / k:.2f}"
                                    for label, (p, r) in sums.items()))


if __name__ == "__main__":
    main()
