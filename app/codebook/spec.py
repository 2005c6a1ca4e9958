"""A codebook as plain data, independent of the database: read from YAML, checked, written.

The YAML shape (see codebooks/institutional-ethnography.yaml): a `codebook` header,
`families` (top-level groupings, exported as non-codable categories) and `codes`, each with
`family` and optional `parent`. Internally every node is a `CodeSpec` with a parent key:
families are categories at the root; a code's parent is its `parent`, else its family.
"""

from __future__ import annotations

import functools
import pickle
import re
from dataclasses import asdict, dataclass, field

import yaml

from app.errors import Invalid

# libyaml's C loader when PyYAML has it (it does in the wheels): 10x faster on a large codebook.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEY = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,63}$")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
TEXT_FIELDS = ("definition", "full_definition", "when_to_use", "when_not_to_use", "example",
               "citation")


@dataclass
class CodeSpec:
    key: str
    name: str
    parent: str | None = None
    is_category: bool = False
    definition: str = ""
    full_definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    example: str = ""
    colour: str = ""
    citation: str = ""
    guid: str | None = None
    patterns: list = field(default_factory=list)
    line: int | None = field(default=None, compare=False)

    def content(self) -> dict:
        """What a version diff compares (everything but the source line)."""
        data = asdict(self)
        data.pop("line")
        return data


@dataclass
class CodebookSpec:
    key: str
    name: str
    version: str = ""
    description: str = ""
    source: str = ""
    codes: list[CodeSpec] = field(default_factory=list)

    def by_key(self) -> dict[str, CodeSpec]:
        return {code.key: code for code in self.codes}

    def family_of(self, key: str) -> str:
        """The key of the root ancestor (the family) of a code."""
        index = self.by_key()
        while index[key].parent:
            key = index[key].parent
        return key


class CodebookError(Invalid):
    """A codebook file with problems; `problems` lists each as 'FILE:LINE: ...'."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _duplicate_fields(node: yaml.Node, where: str, problems: list[str]) -> None:
    """PyYAML keeps the last of two equal keys silently; report them instead."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                problems.append(f"{where}:{key_node.start_mark.line + 1}: "
                                f"'{key_node.value}' is given twice")
            seen.add(key_node.value)
            _duplicate_fields(value_node, where, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_fields(item, where, problems)


def _item_lines(root: yaml.Node, section: str) -> list[int]:
    for key_node, value_node in getattr(root, "value", []):
        if key_node.value == section and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


def _family(item: dict, line: int) -> CodeSpec:
    return CodeSpec(key=_text(item.get("key")), name=_text(item.get("name")), is_category=True,
                    definition=_text(item.get("description") or item.get("definition")),
                    colour=_text(item.get("colour")), citation=_text(item.get("citation")),
                    guid=item.get("guid"), line=line)


def _code(item: dict, line: int) -> CodeSpec:
    fields = {name: _text(item.get(name)) for name in TEXT_FIELDS}
    return CodeSpec(key=_text(item.get("key")), name=_text(item.get("name")),
                    parent=_text(item.get("parent") or item.get("family")) or None,
                    is_category=item.get("codable") is False, colour=_text(item.get("colour")),
                    guid=item.get("guid"), patterns=list(item.get("patterns") or []),
                    line=line, **fields)


def parse_yaml(text: str, filename: str = "codebook.yaml") -> CodebookSpec:
    """Read and check a codebook file; CodebookError lists every problem with its line.

    A text read before is not read again (the institutional-ethnography codebook takes half
    a second): its checked spec is kept pickled, so each caller gets a copy of its own."""
    return pickle.loads(_checked(text, filename))


@functools.lru_cache(maxsize=8)
def _checked(text: str, filename: str) -> bytes:
    return pickle.dumps(_parse_yaml(text, filename))


def _parse_yaml(text: str, filename: str) -> CodebookSpec:
    loader = LOADER(text)
    try:        # one parse: the nodes (for line numbers), then the data built from them
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError([f"{filename}{line}: not valid YAML ({getattr(err, 'problem', err)})"])
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookError([f"{filename}: a codebook file needs a 'codes' list"])
    problems: list[str] = []
    _duplicate_fields(root, filename, problems)
    header = data.get("codebook") or {}
    spec = CodebookSpec(key=_text(header.get("key")) or "codebook",
                        name=_text(header.get("name")) or "Codebook",
                        version=_text(header.get("version")),
                        description=_text(header.get("description")),
                        source=_text(header.get("source")))
    families = data.get("families") or []
    spec.codes += [_family(item, line) for item, line in
                   zip(families, _item_lines(root, "families")) if isinstance(item, dict)]
    spec.codes += [_code(item, line) for item, line in
                   zip(data["codes"], _item_lines(root, "codes")) if isinstance(item, dict)]
    problems += check(spec, filename, parents_in_family=_declared_parents(data))
    if problems:
        raise CodebookError(problems)
    return spec


def _declared_parents(data: dict) -> dict[str, tuple[str, str]]:
    """code key -> (family, parent) as written, to check that a parent is in the same family."""
    return {str(c.get("key")): (str(c.get("family") or ""), str(c.get("parent") or ""))
            for c in data["codes"] if isinstance(c, dict) and c.get("parent") and c.get("family")}


def check(spec: CodebookSpec, filename: str = "codebook",
          parents_in_family: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """Every problem of a codebook: keys, names, definitions, colours, parents, cycles, and
    suggestion patterns (app.nlp.patterns)."""
    problems: list[str] = []
    seen: dict[str, CodeSpec] = {}
    for code in spec.codes:
        where = f"{filename}:{code.line}" if code.line else filename
        problems += [f"{where}: {p}" for p in _check_code(code, seen)]
        seen.setdefault(code.key, code)
    for code in spec.codes:
        where = f"{filename}:{code.line}" if code.line else filename
        if code.parent and code.parent not in seen:
            problems.append(f"{where}: code '{code.key}' names an unknown parent or family "
                            f"'{code.parent}'")
    problems += _family_mismatches(spec, filename, parents_in_family or {}, seen)
    problems += _cycles(spec, filename, seen)
    from app.nlp.patterns import check_patterns  # light: no spaCy

    problems += check_patterns(spec.codes, filename)
    return problems


def _check_code(code: CodeSpec, seen: dict[str, CodeSpec]) -> list[str]:
    label = f"code '{code.key}'" if code.key else "a code"
    out = []
    if not KEY.match(code.key):
        out.append(f"{label}: the key must be upper-case letters, digits, '-' or '_'")
    elif code.key in seen:
        out.append(f"{label}: duplicate key (first at line {seen[code.key].line})")
    if not code.name:
        out.append(f"{label}: missing name")
    if not code.definition:
        out.append(f"{label}: missing definition")
    if code.colour and not COLOUR.match(code.colour):
        out.append(f"{label}: colour '{code.colour}' is not #RRGGBB")
    return out


def _family_mismatches(spec, filename, declared, seen) -> list[str]:
    out = []
    for key, (family, parent) in declared.items():
        if parent in seen and family in seen and _root(parent, seen) != family:
            line = seen[key].line if key in seen else None
            out.append(f"{filename}:{line}: code '{key}': parent '{parent}' is not in family "
                       f"'{family}'")
    return out


def _root(key: str, seen: dict[str, CodeSpec]) -> str:
    visited = set()
    while seen.get(key) and seen[key].parent and key not in visited:
        visited.add(key)
        key = seen[key].parent
    return key


def _cycles(spec: CodebookSpec, filename: str, seen: dict[str, CodeSpec]) -> list[str]:
    out = []
    for code in spec.codes:
        path, key = [], code.key
        while key in seen and seen[key].parent and key not in path:
            path.append(key)
            key = seen[key].parent
        if key == code.key and path:
            out.append(f"{filename}:{code.line}: code '{code.key}' is its own ancestor "
                       f"(cycle {' -> '.join(path + [key])})")
    return out


def dump_yaml(spec: CodebookSpec) -> str:
    """The codebook in the file shape `parse_yaml` reads (families, then codes)."""
    index = spec.by_key()
    families = [c for c in spec.codes if c.is_category and not c.parent]
    out = {"codebook": {"key": spec.key, "name": spec.name, "version": spec.version,
                        "description": spec.description, "source": spec.source},
           "families": [_family_out(f) for f in families],
           "codes": [_code_out(c, index, spec) for c in spec.codes
                     if not (c.is_category and not c.parent)]}
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=88)


def _family_out(code: CodeSpec) -> dict:
    data = {"key": code.key, "name": code.name, "description": code.definition,
            "colour": code.colour, "citation": code.citation, "guid": code.guid}
    return {k: v for k, v in data.items() if v}


def _code_out(code: CodeSpec, index: dict[str, CodeSpec], spec: CodebookSpec) -> dict:
    family = spec.family_of(code.key) if code.parent else None
    parent = code.parent if code.parent and code.parent != family else None
    data = {"key": code.key, "name": code.name, "family": family, "parent": parent}
    if code.is_category:
        data["codable"] = False
    data |= {name: getattr(code, name) for name in ("definition", "full_definition",
             "when_to_use", "when_not_to_use", "example", "colour", "citation", "guid")}
    if code.patterns:
        data["patterns"] = code.patterns
    return {k: v for k, v in data.items() if v not in (None, "") or k == "parent"}
