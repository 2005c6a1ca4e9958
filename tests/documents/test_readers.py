"""Reading uploads into normalised text and speaker turns (app.documents.readers)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from app.documents.formats import check_zip_members
from app.documents.readers import (SUPPORTED_EXTENSIONS, IngestError, ParsedTurn,
                                   ReadResult, normalise_text, parse_speaker_turns,
                                   read_document)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
GOOD = ["interview.txt", "fieldnote.md", "fieldnote_cp1252.txt", "notes.docx",
        "notes.odt", "notes.rtf", "notes.pdf", "teams.vtt", "zoom.vtt", "meeting.srt"]


def read(name: str, **kwargs) -> ReadResult:
    return read_document(name, (FIXTURES / name).read_bytes(), **kwargs)


def utterances(result: ReadResult) -> list[tuple[str, str]]:
    return [(t.speaker, result.text[t.start:t.end]) for t in result.turns]


def refusal(name: str, data: bytes | None = None, **kwargs) -> str:
    if data is None:
        data = (FIXTURES / name).read_bytes()
    with pytest.raises(IngestError) as info:
        read_document(name, data, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------ invariants

@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_invariants(name):
    result = read(name)
    text = result.text
    assert text.strip()
    assert "\r" not in text and "\ufeff" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert normalise_text(text) == text
    previous_end = 0
    for turn in result.turns:
        assert 0 <= turn.start < turn.end <= len(text)
        assert text[turn.start:turn.end] == text[turn.start:turn.end].strip()
        assert turn.start >= previous_end
        assert turn.speaker == turn.speaker.strip() and turn.speaker
        previous_end = turn.end


@pytest.mark.parametrize("name", GOOD)
def test_good_fixtures_are_small(name):
    assert (FIXTURES / name).stat().st_size < 100 * 1024


def test_supported_extensions():
    assert SUPPORTED_EXTENSIONS == (".txt", ".md", ".docx", ".odt", ".rtf", ".pdf",
                                    ".vtt", ".srt")


# ------------------------------------------------------------------ good files

def test_interview_txt():
    result = read("interview.txt")
    assert result.format == "txt" and result.warnings == []
    assert result.text.startswith("Transcript: follow-up interview")
    assert "José Almeida" in result.text and "Jose\u0301" not in result.text
    assert "Of course 🙂 It was" in result.text
    assert "lead.\n" in result.text  # trailing spaces stripped
    assert "Noted.\n\n(end of transcript)" in result.text  # blank lines collapsed
    assert utterances(result) == [
        ("Interviewer", "Thanks for making time. Can you tell me about the strategy meeting?"),
        ("Zoë", "Of course 🙂 It was the first one I chaired since joining the team.\n"
                "Police, health and the school were all there."),
        ("Interviewer", "Who spoke for the school?"),
        ("Zoë", "José Almeida, the designated safeguarding lead."),
        ("Siobhán Ní Bhriain", "Can I add something? The health visitor's notes arrived late."),
        ("Interviewer", "Noted."),
    ]
    times = [t.time_start_ms for t in result.turns]
    assert times == [12_000, 20_000, None, None, 125_000, None]
    assert all(t.time_end_ms is None for t in result.turns)


def test_fieldnote_md_has_no_turns():
    result = read("fieldnote.md")
    assert result.format == "md" and result.warnings == []
    assert result.text.startswith("# Fieldnote: core group meeting, Northgate")
    assert "Present: chair (Priya)" in result.text
    assert result.turns == []


def test_cp1252_text_is_decoded_with_a_warning():
    result = read("fieldnote_cp1252.txt")
    assert result.format == "txt"
    assert "café debrief" in result.text
    assert "manager’s view" in result.text and "“hadn’t moved on”" in result.text
    assert len(result.warnings) == 1 and "Windows-1252" in result.warnings[0]
    assert utterances(result) == [("Chair", "We’ll revisit in six weeks."),
                                  ("Social Worker 2", "I’ll draft the letter to the family.")]


def test_docx_paragraphs_and_table_in_order():
    result = read("notes.docx")
    assert result.format == "docx" and result.warnings == []
    text = result.text
    order = ["Core group meeting notes", "Chair: Welcome", "Dr. Ahmed:", "Action",
             "Owner", "Share the plan with the family", "Priya", "Book the review",
             "Tom", "YP: I want"]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)
    assert "\n\nOwner\n\n" in text  # paragraphs joined by a blank line
    assert utterances(result) == [
        ("Chair", "Welcome, everyone. Let's start with updates."),
        ("Dr. Ahmed", "The health assessment is booked for next week."),
        ("YP", "I want to stay at my nan's."),
    ]


def test_odt():
    result = read("notes.odt")
    assert result.format == "odt"
    assert result.text.startswith("Strategy discussion notes\n\nÓ Briain:")
    assert "Note: all names are pseudonyms." in result.text
    assert utterances(result) == [
        ("Ó Briain", "The school raised the concern on Monday."),
        ("Mary-Jane O’Neill", "Police checks came back clear."),
    ]


def test_rtf_escapes_become_characters():
    result = read("notes.rtf")
    assert result.format == "rtf"
    assert "Review meeting notes" in result.text
    assert "\\" not in result.text and "rtf1" not in result.text
    assert utterances(result) == [
        ("Chair", "The review is adjourned until the school report arrives."),
        ("Health Visitor", "I’ll chase the café notes — and the GP letter."),
    ]


def test_pdf_pages_joined_by_blank_line():
    result = read("notes.pdf")
    assert result.format == "pdf"
    assert "Professionals meeting notes (pseudonymised)" in result.text
    assert "both sessions.\n\nChair: We will meet" in result.text
    assert utterances(result) == [
        ("Chair", "Thank you all for coming."),
        ("Family Support Worker", "The family attended both sessions."),
        ("Chair", "We will meet again in a month."),
    ]


def test_teams_vtt_voice_tags_and_merging():
    result = read("teams.vtt")
    assert result.format == "vtt"
    assert result.text == (
        "Priya Shah: Good morning, everyone. Let's start with the school's update.\n\n"
        "Tomás Ryan: Attendance is up to 85% this half term.\n\n"
        "[inaudible]\n\n"
        "Priya Shah: Thanks, Tomás. That's really encouraging.")
    assert utterances(result) == [
        ("Priya Shah", "Good morning, everyone. Let's start with the school's update."),
        ("Tomás Ryan", "Attendance is up to 85% this half term."),
        ("Priya Shah", "Thanks, Tomás. That's really encouraging."),
    ]
    times = [(t.time_start_ms, t.time_end_ms) for t in result.turns]
    assert times == [(1000, 9000), (9500, 14250), (16500, 20000)]


def test_zoom_vtt_name_prefixes():
    result = read("zoom.vtt")
    assert result.format == "vtt"
    assert utterances(result) == [
        ("Priya Shah", "Can everyone hear me?"),
        ("Siobhán Kelly", "Yes, loud and clear. I've sent the chronology by secure email."),
    ]
    times = [(t.time_start_ms, t.time_end_ms) for t in result.turns]
    assert times == [(2100, 5000), (5200, 12000)]


def test_srt():
    result = read("meeting.srt")
    assert result.format == "srt"
    assert result.text.endswith("\n\nThank you.")  # unattributed cue, no turn
    assert utterances(result) == [
        ("Chair", "Welcome to the core group."),
        ("Social Worker", "The plan was shared with the family on Friday."),
    ]
    times = [(t.time_start_ms, t.time_end_ms) for t in result.turns]
    assert times == [(1000, 3000), (3500, 6000)]


def test_extension_is_case_insensitive_and_path_is_ignored():
    data = (FIXTURES / "zoom.vtt").read_bytes()
    assert read_document(r"C:\Users\r2\Meeting.VTT", data).format == "vtt"


def test_utf16_with_bom_is_read():
    result = read_document("notes.txt", "Chair: Hello\r\nYP: Hi".encode("utf-16"))
    assert result.text == "Chair: Hello\nYP: Hi" and result.warnings == []


def test_pdf_locked_only_against_editing_is_read():
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "notes.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert len(read_document("locked.pdf", out.getvalue()).turns) == 3


# ------------------------------------------------------------------ bad files

@pytest.mark.parametrize(("name", "words"), [
    ("empty.txt", "the file is empty"),
    ("binary.txt", "looks binary"),
    ("undecodable.txt", "not UTF-8 or Windows-1252"),
    ("corrupt.docx", "not a valid DOCX"),
    ("bomb.docx", "zip bomb"),
    ("scan.pdf", "no text layer"),
    ("notes.xyz", "not supported"),
    ("broken.vtt", "not a valid WebVTT"),
])
def test_bad_fixtures_are_refused(name, words):
    message = refusal(name)
    assert words in message
    assert name not in message  # the caller adds the file name


def test_unknown_extension_lists_supported_ones():
    message = refusal("notes.xyz")
    assert all(ext in message for ext in SUPPORTED_EXTENSIONS)
    assert "no extension" in refusal("README", b"Chair: hi")


def test_scan_pdf_suggests_ocr():
    assert refusal("scan.pdf") == "the PDF has no text layer (is it a scan? run OCR first)"


def test_bomb_over_total_cap():
    message = refusal("bomb.docx", max_bytes=1024 * 1024)  # cap is then 200 MB
    assert "expands to 300 MB" in message and "zip bomb" in message


def test_bomb_fixture_is_small():
    assert (FIXTURES / "bomb.docx").stat().st_size < 1024 * 1024


def _info(size: int, compressed: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("word/document.xml")
    info.file_size, info.compress_size = size, compressed
    return info


def test_zip_guard_limits():
    mb = 1024 * 1024
    check_zip_members([_info(9 * mb, 1024)], 20 * mb)  # high ratio but small: fine
    check_zip_members([_info(300 * mb, 30 * mb)], 20 * mb)  # under 400 MB cap
    with pytest.raises(IngestError, match="zip bomb"):
        check_zip_members([_info(11 * mb, 100 * 1024)], 20 * mb)  # ratio 112
    with pytest.raises(IngestError, match="expands to"):
        check_zip_members([_info(150 * mb, 50 * mb)] * 3, 20 * mb)  # 450 > 400 MB


def test_odt_corrupt_and_wrong_package():
    assert "not a valid ODT" in refusal("x.odt", b"PK\x03\x04 nonsense")
    docx_bytes = (FIXTURES / "notes.docx").read_bytes()
    assert "not a valid ODT" in refusal("x.odt", docx_bytes)
    odt_bytes = (FIXTURES / "notes.odt").read_bytes()
    assert "not a valid DOCX" in refusal("x.docx", odt_bytes)


def test_zip_with_broken_document_xml():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not xml")
        zf.writestr("word/document.xml", "<w:document")
    assert "not a valid DOCX" in refusal("x.docx", out.getvalue())


def test_password_protected_pdf():
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "notes.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "password-protected" in refusal("locked.pdf", out.getvalue())


@pytest.mark.parametrize("data", [b"%PDF-1.4 garbage", b"hello",
                                  (FIXTURES / "notes.pdf").read_bytes()[:400]])
def test_corrupt_pdf(data):
    assert "could not be read" in refusal("x.pdf", data)


def test_rtf_without_header():
    assert "not a valid RTF" in refusal("x.rtf", b"just some text")


def test_srt_and_vtt_problems():
    assert "not a valid SRT" in refusal("x.srt", b"Minutes\nChair: hello\n")
    assert "no captions" in refusal("x.vtt", b"WEBVTT\n\n00:00:xx.000 --> 1\nHi\n")
    assert "looks binary" in refusal("x.vtt", b"WEBVTT\n\x00\x00")


def test_whitespace_only_file():
    assert "no text could be extracted" in refusal("blank.txt", b" \r\n\t\r\n")
    assert "no text could be extracted" in refusal("bom.txt", b"\xef\xbb\xbf")


def test_many_control_characters_look_binary():
    assert "looks binary" in refusal("x.txt", b"abc\x01\x02\x03" * 10)
    assert read_document("x.txt", b"page one\fpage two\tok").text == "page one\npage two\tok"


def test_size_limit():
    data = (FIXTURES / "interview.txt").read_bytes()
    assert refusal("interview.txt", data, max_bytes=100) == (
        f"the file is {len(data)} bytes, over the 100 bytes limit")
    assert read_document("interview.txt", data, max_bytes=len(data)).turns
    big = b"a" * (20 * 1024 * 1024 + 1)
    assert refusal("big.txt", big) == "the file is 20.01 MB, over the 20 MB limit"
    assert refusal("big.txt", b"a" * 3000, max_bytes=2048) == (
        "the file is 2.93 KB, over the 2 KB limit")


def test_library_errors_never_escape(monkeypatch):
    import app.documents.formats as formats

    def explode(*args, **kwargs):
        raise KeyError("word/styles.xml")
    monkeypatch.setattr(formats.docx, "Document", explode)
    assert "not a valid DOCX" in refusal("notes.docx")


# ------------------------------------------------------------------ normalise_text

@pytest.mark.parametrize(("raw", "expected"), [
    ("a\r\nb\rc\n", "a\nb\nc"),
    ("\ufeff\ufeffhello", "hello"),
    ("Jose\u0301 and Zoe\u0308", "José and Zoë"),
    ("ok 🙂 👩🏽‍⚕️", "ok 🙂 👩🏽‍⚕️"),
    ("line   \nnext\t\n", "line\nnext"),
    ("a\n\n\n\n\nb", "a\n\nb"),
    ("a\n\nb", "a\n\nb"),
    ("\n\n  \n  indented\n\n\n", "  indented"),
    ("a\u2028b\x0bc", "a\nb\nc"),
    ("   \n\t\n", ""),
])
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected
    assert normalise_text(expected) == expected


# ------------------------------------------------------------------ parse_speaker_turns

def test_turns_end_at_blank_line_or_next_label():
    text = "Chair: one\ncontinued\n\nnot part of it\nYP: two\nSW: three\n\nafter"
    turns = parse_speaker_turns(text)
    assert [(t.speaker, text[t.start:t.end]) for t in turns] == [
        ("Chair", "one\ncontinued"), ("YP", "two"), ("SW", "three")]


def test_label_with_utterance_on_next_line():
    text = "Chair:\nWelcome back.\nYP: Hi."
    assert [text[t.start:t.end] for t in parse_speaker_turns(text)] == [
        "Welcome back.", "Hi."]


def test_empty_turn_is_skipped():
    text = "Chair:\n\nYP: Hi.\nSW: Hello."
    assert [t.speaker for t in parse_speaker_turns(text)] == ["YP", "SW"]


@pytest.mark.parametrize(("line", "speaker", "ms"), [
    ("[00:01:23] Chair: go", "Chair", 83_000),
    ("00:01:23 Chair: go", "Chair", 83_000),
    ("Chair (00:01:23): go", "Chair", 83_000),
    ("[1:02:03.5] Chair: go", "Chair", 3_723_500),
    ("Dr Zoë Smith: go", "Dr Zoë Smith", None),
    ("Social Worker 2: go", "Social Worker 2", None),
    ("Dr. Ahmed: go", "Dr. Ahmed", None),
    ("Ó Briain: go", "Ó Briain", None),
    ("Siobhán O'Neill-Kelly: go", "Siobhán O'Neill-Kelly", None),
    ("YP: go", "YP", None),
])
def test_speaker_labels(line, speaker, ms):
    text = f"{line}\nOther: fine"
    first = parse_speaker_turns(text)[0]
    assert (first.speaker, first.time_start_ms, text[first.start:first.end]) == (
        speaker, ms, "go")


@pytest.mark.parametrize("line", [
    "Note: go", "NOTES: go", "Date: 3 May", "Present: all", "Attendees: go",
    "Apologies: go", "Re: go", "Nb: go", "Action: go", "Researcher: go",
    "chair: lower case", "A Very Long Speaker Label That Runs On: go",
    "One Two Three Four Five Six: go", "Break 10:30 start", "Ratio 3:1 here",
    "http://example.org: go", "Chair:go", "- Chair: go", "Chair_1: go",
])
def test_not_speaker_labels(line):
    text = f"{line}\nChair: one\nYP: two"
    assert [t.speaker for t in parse_speaker_turns(text)] == ["Chair", "YP"]


def test_header_lines_alone_give_no_turns():
    text = "Note: this is a draft.\nNotes: see below.\nDate: 3 May\n\nThe chair arrived late."
    assert parse_speaker_turns(text) == []


def test_single_label_is_not_a_transcript():
    text = "Present: chair, SW, school nurse\n\nChair: welcomed everyone.\n\nLater notes."
    assert parse_speaker_turns(text) == []
    assert parse_speaker_turns("") == []


def test_parsed_turn_defaults():
    assert ParsedTurn(0, 1, "Chair") == ParsedTurn(0, 1, "Chair", None, None)


def test_unexpected_library_error_becomes_ingest_error(monkeypatch):
    import app.documents.formats_captions as captions

    def explode(*args, **kwargs):
        raise RuntimeError("parser bug")
    monkeypatch.setattr(captions.webvtt, "from_string", explode)
    message = refusal("teams.vtt")
    assert "could not be read as VTT" in message and "parser bug" not in message


def test_legacy_or_encrypted_word_file():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert "password" in refusal("old.docx", ole) and ".doc" in refusal("old.docx", ole)


def test_rtf_with_undecodable_escape_warns():
    result = read_document("x.rtf", rb"{\rtf1\ansi\ansicpg1252 Chair: caf\'81 ok\par YP: yes\par}")
    assert "caf\ufffd ok" in result.text and "replaced" in result.warnings[0]
