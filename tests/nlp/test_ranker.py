"""The suggestion ranker: its file, its scoring, its training, and what it buys on a gold
set it was not trained on (app/nlp/ranker.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.codebook.spec import CodeSpec, parse_yaml
from app.errors import Invalid
from app.nlp.ranker import (FEATURES, Ranker, Sentence, Scorer, rank, ranker_for,
                            scorer_definitions, train)
from app.nlp.suggest import Found

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "codebooks" / "institutional-ethnography.yaml"
SETS = {"demo": "app/demo/content", "heldout": "tests/fixtures/nlp/heldout",
        "fresh": "tests/fixtures/nlp/fresh",
        **{f"blind-{x}": f"tests/fixtures/nlp/blind-{x}" for x in "abcdefghijklmnopqrstu"}}


@pytest.fixture(scope="module")
def codes():
    return parse_yaml(BOOK.read_text(encoding="utf-8")).codes


def toy(threshold=0.5, bias=-2.0, offsets=None) -> Ranker:
    """Only `coded_like` counts: a sentence must share the code's gold words."""
    weights = [4.0 if name == "coded_like" else 0.0 for name in FEATURES]
    return Ranker("toy", threshold, {"tracker": 2.0, "update": 2.0, "garden": 2.0}, 3.0,
                  {"T": {"tracker": 0.8, "update": 0.6}}, [0.0] * len(FEATURES),
                  [1.0] * len(FEATURES), weights, bias, offsets=offsets or {})


TOY_CODES = [CodeSpec(key="T", name="Trackers", parent=None),
             CodeSpec(key="G", name="Gardens", parent=None)]
TOY_DEFINITIONS = {"T": ["tracker"], "G": ["garden"]}


def test_a_ranker_file_round_trips_and_bad_files_are_refused(tmp_path):
    ranker = toy()
    assert Ranker.from_json(ranker.to_json()) == ranker
    assert ranker.digest != replace(ranker, threshold=0.6).digest
    data = json.loads(ranker.to_json())
    for change, message in ((lambda d: d.update(format=9), "format 9"),
                            (lambda d: d.update(weights=[1.0]), f"expects {len(FEATURES)} weights"),
                            (lambda d: d.update(threshold=1.5), "between 0 and 1"),
                            (lambda d: d.update(adds="everywhere"), "adds must be one of"),
                            (lambda d: d.pop("idf"), "not a suggestion ranker")):
        bad = dict(data)
        change(bad)
        with pytest.raises(Invalid, match=message):
            Ranker.from_json(json.dumps(bad), where="x.ranker.json")
    with pytest.raises(Invalid, match="not a suggestion ranker"):
        Ranker.from_json("{not json")
    assert ranker_for("toy", tmp_path) is None
    (tmp_path / "toy.ranker.json").write_text(ranker.to_json())
    assert ranker_for("toy", tmp_path) == ranker
    (tmp_path / "other.ranker.json").write_text(ranker.to_json())
    with pytest.raises(Invalid, match="trained for codebook 'toy'"):
        ranker_for("other", tmp_path)


def test_pattern_finds_are_kept_or_dropped_by_their_sentence_and_sentences_are_added():
    scorer = Scorer(toy(), TOY_CODES, TOY_DEFINITIONS)
    sentences = [Sentence(0, 30, ["tracker", "update"], {"T"}),
                 Sentence(31, 60, ["garden", "weekend"], {"T"}),
                 Sentence(61, 90, ["tracker", "update", "tracker"], set())]
    finds = [Found("T", 2, 9, "T:a", "a tracker"), Found("T", 33, 40, "T:a", "a tracker"),
             Found("X", 40, 45, "X:b", "a code the ranker does not know")]
    out = rank(scorer, sentences, finds)
    assert finds[0] in out and finds[2] in out and finds[1] not in out
    added = [f for f in out if f.rule == "T:ranker"]
    assert [(f.start, f.end) for f in added] == [(61, 90)]
    assert added[0].reason == ("runs on from the passage suggested beside it and reads like "
                               "passages coded “Trackers”: tracker, update")
    # away from any pattern find of the code, nothing is added, however alike it reads
    alone = [Sentence(0, 30, ["tracker", "update"], set()), Sentence(31, 60, ["garden"], set()),
             Sentence(61, 90, ["garden"], set()), Sentence(91, 99, ["tracker"], {"T"})]
    assert [f.rule for f in rank(scorer, alone, [Found("T", 92, 98, "T:a", "a")])] == ["T:a"]
    anywhere = Scorer(replace(toy(), adds="anywhere"), TOY_CODES, TOY_DEFINITIONS)
    assert [(f.start, f.rule) for f in rank(anywhere, alone, [])] == [(0, "T:ranker")]
    features = scorer.features(sentences)
    assert features.shape == (3, 2, len(FEATURES))
    at = FEATURES.index
    assert features[1, 0, at("pattern")] == 1 and features[2, 0, at("pattern_next_door")] == 1
    assert features[0, 1, at("pattern")] == 0 and features[0, 0, at("coded_like")] > 0.9
    assert features[1, 0, at("coded_like_next_door")] == max(features[0, 0, at("coded_like")],
                                                             features[2, 0, at("coded_like")])
    # a code's own offset moves it alone: T pushed down keeps nothing, G is untouched
    damped = Scorer(toy(offsets={"T": -10.0}), TOY_CODES, TOY_DEFINITIONS)
    assert [f.code for f in rank(damped, sentences, finds)] == ["X"]


def test_training_fits_the_weights_on_each_set_as_new_text(codes):
    def gold(name, texts):
        return GoldSet(name, [([Sentence(0, 10, words, found)], [labels])
                              for words, found, labels in texts])
    from app.nlp.ranker import GoldSet

    a = gold("a", [(["tracker", "update"], {"RR-TEXT-TRACK"}, {"RR-TEXT-TRACK"}),
                   (["garden", "fence"], set(), set())] * 5)
    b = gold("b", [(["tracker", "refresh"], set(), {"RR-TEXT-TRACK"}),
                   (["weekend", "film"], {"RR-TEXT-TRACK"}, set())] * 5)
    definitions = {c.key: [] for c in codes if not c.is_category}
    ranker = train([a, b], codes, definitions, codebook="x", threshold=0.3)
    assert ranker.trained_on == ["a", "b"] and len(ranker.weights) == len(FEATURES)
    assert "tracker" in ranker.centroids["RR-TEXT-TRACK"]
    assert ranker.weights[FEATURES.index("coded_like")] > 0
    assert set(ranker.offsets) <= {c.key for c in codes} and ranker.offsets
    with pytest.raises(Invalid, match="at least two"):
        train([a], codes, definitions, codebook="x")


def test_the_shipped_ranker_fits_the_codebook_and_never_saw_the_held_back_set(codes):
    ranker = ranker_for("institutional-ethnography")
    assert ranker is not None and ranker.codebook == "institutional-ethnography"
    assert len(ranker.trained_on) >= 29
    assert not {"blind-y", "blind-z"} & set(ranker.trained_on)
    assert set(ranker.centroids) <= {c.key for c in codes}


def test_on_a_set_it_was_not_trained_on_the_ranker_beats_the_patterns_precision(codes):
    """Trained on the other 23 sets, scored on blind-g (which the patterns were never tuned
    on either): the ranker's precision is well above the patterns', at a small cost in
    recall. About 30 seconds."""
    from app.nlp.evaluate import (gold_passages, gold_set, load_gold, score,
                                  suggest_and_segment, texts_from_folder)

    definitions = scorer_definitions(codes)
    sets = [gold_set(ROOT / folder, codes) for name, folder in SETS.items() if name != "blind-g"]
    ranker = train(sets, codes, definitions, codebook="institutional-ethnography")
    folder = ROOT / SETS["blind-g"]
    texts = texts_from_folder(folder)
    gold, _ = gold_passages(load_gold(folder / "gold.jsonl"), texts)
    plain = score(*suggest_and_segment(texts, codes)[:1], gold).total
    ranked = score(*suggest_and_segment(texts, codes, ranker=ranker)[:1], gold).total
    assert ranked.precision >= plain.precision + 0.08, (ranked.precision, plain.precision)
    assert ranked.recall >= plain.recall - 0.1, (ranked.recall, plain.recall)


def test_sentences_of_a_parsed_unit_match_spacys_sentences_and_lemmas():
    """The fast path (one to_array, no Span objects) gives what doc.sents would."""
    from app.nlp.pipeline import get_nlp
    from app.nlp.ranker import content_lemmas, sentences_of

    text = ("The tracker was updated. Jamal's score went up to 14! 42. Nobody asked why; "
            "the panel moved on.  Zoë left… “Fine,” she said.")
    doc = get_nlp()(text)
    got = [(s.start, s.end, s.lemmas) for s in sentences_of(doc, 7)]
    assert got == [(7 + s.start_char, 7 + s.end_char, content_lemmas(s)) for s in doc.sents]
    assert sentences_of(get_nlp()(""), 0) == []
