"""The codebook inside a project.qde, handed to app.codebook.refi.import_qdc as a `.qdc`.

A project `Code` has `NoteRef`s, which a codebook `Code` has not: they are kept aside (code
GUID -> note GUIDs) for the memos. Our own export's `<?fieldbench ...?>` header travels
with the codes, so a round trip keeps the codebook's key, name and version.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from app.codebook import refi
from app.codebook.spec import CodebookSpec
from app.exchange import qde_read
from app.exchange.report import ImportReport


def qdc_of(element) -> tuple[bytes, dict[str, list[str]]] | None:
    """(`.qdc` bytes, code GUID -> note GUIDs), or None when there are no codes."""
    codes = qde_read.child(element, "Codes") if element is not None else None
    if codes is None or not qde_read.children(codes, "Code"):
        return None
    notes: dict[str, list[str]] = defaultdict(list)
    root = etree.Element(f"{{{refi.NS}}}CodeBook", nsmap={None: refi.NS})
    target = etree.SubElement(root, f"{{{refi.NS}}}Codes")
    for code in qde_read.children(codes, "Code"):
        _copy(code, target, notes)
    header = next((pi for pi in element.iter(etree.ProcessingInstruction)
                   if pi.target == refi.PI_TARGET), None)
    if header is not None:
        root.addprevious(etree.ProcessingInstruction(header.target, header.text))
    return etree.tostring(root.getroottree(), encoding="UTF-8"), notes


def _copy(code, parent, notes: dict[str, list[str]]) -> None:
    out = etree.SubElement(parent, f"{{{refi.NS}}}Code", dict(code.attrib))
    for inner in code:
        name = qde_read.local(inner)
        if name == "Description":
            etree.SubElement(out, f"{{{refi.NS}}}Description").text = qde_read.text_of(inner)
        elif name == "NoteRef":
            notes[qde_read.guid(code.get("guid"))].append(qde_read.guid(inner.get("targetGUID")))
        elif name == "Code":
            _copy(inner, out, notes)


def codable_if_coded(spec: CodebookSpec, qde: qde_read.Project, report: ImportReport) -> None:
    """A code the file marks non-codable but codes with anyway becomes codable."""
    used = {c.code for s in qde.sources for sel in s.selections for c in sel.codings}
    used |= {c.code for s in qde.sources for c in s.codings}
    for code in spec.codes:
        if code.is_category and (code.guid or "").lower() in used:
            code.is_category = False
            report.note(f"Code '{code.name}' is not codable in the file but has codings; "
                        "it is a codable code here.")
