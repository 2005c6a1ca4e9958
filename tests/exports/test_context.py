"""The exports' fast sentence context agrees with retrieval's everywhere."""

import random

from app.exports.context import ENDS, DocumentContext
from app.retrieval.context import END, sentence_after, sentence_before

PIECES = ["word", "word", "word ", " ", " ", ". ", "! ", "?", ".", '." ', "”) ", "\n",
          "\n\n", " \n ", "\t", "Chair: ", "émoji 🙂 ", ".\"", "’", "]", ")", "a.b", "...  "]


def texts(rng: random.Random, n: int):
    for _ in range(n):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 700)))


def test_the_pattern_finds_what_retrievals_finds():
    rng = random.Random(7)
    for text in texts(rng, 200):
        assert [m.span() for m in ENDS.finditer(text)] == [m.span() for m in END.finditer(text)]


def test_context_agrees_at_every_position():
    rng = random.Random(11)
    for text in texts(rng, 50):
        ctx = DocumentContext(text)
        for start in range(len(text)):
            assert ctx.before(start) == sentence_before(text, start), (text, start)
        for end in range(len(text) + 1):
            assert ctx.after(end) == sentence_after(text, end), (text, end)


def test_long_texts_with_long_sentences_agree():
    rng = random.Random(3)
    pieces = PIECES + ["x" * 300, "y " * 200]
    for _ in range(30):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(50, 400)))
        ctx = DocumentContext(text)
        for pos in rng.sample(range(len(text)), min(len(text), 300)):
            assert ctx.before(pos) == sentence_before(text, pos), (text, pos)
            assert ctx.after(pos) == sentence_after(text, pos), (text, pos)
