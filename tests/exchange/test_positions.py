"""Position units and the offset map through Fieldbench's normalisation."""

from __future__ import annotations

import random

from app.documents.normalise import normalise_text
from app.exchange.positions import Selection, choose_units, normalise_with_map


def test_the_map_follows_normalisation_exactly():
    rng = random.Random(7)
    pieces = ["a", "b ", " ", "\n", "\r", "\r\n", "e\u0301", "\ufeff", "😀", "\t", "\u2028",
              "\u212b", "x\u0308\u0301"]
    for _ in range(3000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        text, where = normalise_with_map(raw)
        assert text == normalise_text(raw)
        assert len(where) == len(raw) + 1 and where == sorted(where)
        assert where[0] == 0 and where[-1] == len(text)


def test_a_word_keeps_its_place():
    raw = "\ufeffCafe\u0301  \r\n\r\n\r\n\r\nThe 😀 panel met.  \r\n"
    text, where = normalise_with_map(raw)
    start = raw.index("panel")
    assert text[where[start]:where[start + len("panel met")]] == "panel met"


def utf16(text: str, needle: str) -> tuple[int, int]:
    before = len(text[:text.index(needle)].encode("utf-16-le")) // 2
    return before, before + len(needle.encode("utf-16-le")) // 2


def test_units_are_chosen_by_names_then_word_boundaries():
    raw = "😀😀 first words\r\nthen 😀 the coded words here\r\n"
    start, end = utf16(raw, "the coded words")
    label, units = choose_units(raw, [Selection(start, end, "the coded words")])
    assert label == "UTF-16 code units"
    assert raw[units.index(start):units.index(end)] == "the coded words"
    # without names, word boundaries decide
    label, units = choose_units(raw, [Selection(start, end)])
    assert raw[units.index(start):units.index(end)] == "the coded words"


def test_code_points_win_ties_and_positions_are_clamped():
    raw = "plain text only"
    label, units = choose_units(raw, [Selection(6, 10, "text")])
    assert label == "code points" and units.index(99) == len(raw)
