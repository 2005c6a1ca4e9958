"""The document page's pieces keep exact offsets into the stored text."""

from types import SimpleNamespace

from app.documents.readers import parse_speaker_turns
from app.documents.view import clock, pieces

TEXT = "Panel notes 🙂\n\nChair: Row seven. Any updates?\n\nDS Patel: Zoë was seen twice.\n\nEnd."


def _turns(text):
    return [(SimpleNamespace(start=t.start, end=t.end, time_start_ms=None),
             SimpleNamespace(name=t.speaker)) for t in parse_speaker_turns(text)]


def test_every_piece_points_at_its_own_text():
    for piece in pieces(TEXT, _turns(TEXT)):
        assert TEXT[piece.start:piece.start + len(piece.text)] == piece.text
        if piece.turn:
            assert TEXT[piece.label_start:piece.label_start + len(piece.label)] == piece.label


def test_labels_travel_with_turns():
    shown = [(p.label, p.text) for p in pieces(TEXT, _turns(TEXT))]
    assert shown == [("", "Panel notes 🙂"), ("Chair:", "Row seven. Any updates?"),
                     ("DS Patel:", "Zoë was seen twice."), ("", "End.")]


def test_text_without_turns_is_one_piece():
    assert [(p.start, p.text) for p in pieces("\n\nJust a note.", [])] == [(2, "Just a note.")]


def test_clock():
    assert clock(None) is None and clock(12_500) == "0:12" and clock(3_723_000) == "1:02:03"
