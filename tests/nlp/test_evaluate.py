"""Scoring suggestions against a gold coding (hand-worked numbers), gold files, and
`fieldbench evaluate` end to end on a small database."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from app.cli import main
from app.errors import Invalid
from app.nlp.evaluate import Passage, load_gold, score

SENTENCES = {"a": [(0, 10), (11, 20), (21, 30)]}
GOLD = [Passage("a", "AA-X", 0, 10), Passage("a", "AA-X", 21, 30), Passage("a", "BB-Y", 11, 20)]
SUGGESTED = [Passage("a", "AA-X", 2, 8),      # inside gold 1: correct
             Passage("a", "AA-X", 11, 25),    # overlaps gold 2: correct (sentences 1 and 2)
             Passage("a", "BB-Y", 0, 5),      # no BB-Y gold there: wrong
             Passage("b", "AA-X", 0, 5)]      # a document with no gold: wrong


def test_score_by_passage_overlap():
    report = score(SUGGESTED, GOLD, SENTENCES)
    x, y = report.codes["AA-X"], report.codes["BB-Y"]
    assert (x.suggested, x.correct, x.gold, x.found) == (3, 2, 2, 2)
    assert x.precision == pytest.approx(2 / 3) and x.recall == 1.0
    assert x.f1 == pytest.approx(0.8)
    assert (y.suggested, y.correct, y.gold, y.found) == (1, 0, 1, 0)
    assert y.precision == 0.0 and y.recall == 0.0 and y.f1 == 0.0
    total = report.total
    assert (total.suggested, total.correct, total.gold, total.found) == (4, 2, 3, 2)
    assert total.precision == 0.5 and total.recall == pytest.approx(2 / 3)
    assert total.f1 == pytest.approx(4 / 7)


def test_score_by_sentence():
    report = score(SUGGESTED, GOLD, SENTENCES)
    x, y, total = report.codes["AA-X"], report.codes["BB-Y"], report.total
    # suggestions touch X in sentences 0, 1, 2 and Y in 0; gold has X in 0, 2 and Y in 1
    assert (x.sent_suggested, x.sent_gold, x.sent_both) == (3, 2, 2)
    assert x.sent_precision == pytest.approx(2 / 3) and x.sent_recall == 1.0
    assert (y.sent_suggested, y.sent_gold, y.sent_both) == (1, 1, 0)
    assert (total.sent_suggested, total.sent_gold, total.sent_both) == (4, 3, 2)
    assert total.sent_f1 == pytest.approx(4 / 7)


def test_score_edges():
    touching = score([Passage("a", "AA-X", 10, 11)], [Passage("a", "AA-X", 0, 10)], SENTENCES)
    assert touching.codes["AA-X"].correct == 0          # half-open: touching is not overlap
    assert touching.codes["AA-X"].sent_suggested == 0   # the gap between two sentences
    empty = score([], [])
    assert empty.total.precision is None and empty.total.recall is None
    assert empty.total.f1 is None
    no_gold = score([Passage("a", "AA-X", 0, 3)], [])
    assert no_gold.total.precision == 0.0 and no_gold.total.recall is None
    families = score(SUGGESTED, GOLD, SENTENCES).by_family()
    assert families["AA"].suggested == 3 and families["BB"].gold == 1


def test_load_gold_names_bad_lines(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"document": "a.txt", "code": "PA-RATION", "start": 0, "end": 4}\n\n'
                    'not json\n{"document": "a.txt", "code": "X", "start": 5, "end": 5}\n')
    with pytest.raises(Invalid) as err:
        load_gold(path)
    assert "gold.jsonl:3: not JSON" in err.value.message
    assert "gold.jsonl:4: needs document" in err.value.message


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_fieldbench_evaluate_with_a_gold_file(coded_study, tmp_path):
    text = coded_study["text"]
    risk = text.index("Row seven, scored 14 on the tool.")
    engaging = text.index("She is not engaging.")
    gold = tmp_path / "gold.jsonl"
    lines = [{"document": "panel.txt", "code": "RR-TEXT-RISK", "start": risk,
              "end": risk + len("Row seven, scored 14 on the tool.")},
             {"document": coded_study["document_id"], "code": "RR-DISC-ENG",
              "start": engaging, "end": engaging + len("She is not engaging.")},
             {"document": "panel.txt", "code": "PA-RATION", "start": 0, "end": 5},
             {"document": "missing.txt", "code": "PA-RATION", "start": 0, "end": 5}]
    gold.write_text("\n".join(json.dumps(line) for line in lines))
    out_csv = tmp_path / "scores.csv"
    code, out = run("evaluate", "study", "--gold", str(gold), "--csv", str(out_csv))
    assert code == 0, out
    assert "no document 'missing.txt'" in out
    rows = {row["code"]: row for row in csv.DictReader(out_csv.open())}
    assert rows["RR-TEXT-RISK"]["found"] == "1" and rows["RR-DISC-ENG"]["found"] == "1"
    assert rows["PA-RATION"]["gold"] == "1" and rows["PA-RATION"]["found"] == "0"
    assert rows["ALL"]["gold"] == "3" and rows["ALL"]["found"] == "2"
    assert float(rows["ALL"]["recall"]) == pytest.approx(0.667, abs=1e-3)
    assert "RR-TEXT-RISK" in out and "ALL" in out and f"wrote {out_csv}" in out


def test_fieldbench_evaluate_against_a_coder(coded_study):
    from app.coding import service as coding
    from app.db import transaction
    from app.documents.models import Document
    from app.projects import service as projects

    text = coded_study["text"]
    start = text.index("She is not engaging.")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        document = s.get(Document, coded_study["document_id"])
        coding.create(s, project=project, document=document, code_key="RR-DISC-ENG",
                      start=start, end=start + len("She is not engaging."),
                      by=coded_study["users"]["coder"])
    code, out = run("evaluate", "study", "--against-coder", "coder@example.org",
                    "--patterns-only")
    assert code == 0, out
    assert "compared with the 1 codings coder@example.org made" in out
    engaging = next(line for line in out.splitlines() if line.startswith("RR-DISC-ENG"))
    assert engaging.split()[1:5] == ["1", "1", "1", "1"]
    code, ranked = run("evaluate", "study", "--against-coder", "coder@example.org")
    assert code == 0 and "compared with the 1 codings" in ranked
    code, out = run("evaluate", "study", "--against-coder", "viewer@example.org")
    assert code == 1 and "has no codings of their own" in out


def test_fieldbench_evaluate_needs_exactly_one_source(coded_study, tmp_path):
    code, out = run("evaluate", "study")
    assert code == 1 and "give --gold FILE or --against-coder EMAIL" in out
    code, out = run("evaluate", "nowhere", "--against-coder", "coder@example.org")
    assert code == 1


# ---------------------------------------------------------------- the gold sets

# (folder, precision floor, recall floor). blind-a was written by a separate helper and first
# scored P 0.35 R 0.16 with the phrase-list patterns; blind-b was first run after the patterns
# were generalised (P 0.37 R 0.27). Both have since been studied and tuned on (issue #5, second
# round: P 0.66 R 0.63 and P 0.61 R 0.47), so every floor guards against regression only; the
# honest check is a set nobody tuned on: blind-c, written by a third helper and run once after
# that round (P 0.32 R 0.35; tests/fixtures/nlp/README.md).
GOLD_SETS = {"demo": ("app/demo/content", 0.76, 0.79),
             "heldout": ("tests/fixtures/nlp/heldout", 0.75, 0.71),
             "fresh": ("tests/fixtures/nlp/fresh", 0.79, 0.61),
             "blind-a": ("tests/fixtures/nlp/blind-a", 0.62, 0.59),
             "blind-b": ("tests/fixtures/nlp/blind-b", 0.57, 0.44),
             "blind-c": ("tests/fixtures/nlp/blind-c", 0.32, 0.33),
             "blind-d": ("tests/fixtures/nlp/blind-d", 0.35, 0.39),
             "blind-e": ("tests/fixtures/nlp/blind-e", 0.32, 0.32),
             "blind-f": ("tests/fixtures/nlp/blind-f", 0.29, 0.45),
             "blind-g": ("tests/fixtures/nlp/blind-g", 0.30, 0.38),
             "blind-h": ("tests/fixtures/nlp/blind-h", 0.26, 0.36),
             "blind-z": ("tests/fixtures/nlp/blind-z", 0.34, 0.34),
             # session five: first run, patterns alone (the ranked figures are in the README)
             "blind-v": ("tests/fixtures/nlp/blind-v", 0.30, 0.46),
             "blind-w": ("tests/fixtures/nlp/blind-w", 0.23, 0.31),
             "blind-x": ("tests/fixtures/nlp/blind-x", 0.33, 0.47),
             "blind-aa": ("tests/fixtures/nlp/blind-aa", 0.22, 0.28),
             "blind-ab": ("tests/fixtures/nlp/blind-ab", 0.34, 0.35)}


@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_gold_sets_match_their_texts_and_stay_above_the_floor(name):
    """Each gold line fits its document (quotes checked); the figures do not regress."""
    from pathlib import Path

    from app.codebook.spec import parse_yaml
    from app.nlp.evaluate import evaluate_texts, gold_passages, texts_from_folder

    root = Path(__file__).resolve().parents[2]
    folder, min_precision, min_recall = GOLD_SETS[name]
    texts = texts_from_folder(root / folder)
    items = load_gold(root / folder / "gold.jsonl")
    gold, notes = gold_passages(items, texts)
    assert notes == [] and len(gold) == len(items)
    assert {g.document for g in gold} == set(texts)
    book = root / "codebooks" / "institutional-ethnography.yaml"
    report = evaluate_texts(texts, items, parse_yaml(book.read_text()).codes)
    assert report.total.precision >= min_precision, report.total
    assert report.total.recall >= min_recall, report.total


# The one final run of each held-back set, ranked (patterns alone in brackets):
# blind-z, 2026-11-22, 24-set ranker: P 0.50 R 0.31 (P 0.36 R 0.36); 29-set ranker P 0.52 R 0.31.
# blind-y, 2026-11-22, 29-set ranker: P 0.56 R 0.30 (P 0.33 R 0.35).
FINAL = {"blind-z": (0.47, 0.28), "blind-y": (0.53, 0.27)}


@pytest.mark.parametrize("name", sorted(FINAL))
def test_the_shipped_ranker_on_the_held_back_sets(name):
    """blind-z and blind-y were held back from the patterns and from the shipped ranker's
    training, and each scored once, at the end of its session (see FINAL): this keeps the
    ranked figures from slipping."""
    from pathlib import Path

    from app.codebook.spec import parse_yaml
    from app.nlp.evaluate import evaluate_texts, texts_from_folder
    from app.nlp.ranker import ranker_for

    root = Path(__file__).resolve().parents[2]
    folder = root / "tests" / "fixtures" / "nlp" / name
    spec = parse_yaml((root / "codebooks" / "institutional-ethnography.yaml").read_text())
    ranker = ranker_for(spec.key)
    assert name not in ranker.trained_on
    report = evaluate_texts(texts_from_folder(folder), load_gold(folder / "gold.jsonl"),
                            spec.codes, ranker=ranker)
    floor_p, floor_r = FINAL[name]
    assert report.total.precision >= floor_p and report.total.recall >= floor_r, report.total


def test_a_second_coder_agrees_with_the_blind_c_gold():
    """blind-c was coded again, blind, by a second coder (definitions only, gold unseen):
    their agreement is the ceiling the suggestions are measured against. Every line fits
    its text, and the two readings agree far more than the patterns do (P 0.86, R 0.93)."""
    from pathlib import Path

    from app.nlp.evaluate import gold_passages, texts_from_folder

    folder = Path(__file__).resolve().parents[1] / "fixtures" / "nlp" / "blind-c"
    texts = texts_from_folder(folder)
    gold, gold_notes = gold_passages(load_gold(folder / "gold.jsonl"), texts)
    second, notes = gold_passages(load_gold(folder / "second-coder.jsonl"), texts,
                                  source="second coder")
    assert gold_notes == notes == [] and len(second) == 265
    total = score(second, gold).total
    assert total.correct / total.suggested >= 0.85 and total.found / total.gold >= 0.9
