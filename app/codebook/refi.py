"""REFI-QDA codebook exchange: `.qdc` files (QDA-XML codebook 1.0), written and read.

Export writes a file valid against Codebook.xsd: `Code` elements nested by `parent`,
categories `isCodable="false"`, `#RRGGBB` colours, and our text fields packed into the one
`Description` REFI allows, ending with a `Key:` line so our own files come back losslessly.
The codebook header (key, name, version, description, source) has no place in the schema;
it travels in a `<?fieldbench {json}?>` processing instruction, which validators and other
tools ignore. Patterns (suggestion rules) stay in YAML.

Import is tolerant of what real tools write (see shared/refi-qda/NOTES.md §6): any or no
namespace, a BOM, `#RGB`/`rgb()` colours, braced or upper-case GUIDs, empty `<Sets/>`. It
refuses malformed XML, DOCTYPE entities and non-codebooks, and returns notes on what it
could not bring over.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from lxml import etree

from app.codebook.spec import COLOUR, KEY, CodebookError, CodebookSpec, CodeSpec, check

NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("28653402-a0af-4238-86ab-83c4bdda157e")  # Fieldbench's; never change
GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|"
                  r"\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}")
PI_TARGET = "fieldbench"
HEADER_FIELDS = ("key", "name", "version", "description", "source")
LABELS = {"when_to_use": "When to use: ", "when_not_to_use": "When not to use: ",
          "example": "Example: ", "citation": "Source: "}
KEY_LINE = re.compile(r"(?:\A|\n\n)Key: (\S*)\Z")
NOT_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def code_guid(project_guid_seed: str, key: str) -> str:
    """A GUID that stays the same for the same seed and code key (uuid5, lower case)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{project_guid_seed}:{key}"))


# ---------------------------------------------------------------- export

def export_qdc(spec: CodebookSpec, *, origin: str = "Fieldbench 0.1") -> bytes:
    """The codebook as a UTF-8 `.qdc` document, valid against Codebook.xsd."""
    _check_exportable(spec)
    children: dict[str | None, list[CodeSpec]] = {None: []}
    for code in spec.codes:
        children.setdefault(code.parent or None, []).append(code)
    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS})
    root.set("origin", _xml(origin))
    codes = etree.SubElement(root, f"{{{NS}}}Codes")
    written = sum(_code_element(codes, code, children, spec.key) for code in children[None])
    if written < len(spec.codes):
        raise CodebookError([f"{spec.key}: some codes are their own ancestors (a cycle)"])
    root.addprevious(_header_pi(spec))
    body = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=False,
                          pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _check_exportable(spec: CodebookSpec) -> None:
    """What the schema and the nesting need (not the full `check`: definitions may be empty)."""
    keys = Counter(code.key for code in spec.codes)
    problems = [f"code '{k}': the key is used {n} times" for k, n in keys.items() if n > 1]
    problems += [f"code '{c.key}': unknown parent '{c.parent}'" for c in spec.codes
                 if c.parent and c.parent not in keys]
    problems += [f"code '{c.key}': colour '{c.colour}' is not #RRGGBB" for c in spec.codes
                 if c.colour and not COLOUR.match(c.colour)]
    problems += [f"code '{c.key}': GUID '{c.guid}' is not a GUID" for c in spec.codes
                 if c.guid and not GUID.fullmatch(c.guid)]
    if not spec.codes:
        problems.append("the codebook has no codes; a REFI-QDA codebook needs at least one")
    if problems:
        raise CodebookError([f"{spec.key}: {p}" for p in problems])


def _code_element(parent: etree._Element, code: CodeSpec, children: dict, seed: str) -> int:
    """Write a code and its descendants; return how many codes were written."""
    element = etree.SubElement(parent, f"{{{NS}}}Code")
    element.set("guid", code.guid or code_guid(seed, code.key))
    element.set("name", _xml(code.name))
    element.set("isCodable", "false" if code.is_category else "true")
    if code.colour:
        element.set("color", code.colour)
    etree.SubElement(element, f"{{{NS}}}Description").text = _xml(pack_description(code))
    return 1 + sum(_code_element(element, child, children, seed)
                   for child in children.get(code.key, []))


def pack_description(code: CodeSpec) -> str:
    """Our fields as one readable text; never empty (the `Key:` line is always there)."""
    parts = [code.definition.strip(), code.full_definition.strip()]
    parts += [label + getattr(code, name).strip() for name, label in LABELS.items()
              if getattr(code, name).strip()]
    return "\n\n".join([part for part in parts if part] + [f"Key: {code.key}"])


def _header_pi(spec: CodebookSpec) -> etree._ProcessingInstruction:
    header = {name: _xml(getattr(spec, name)) for name in HEADER_FIELDS if getattr(spec, name)}
    # ASCII JSON with '>' escaped can never contain '?>', which would end the instruction.
    text = json.dumps(header, ensure_ascii=True).replace(">", "\\u003e")
    return etree.ProcessingInstruction(PI_TARGET, text)


def _xml(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry."""
    return NOT_XML_CHARS.sub("", text or "")


# ---------------------------------------------------------------- import

@dataclass
class _Node:
    name: str
    guid: str
    colour: str
    codable: bool
    parent: int | None
    description: str = ""


def import_qdc(data: bytes, *, filename: str = "codebook.qdc"
               ) -> tuple[CodebookSpec, list[str]]:
    """A `.qdc` file as a checked CodebookSpec, plus notes on what could not be brought over."""
    notes: list[str] = []
    root = _parse(data, filename)
    _check_root(root, filename, notes)
    nodes = _read_nodes(root, filename, notes)
    spec = _header(root, filename, notes)
    spec.codes = _specs(nodes, spec.key, notes)
    problems = check(spec, filename)
    if problems:  # not expected: the conversion above repairs what check() looks at
        raise CodebookError(problems)
    return spec, notes


def _parse(data: bytes, filename: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        if b"<!ENTITY" in data:
            raise CodebookError([f"{filename}: refused: the file declares XML entities in "
                                 f"a DOCTYPE ({err.msg})"]) from None
        raise CodebookError([f"{filename}:{err.lineno}: not well-formed XML "
                             f"({err.msg})"]) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise CodebookError([f"{filename}: refused: the file declares XML entities in a "
                             "DOCTYPE; a codebook needs none"])
    return root


def _local(element) -> str:
    """Lower-case local name of an element ('' for comments and processing instructions)."""
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def _check_root(root: etree._Element, filename: str, notes: list[str]) -> None:
    """Refuse a non-codebook; sniff the namespace version (root, else first child)."""
    local = etree.QName(root).localname
    if local.lower() != "codebook":
        hint = (" This is a REFI-QDA project; export a codebook (.qdc) from your QDA "
                "software instead.") if local == "Project" else ""
        raise CodebookError([f"{filename}: not a REFI-QDA codebook: the root element is "
                             f"<{local}>, not <CodeBook>.{hint}"])
    namespace = etree.QName(root).namespace
    if namespace is None:
        namespace = next((etree.QName(c).namespace for c in root if _local(c)), None)
    if namespace != NS:
        notes.append(f"The file uses namespace '{namespace or '(none)'}' instead of '{NS}'; "
                     "it was read as REFI-QDA codebook 1.0.")


def _read_nodes(root: etree._Element, filename: str, notes: list[str]) -> list[_Node]:
    nodes: list[_Node] = []
    unknown: Counter[str] = Counter()
    sets: list[str] = []
    for child in root:
        local = _local(child)
        if local == "codes":
            for code in child:
                _walk(code, None, nodes, unknown)
        elif local == "sets":
            sets += [s.get("name") or "(unnamed)" for s in child if _local(s) == "set"]
        elif local:
            unknown[etree.QName(child).localname] += 1
    if not nodes:
        raise CodebookError([f"{filename}: the codebook has no codes (none under <Codes>)"])
    if sets:
        notes.append(f"Sets are not imported: {len(sets)} set(s) left out "
                     f"({', '.join(sets)}); Fieldbench has no code sets.")
    if unknown:
        notes.append("Unknown elements ignored: " + ", ".join(
            f"<{name}> ({count})" for name, count in sorted(unknown.items())) + ".")
    return nodes


def _walk(element, parent: int | None, nodes: list[_Node], unknown: Counter) -> None:
    local = _local(element)
    if local != "code":
        if local:
            unknown[etree.QName(element).localname] += 1
        return
    node = _Node(name=(element.get("name") or "").strip(), guid=element.get("guid") or "",
                 colour=element.get("color") or "", parent=parent,
                 codable=(element.get("isCodable") or "").strip().lower() not in ("false", "0"))
    nodes.append(node)
    index = len(nodes) - 1
    for child in element:
        if _local(child) == "description":
            node.description = "".join(child.itertext())
        else:
            _walk(child, index, nodes, unknown)


def _header(root: etree._Element, filename: str, notes: list[str]) -> CodebookSpec:
    """Our header from the `fieldbench` instruction, else key and name from the file name."""
    stem = PurePath(filename).stem or "codebook"
    spec = CodebookSpec(key=_slug(stem).lower(), name=stem)
    pis = [pi for pi in root.itersiblings(etree.ProcessingInstruction, preceding=True)
           if pi.target == PI_TARGET]
    try:
        header = json.loads(pis[0].text or "") if pis else {}
    except ValueError:
        header = None
    if not isinstance(header, dict):
        notes.append("The Fieldbench header in the file is damaged; it was ignored.")
        return spec
    for name in HEADER_FIELDS:
        if isinstance(header.get(name), str) and header[name].strip():
            setattr(spec, name, header[name].strip())
    return spec


# ---------------------------------------------------------------- import: to CodeSpecs

def _specs(nodes: list[_Node], seed: str, notes: list[str]) -> list[CodeSpec]:
    unnamed = [node for node in nodes if not node.name]
    for node in unnamed:
        node.name = "Unnamed code"
    unpacked = [unpack_description(node.description) for node in nodes]
    keys = _keys(nodes, [key for _, key in unpacked], notes)
    guids, colours = _guids(nodes, keys, seed, notes), _colours(nodes, notes)
    bare = [node for node, (fields, _) in zip(nodes, unpacked) if not fields["definition"]]
    if unnamed:
        notes.append(f"{_count(len(unnamed))} had no name; now called 'Unnamed code'.")
    if bare:
        notes.append(f"{_count(len(bare))} had no description; "
                     f"{'its' if len(bare) == 1 else 'their'} name stands in as definition.")
    return [CodeSpec(key=keys[i], name=node.name, is_category=not node.codable,
                     parent=None if node.parent is None else keys[node.parent],
                     colour=colours[i], guid=guids[i],
                     **(fields | {"definition": fields["definition"] or node.name}))
            for i, (node, (fields, _)) in enumerate(zip(nodes, unpacked))]


def _count(n: int) -> str:
    return f"{n} code" if n == 1 else f"{n} codes"


def unpack_description(text: str) -> tuple[dict[str, str], str | None]:
    """(fields, key) from a Description: our labelled sections if it ends with a `Key:`
    line, else its first paragraph as definition and all of it as full definition."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    match = KEY_LINE.search(text)
    if not match:
        first = re.split(r"\n\s*\n", text, maxsplit=1)[0].strip()
        return {"definition": first, "full_definition": text if text != first else ""}, None
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for para in text[:match.start()].split("\n\n") if match.start() else []:
        label = next((name for name, lab in LABELS.items()
                      if para.startswith(lab) and name not in sections), None)
        if label:
            current, para = label, para[len(LABELS[label]):]
        sections.setdefault(current, []).append(para)
    plain = sections.pop("")
    fields = {name: "\n\n".join(paras).strip() for name, paras in sections.items()}
    fields["definition"] = plain[0].strip() if plain else ""
    fields["full_definition"] = "\n\n".join(plain[1:]).strip()
    return fields, match.group(1)


def _keys(nodes: list[_Node], given: list[str | None], notes: list[str]) -> list[str]:
    """Keys from `Key:` lines where valid and unique, else slugs of the names."""
    keys: list[str | None] = [None] * len(nodes)
    taken: set[str] = set()
    for i, key in enumerate(given):
        if key and KEY.match(key.upper()) and key.upper() not in taken:
            keys[i] = key.upper()
            taken.add(keys[i])
        elif key:
            notes.append(f"Code '{nodes[i].name}': key '{key}' is not usable (invalid or "
                         "used twice); a new key was made from its name.")
    for i, node in enumerate(nodes):
        if keys[i] is None:
            keys[i] = _unique(_slug(node.name), taken)
            taken.add(keys[i])
    return keys


def _slug(name: str) -> str:
    """'Zoë's code' -> 'ZOES-CODE': ASCII, upper case, '-' between words, ≤ 56 characters."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()
    return text[:56].rstrip("-") or "CODE"


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _guids(nodes: list[_Node], keys: list[str], seed: str, notes: list[str]) -> list[str]:
    """GUIDs as canonical lower-case UUIDs; missing, invalid or repeated ones replaced."""
    out, seen, made = [], set(), 0
    for node, key in zip(nodes, keys):
        guid = node.guid.strip()
        guid = str(uuid.UUID(guid.strip("{}"))) if GUID.fullmatch(guid) else ""
        if not guid or guid in seen:
            guid, made = code_guid(seed, key), made + 1
        seen.add(guid)
        out.append(guid)
    if made:
        notes.append(f"{_count(made)} had a missing, invalid or repeated GUID; new stable "
                     "GUIDs were made.")
    return out


def _colours(nodes: list[_Node], notes: list[str]) -> list[str]:
    out, dropped = [], []
    for node in nodes:
        colour = normalise_colour(node.colour)
        if colour is None:
            dropped.append(f"'{node.name}' ({node.colour.strip()})")
        out.append(colour or "")
    if dropped:
        notes.append("Colours that could not be read were left out: " + ", ".join(dropped))
    return out


def normalise_colour(value: str) -> str | None:
    """'#RRGGBB' from #RRGGBB, RRGGBB, #RGB, #RRGGBBAA or rgb()/rgba(); '' if empty;
    None if unreadable. Hex digits keep their case."""
    value = value.strip()
    if not value:
        return ""
    if match := re.fullmatch(r"#?([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?", value):
        return "#" + match.group(1)
    if match := re.fullmatch(r"#?([0-9A-Fa-f]{3})", value):
        return "#" + "".join(ch * 2 for ch in match.group(1))
    match = re.fullmatch(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*"
                         r"(?:,\s*[\d.]+%?\s*)?\)", value, re.IGNORECASE)
    if match and all(int(part) <= 255 for part in match.groups()):
        return "#" + "".join(f"{int(part):02x}" for part in match.groups())
    return None
