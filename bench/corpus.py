"""A seeded corpus of fictional social-care meeting transcripts in every supported format.

``make_corpus(n_docs, words_per_doc, seed)`` returns ``(filename, bytes)`` pairs: real files
built in memory (python-docx, odfpy, reportlab for PDF; RTF, WebVTT and SRT by hand), the
formats in equal shares (document i gets ``FORMATS[i % 8]``). Every document is a meeting
with ``Name: `` speaker turns under a field-note header (``Date:``, ``Present:`` lines,
which must not become turns); WebVTT uses ``<v Name>`` voice tags and SRT Zoom-style
``Name: `` cues. Text is drawn at random from social-care meeting phrases, so no two files
are alike. The same seed gives the same text and the same bytes for txt, md, rtf, pdf
(``invariant=1``), vtt and srt; DOCX and ODT bytes vary (zip timestamps, odfpy's namespace
order), not their text. All names are invented.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import docx
from odf.opendocument import OpenDocumentText
from odf.text import H, P

FORMATS = ("txt", "md", "docx", "odt", "rtf", "pdf", "vtt", "srt")

PHRASES = """the strategy meeting agreed | the core group discussed | the child protection plan
| the young person said | the school reported | the police shared intelligence | contextual
safeguarding | a peer group assessment | the risk of criminal exploitation | the safety plan
| missing from home episodes | the return home interview | the family network meeting | the
health visitor's notes | the designated safeguarding lead | attendance has improved | concerns
about county lines | the youth worker engaged | the detached team saw | the local park after
dark | the transport hub | a referral to early help | the threshold for section 47 | the
multi-agency risk assessment | information sharing between agencies | the chronology was
updated | mum felt listened to | the review conference | the case was stepped down | an
advocate was offered | the voice of the child | the parenting assessment | the housing
officer raised | a disruption plan | the community safety partnership | the licensing team |
the shopkeeper noticed | trusted relationships | we need to revisit | the next review in six
weeks | actions were allocated | the independent chair summarised | the social worker will
follow up | the GP letter arrived late | consent was recorded | the family declined | the
plan was shared with the family | the school nurse checked in | the mapping exercise
showed | the locations of concern | peer influence | a reflective discussion | the team
manager's view""".split("|")
PHRASES = [" ".join(p.split()) for p in PHRASES]
SPEAKERS = ("Chair", "Priya Shah", "Tomás Ryan", "Siobhán Kelly", "Zoë Clarke",
            "Dr. Ahmed", "Social Worker", "Police Officer", "School Nurse", "Youth Worker",
            "Mary-Jane O'Neill", "YP", "Mum", "Team Manager", "Ó Briain")
KINDS = ("core group meeting", "strategy discussion", "review conference",
         "reflective group", "family network meeting", "peer mapping session")


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Meeting:
    """One generated document before it is written in a format."""

    title: str
    header: list[str]   # field-note header lines, e.g. "Date: 3 May 2024"
    turns: list[Turn]


def _sentence(rng: random.Random) -> str:
    words = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 4)))
    return words[0].upper() + words[1:] + rng.choice(".....?!")


def make_meeting(rng: random.Random, words: int, index: int) -> Meeting:
    """A meeting of about ``words`` words of speech among three to six speakers."""
    kind = rng.choice(KINDS)
    people = rng.sample(SPEAKERS, rng.randint(3, 6))
    header = [f"Date: {rng.randint(1, 28)} {rng.choice(('March', 'May', 'June'))} 2024",
              f"Present: {', '.join(people)}", f"Researcher: R{rng.randint(1, 9)}"]
    turns, count, clock = [], 0, 0
    while count < words:
        text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 6)))
        duration = len(text.split()) * 400
        turns.append(Turn(rng.choice(people), text, clock, clock + duration))
        count, clock = count + len(text.split()), clock + duration + rng.randint(0, 3000)
    return Meeting(f"{kind.capitalize()} {index:04d}", header, turns)


def _labelled(meeting: Meeting) -> list[str]:
    return [f"{t.speaker}: {t.text}" for t in meeting.turns]


def to_txt(meeting: Meeting) -> bytes:
    return "\n\n".join([meeting.title, "\n".join(meeting.header), *_labelled(meeting)]).encode()


def to_md(meeting: Meeting) -> bytes:
    parts = [f"# {meeting.title}", "\n".join(meeting.header), "## Transcript", *_labelled(meeting)]
    return "\n\n".join(parts).encode()


def to_docx(meeting: Meeting) -> bytes:
    document = docx.Document()
    document.add_heading(meeting.title, level=1)
    for line in [*meeting.header, *_labelled(meeting)]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_odt(meeting: Meeting) -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=meeting.title))
    for line in [*meeting.header, *_labelled(meeting)]:
        document.text.addElement(P(text=line))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rtf_escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)


def to_rtf(meeting: Meeting) -> bytes:
    lines = [meeting.title, "", *meeting.header, "", *_labelled(meeting)]
    body = "".join(f"{_rtf_escape(line)}\\par\n" for line in lines)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}\n"
            f"\\f0\\fs22 {body}}}\n").encode("ascii")


def to_pdf(meeting: Meeting) -> bytes:
    """A4 pages of 10 pt Helvetica; long turns wrap onto unlabelled lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    y = height - 60
    for paragraph in [meeting.title, *meeting.header, *_labelled(meeting)]:
        for line in simpleSplit(paragraph, "Helvetica", 10, width - 120) + [""]:
            if y < 60:
                pdf.showPage()
                y = height - 60
            pdf.setFont("Helvetica", 10)
            pdf.drawString(60, y, line)
            y -= 13
    pdf.save()
    return out.getvalue()


def _clock(ms: int, sep: str) -> str:
    return (f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}"
            f"{sep}{ms % 1000:03d}")


def _cues(meeting: Meeting) -> list[tuple[str, str, str, str]]:
    """(speaker, words, start, end) for cues of at most 12 words, timed within the turn."""
    cues = []
    for turn in meeting.turns:
        words = turn.text.split()
        chunks = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
        step = (turn.end_ms - turn.start_ms) // len(chunks)
        for n, chunk in enumerate(chunks):
            start = turn.start_ms + n * step
            cues.append((turn.speaker, chunk, start, start + step))
    return cues


def to_vtt(meeting: Meeting) -> bytes:
    """Teams style: a cue id, timings and a ``<v Name>`` voice tag per cue."""
    blocks = [f"{n}\n{_clock(s, '.')} --> {_clock(e, '.')}\n<v {who}>{words}</v>"
              for n, (who, words, s, e) in enumerate(_cues(meeting), 1)]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


def to_srt(meeting: Meeting) -> bytes:
    """Zoom style: every cue opens with ``Name: ``."""
    blocks = [f"{n}\n{_clock(s, ',')} --> {_clock(e, ',')}\n{who}: {words}"
              for n, (who, words, s, e) in enumerate(_cues(meeting), 1)]
    return ("\n\n".join(blocks) + "\n").encode()


WRITERS = {"txt": to_txt, "md": to_md, "docx": to_docx, "odt": to_odt, "rtf": to_rtf,
           "pdf": to_pdf, "vtt": to_vtt, "srt": to_srt}


def make_corpus(n_docs: int, words_per_doc: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """``n_docs`` files of about ``words_per_doc`` spoken words each, formats in turn."""
    rng = random.Random(seed)
    corpus = []
    for i in range(n_docs):
        fmt = FORMATS[i % len(FORMATS)]
        meeting = make_meeting(rng, words_per_doc, i + 1)
        slug = meeting.title.lower().replace(" ", "-")
        corpus.append((f"{slug}.{fmt}", WRITERS[fmt](meeting)))
    return corpus
