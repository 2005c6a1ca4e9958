"""Text extraction for each supported file format.

Each ``extract_*`` function takes the raw bytes and returns the extracted
(not yet normalised) text plus any warnings, or raises IngestError with a
reason a researcher can act on. Parsing is left to the libraries; this
module only adds the checks they do not make (encodings, binary content,
zip bombs, scanned PDFs).
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from odf.element import Node
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odf
from odf.teletype import extractText
from pypdf import PdfReader
from striprtf.striprtf import rtf_to_text

MB = 1024 * 1024


class IngestError(ValueError):
    """A file that cannot be ingested.

    ``str(err)`` is a reason a researcher understands, without the file
    name (the caller adds it), e.g. "the file is empty".
    """


Extracted = tuple[str, list[str]]  # (text, warnings)

CP1252_WARNING = "decoded as Windows-1252, not UTF-8: check accented characters"
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\f")
MAX_CONTROL_RATIO = 0.05


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or more than 5% C0 control bytes (bar \\t\\n\\r\\f)."""
    if b"\x00" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls > MAX_CONTROL_RATIO * len(data)


def decode_text(data: bytes) -> Extracted:
    """Decode a plain-text upload: UTF-8 (BOM optional), UTF-16 with a BOM,
    else Windows-1252 with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:  # Notepad's "Unicode": full of NULs, so test before looks_binary
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise IngestError(
            "the file looks binary, not text (is it a different format "
            "renamed to a text extension?)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), [CP1252_WARNING]
    except UnicodeDecodeError:
        raise IngestError(
            "the text is not UTF-8 or Windows-1252: save it as UTF-8 and "
            "upload it again") from None


# ---------------------------------------------------------------- zip files

MIN_UNZIPPED_CAP = 200 * MB
BOMB_RATIO = 100
BOMB_MEMBER_MIN = 10 * MB


def check_zip_members(infos: list[zipfile.ZipInfo], max_bytes: int) -> None:
    """Refuse archives that would expand to far more than they weigh.

    Uses the sizes declared in the zip directory; zipfile never inflates a
    member past its declared size, so these bound what the libraries read.
    """
    cap = max(20 * max_bytes, MIN_UNZIPPED_CAP)
    total = sum(info.file_size for info in infos)
    if total > cap:
        raise IngestError(
            f"the file expands to {total / MB:,.0f} MB when unzipped, over "
            f"the {cap / MB:,.0f} MB limit: it looks like a zip bomb")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > BOMB_RATIO and info.file_size > BOMB_MEMBER_MIN:
            raise IngestError(
                f"the file contains a part compressed {ratio:,.0f} times: "
                "it looks like a zip bomb")


def open_package(data: bytes, max_bytes: int, required: str,
                 kind: str) -> None:
    """Check an office package (zip) before a library opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise IngestError(f"the file is not a valid {kind}") from None
    check_zip_members(infos, max_bytes)
    if required not in {info.filename for info in infos}:
        raise IngestError(f"the file is not a valid {kind}")


# ---------------------------------------------------------------- DOCX

DOCX_KIND = "DOCX (corrupt or not a Word document)"


def _docx_blocks(container) -> list[str]:
    """Paragraph texts of a python-docx container in document order,
    descending into tables (a merged cell is read once)."""
    texts: list[str] = []
    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            texts.append(block.text)
            continue
        seen = set()  # the <w:tc> elements; holding them keeps identity stable
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    texts.extend(_docx_blocks(cell))
    return texts


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc; encrypted .docx


def extract_docx(data: bytes, max_bytes: int) -> Extracted:
    if data.startswith(OLE_MAGIC):
        raise IngestError(
            "the file is an old-style Word document (.doc) or is password-"
            "protected: save it as .docx without a password and upload that")
    open_package(data, max_bytes, "word/document.xml", DOCX_KIND)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(f"the file is not a valid {DOCX_KIND}") from exc
    return "\n\n".join(_docx_blocks(document)), []


# ---------------------------------------------------------------- ODT

ODT_KIND = "ODT (corrupt or not an OpenDocument text)"


def _odt_paragraphs(node) -> list[str]:
    """Texts of text:p / text:h elements under ``node``, in document order."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.nodeType != Node.ELEMENT_NODE:
            continue
        if current.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
            found.append(extractText(current))
        else:
            stack.extend(reversed(current.childNodes))
    return found


def extract_odt(data: bytes, max_bytes: int) -> Extracted:
    open_package(data, max_bytes, "content.xml", ODT_KIND)
    try:
        document = load_odf(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(f"the file is not a valid {ODT_KIND}") from exc
    return "\n\n".join(_odt_paragraphs(document.text)), []


# ---------------------------------------------------------------- RTF

def extract_rtf(data: bytes, max_bytes: int) -> Extracted:
    """RTF source is ASCII with escapes (\\'e9, \\u233) that striprtf
    decodes with the file's code page; how the bytes are read (Windows-1252,
    Latin-1 as a fallback) only matters for stray 8-bit bytes."""
    try:
        source = data.decode("cp1252")
    except UnicodeDecodeError:
        source = data.decode("latin-1")
    if not source.lstrip("\ufeff \t\r\n").startswith("{\\rtf"):
        raise IngestError("the file is not a valid RTF document")
    try:
        return rtf_to_text(source), []
    except UnicodeDecodeError:
        return rtf_to_text(source, errors="replace"), [
            "some characters could not be decoded and were replaced by \ufffd"]


# ---------------------------------------------------------------- PDF

NO_TEXT_LAYER = "the PDF has no text layer (is it a scan? run OCR first)"
CORRUPT_PDF = "the PDF could not be read (corrupt or not a PDF)"


def _open_pdf(data: bytes):
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(CORRUPT_PDF) from exc
    if reader.is_encrypted:
        _decrypt(reader)
    return reader


def _decrypt(reader) -> None:
    """PDFs locked only against editing open with an empty user password;
    anything else needs the researcher to unlock it."""
    try:
        if reader.decrypt(""):
            return
    except Exception:  # unsupported cipher (e.g. AES without cryptography)
        pass
    raise IngestError("the PDF is password-protected or encrypted: save an "
                      "unprotected copy and upload that")


def extract_pdf(data: bytes, max_bytes: int) -> Extracted:
    reader = _open_pdf(data)
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise IngestError(CORRUPT_PDF) from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise IngestError(NO_TEXT_LAYER)
    return text, []
