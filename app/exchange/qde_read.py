"""Reading a `project.qde` into plain data, leniently (shared/refi-qda/NOTES.md §6).

Elements are matched by local name, so namespace drift (`...:project:0:4`, no namespace)
reads the same; GUIDs are compared lower-case without braces; users and dates may be
missing anywhere. What the file holds that Fieldbench cannot use is counted in `ignored`.
The parse itself is strict about safety: any DOCTYPE is refused (so no entities can be
declared, expanded or fetched), and malformed XML is refused with its line and column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from app.errors import Invalid

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def guid(value: str | None) -> str:
    """A GUID as we compare them: lower case, no braces ('' for none)."""
    return (value or "").strip().strip("{}").strip().lower()


def read_qde(data: bytes, filename: str) -> Project:
    """The project in a `project.qde`, read as a stream: each source becomes plain data as
    soon as its element has been parsed, and the element is freed, so a large project is
    never one tree in memory (57 MB of XML made a 480 MB tree). Invalid for a DOCTYPE
    (refused outright), malformed XML (with its line and column) or another root."""
    if _DOCTYPE.search(data):
        raise Invalid(f"{filename}: refused: the file has a DOCTYPE or entity declaration; "
                      "REFI-QDA files need none, and they can be used to attack a reader")
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=False,
                             resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False)
    project, depth = None, 0
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    project = _project(element, filename)
                continue
            depth -= 1
            if depth == 2 and local(element.getparent()) == "Sources":
                _source(project, element)
                _free(element)
            elif depth == 1:
                _section(project, element)
                if local(element) != "CodeBook":      # kept: the codebook is read later
                    _free(element)
    except etree.XMLSyntaxError as err:
        line, column = err.position
        raise Invalid(f"{filename}:{line}:{column}: not well-formed XML ({err.msg})") from None
    return project


def _free(element) -> None:
    """Drop an element read to the end, and the siblings read before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def local(element) -> str:
    """The element's local name ('' for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element, *names: str) -> list:
    return [c for c in element if local(c) in names]


def child(element, name: str):
    return next((c for c in element if local(c) == name), None)


def text_of(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def when(value: str | None) -> dt.datetime | None:
    """An xsd:dateTime as an aware UTC datetime (naive ones taken as UTC); None if absent
    or unreadable."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None
            else moment.astimezone(dt.UTC))


@dataclass
class Coding:
    guid: str
    code: str
    user: str
    created: dt.datetime | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    user: str
    created: dt.datetime | None
    codings: list[Coding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A text source (or a PDF's text representation), or a media source we only name."""

    guid: str
    name: str
    kind: str  # "text", "pdf", "picture", "audio", "video", "note"
    plain_path: str = ""
    rich_path: str = ""
    content: str | None = None
    description: str = ""
    user: str = ""
    created: dt.datetime | None = None
    modified: dt.datetime | None = None
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # whole-source codings
    notes: list[str] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)  # variable guid -> value
    dropped_selections: int = 0  # PDF areas, picture regions ...


@dataclass
class Case:
    guid: str
    name: str
    description: str
    values: dict[str, object]
    sources: list[str]
    selections: int


@dataclass
class Link:
    guid: str
    origin: str
    target: str
    notes: list[str]


@dataclass
class Project:
    name: str
    origin: str
    description: str
    namespace: str
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, id)
    codebook: etree._Element | None = None
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, type)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: dict[str, Source] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)


def _project(root, filename: str) -> Project:
    """The project from its root element, as soon as it starts."""
    if root.getroottree().docinfo.doctype:   # e.g. a UTF-16 file the byte scan missed
        raise Invalid(f"{filename}: refused: the file has a DOCTYPE")
    if local(root).lower() != "project":
        raise Invalid(f"{filename}: not a REFI-QDA project: the root element is "
                      f"<{local(root) or root.tag}>, not <Project>")
    return Project(name=(root.get("name") or "").strip(), origin=root.get("origin") or "",
                   description="", namespace=etree.QName(root).namespace or "")


def _section(project: Project, element) -> None:
    """One child of the root, read to its end (each source was read at its own end)."""
    name = local(element)
    reader = _SECTIONS.get(name)
    if reader is not None:
        reader(project, element)
    elif name == "NoteRef":
        project.project_notes.append(guid(element.get("targetGUID")))
    elif name == "Description":
        project.description = project.description or text_of(element).strip()
    elif name and name != "Sources":
        project.ignored[name] += 1


def _users(project: Project, element) -> None:
    for user in children(element, "User"):
        project.users[guid(user.get("guid"))] = ((user.get("name") or "").strip(),
                                                 (user.get("id") or "").strip())


def _codebook(project: Project, element) -> None:
    project.codebook = element


def _variables(project: Project, element) -> None:
    for var in children(element, "Variable"):
        project.variables[guid(var.get("guid"))] = ((var.get("name") or "").strip(),
                                                    var.get("typeOfVariable") or "Text")


def _cases(project: Project, element) -> None:
    for case in children(element, "Case"):
        project.cases.append(Case(
            guid=guid(case.get("guid")), name=(case.get("name") or "").strip(),
            description=text_of(child(case, "Description")).strip(),
            values=_values(case),
            sources=[guid(r.get("targetGUID")) for r in children(case, "SourceRef")],
            selections=len(children(case, "SelectionRef"))))


def _values(element) -> dict[str, object]:
    """VariableValue children as variable guid -> Python value (bool, int, float, str)."""
    out: dict[str, object] = {}
    for value in children(element, "VariableValue"):
        ref, data = child(value, "VariableRef"), [c for c in value if local(c).endswith("Value")]
        if ref is None or not data:
            continue
        kind, raw = local(data[0]), text_of(data[0]).strip()
        try:
            if kind == "BooleanValue":
                parsed: object = raw.lower() in ("true", "1")
            elif kind == "IntegerValue":
                parsed = int(raw)
            elif kind == "FloatValue":
                parsed = float(raw)
            else:
                parsed = raw
        except ValueError:
            parsed = raw
        if parsed != "":
            out[guid(ref.get("targetGUID"))] = parsed
    return out


def _source(project: Project, source) -> None:
    kind = local(source)
    if kind == "TextSource":
        project.sources.append(_text_source(source, "text"))
    elif kind == "PDFSource":
        project.sources.append(_pdf_source(source))
    elif kind in ("PictureSource", "AudioSource", "VideoSource"):
        project.sources.append(_media_source(source, kind[:-6].lower()))
    elif kind:
        project.ignored[kind] += 1


def _common(element, kind: str) -> Source:
    return Source(guid=guid(element.get("guid")), name=(element.get("name") or "").strip(),
                  kind=kind, plain_path=element.get("plainTextPath") or "",
                  rich_path=element.get("richTextPath") or element.get("path") or "",
                  description=text_of(child(element, "Description")).strip(),
                  user=guid(element.get("creatingUser")),
                  created=when(element.get("creationDateTime")),
                  modified=when(element.get("modifiedDateTime")),
                  notes=[guid(r.get("targetGUID")) for r in children(element, "NoteRef")],
                  values=_values(element))


def _text_source(element, kind: str) -> Source:
    source = _common(element, kind)
    content = child(element, "PlainTextContent")
    source.content = text_of(content) if content is not None else None
    source.selections = [_selection(s) for s in children(element, "PlainTextSelection")]
    source.codings = [_coding(c) for c in children(element, "Coding")]
    return source


def _pdf_source(element) -> Source:
    """A PDF is brought over through its plain-text representation, if it has one."""
    representation = child(element, "Representation")
    source = _text_source(representation, "pdf") if representation is not None \
        else _common(element, "pdf")
    outer = _common(element, "pdf")
    source.guid, source.name = outer.guid, outer.name or source.name
    source.notes += outer.notes
    source.values = outer.values | source.values
    source.description = source.description or outer.description
    source.codings += [_coding(c) for c in children(element, "Coding")]
    source.dropped_selections = len(children(element, "PDFSelection"))
    return source


def _media_source(element, kind: str) -> Source:
    source = _common(element, kind)
    source.dropped_selections = sum(len(children(element, f"{k}Selection"))
                                    for k in ("Picture", "Audio", "Video"))
    return source


def _selection(element) -> Selection:
    try:
        start, end = int(element.get("startPosition")), int(element.get("endPosition"))
    except (TypeError, ValueError):
        start = end = -1
    return Selection(guid=guid(element.get("guid")), start=start, end=end,
                     name=element.get("name") or "",
                     description=text_of(child(element, "Description")).strip(),
                     user=guid(element.get("creatingUser")),
                     created=when(element.get("creationDateTime")),
                     codings=[_coding(c) for c in children(element, "Coding")],
                     notes=[guid(r.get("targetGUID")) for r in children(element, "NoteRef")])


def _coding(element) -> Coding:
    ref = child(element, "CodeRef")
    return Coding(guid=guid(element.get("guid")),
                  code=guid(ref.get("targetGUID")) if ref is not None else "",
                  user=guid(element.get("creatingUser")),
                  created=when(element.get("creationDateTime")),
                  notes=[guid(r.get("targetGUID")) for r in children(element, "NoteRef")])


def _notes(project: Project, element) -> None:
    for note in children(element, "Note"):
        source = _text_source(note, "note")
        project.notes[source.guid] = source


def _links(project: Project, element) -> None:
    for link in children(element, "Link"):
        project.links.append(Link(
            guid=guid(link.get("guid")), origin=guid(link.get("originGUID")),
            target=guid(link.get("targetGUID")),
            notes=[guid(r.get("targetGUID")) for r in children(link, "NoteRef")]))


def _count(name: str):
    def counter(project: Project, element) -> None:
        project.ignored[name] += max(len([c for c in element if local(c)]), 1)
    return counter


_SECTIONS = {"Users": _users, "CodeBook": _codebook, "Variables": _variables,
             "Cases": _cases, "Notes": _notes, "Links": _links,
             "Sets": _count("Set"), "Graphs": _count("Graph")}
