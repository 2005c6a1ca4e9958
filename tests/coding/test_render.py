"""Segments for overlapping codings."""

from app.coding.render import Segment, segments, within

TEXT = "Zoë said 🙂 the tracker was red."


def test_no_codings_is_one_segment():
    assert segments(TEXT, []) == [Segment(0, TEXT)]


def test_overlapping_and_nested_codings():
    tracker = TEXT.index("tracker")
    a = (1, 0, 8)                          # "Zoë said"
    b = (2, 4, tracker + 7)                # "said 🙂 the tracker"
    c = (3, tracker, tracker + 7)          # "tracker", inside b
    segs = segments(TEXT, [a, b, c])
    assert "".join(s.text for s in segs) == TEXT
    assert [(s.text, s.codings) for s in segs] == [
        ("Zoë ", (1,)), ("said", (1, 2)), (" 🙂 the ", (2,)), ("tracker", (2, 3)),
        (" was red.", ())]
    for seg in segs:
        assert TEXT[seg.start:seg.start + len(seg.text)] == seg.text


def test_cuts_and_identical_spans():
    segs = segments(TEXT, [(1, 4, 8), (2, 4, 8)], cuts=[9, 0, 999])
    assert [(s.start, s.codings) for s in segs] == [(0, ()), (4, (1, 2)), (8, ()), (9, ())]
    assert [s.start for s in within(segs, 4, 9)] == [4, 8]


def test_spans_are_clipped_to_the_text():
    segs = segments("abc", [(1, 2, 10), (2, 1, 1)])
    assert [(s.text, s.codings) for s in segs] == [("ab", ()), ("c", (1,))]
