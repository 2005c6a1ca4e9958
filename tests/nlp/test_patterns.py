"""The pattern checker (no spaCy), its hook in the codebook loader, and the patterns hash."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from app.codebook.spec import CodebookError, CodeSpec, parse_yaml
from app.nlp.patterns import PIPELINE_VERSION, check_patterns, patterns_hash

ROOT = Path(__file__).resolve().parents[2]
IE_YAML = ROOT / "codebooks" / "institutional-ethnography.yaml"
FAMILIES = ("RR", "DA", "PA", "CT", "PT", "IJ", "CD", "PR")

BOOK = """\
codebook: {key: small, name: Small}
families:
  - key: PA
    name: Persecutory anxieties
    description: Pressures from outside.
codes:
  - key: PA-RATION
    name: Rationing
    family: PA
    definition: Scarce resources shaping decisions.
    patterns:
      - id: waiting-list
        reason: a waiting list rationing a service
        phrases: [waiting list]
  - key: PA-PERF
    name: Performance
    family: PA
    definition: Pressure from audits.
    patterns:
%s
"""


def book_with(pattern_yaml: str) -> str:
    return BOOK % textwrap.indent(textwrap.dedent(pattern_yaml).strip(), " " * 6)


def problems_of(pattern_yaml: str) -> list[str]:
    with pytest.raises(CodebookError) as err:
        parse_yaml(book_with(pattern_yaml), "small.yaml")
    return err.value.problems


@pytest.fixture(scope="module")
def ie_spec():
    return parse_yaml(IE_YAML.read_text(encoding="utf-8"), IE_YAML.name)


def test_the_codebook_patterns_are_valid_and_cover_every_family(ie_spec):
    assert check_patterns(ie_spec.codes, IE_YAML.name) == []
    per_family: dict[str, int] = {}
    for code in ie_spec.codes:
        if code.patterns:
            family = ie_spec.family_of(code.key)
            per_family[family] = per_family.get(family, 0) + len(code.patterns)
    assert set(per_family) == set(FAMILIES)
    assert all(n >= 3 for n in per_family.values()), per_family
    assert not any(c.patterns for c in ie_spec.codes if c.is_category)


def test_a_good_small_codebook_loads():
    spec = parse_yaml(book_with("""
        - id: numeric-score
          reason: a numeric risk score
          tokens: [{LEMMA: {IN: [score, rate]}}, {LIKE_NUM: true}]
          snap: sentence
          unless: [match, football, goal, five-a-side]
        - id: no-agent
          reason: a decision nobody owns
          dependency:
            - {RIGHT_ID: verb, RIGHT_ATTRS: {LEMMA: decide, TAG: VBN}}
            - {LEFT_ID: verb, REL_OP: ">", RIGHT_ID: aux, RIGHT_ATTRS: {DEP: auxpass}}
          no_child: {verb: [agent]}
    """), "small.yaml")
    assert [p["id"] for p in spec.by_key()["PA-PERF"].patterns] == ["numeric-score", "no-agent"]


@pytest.mark.parametrize("pattern, expected", [
    ("- {id: x, reason: r, regex: 'audit'}", "give exactly one of phrases, tokens, dependency"),
    ("- {id: x, reason: r, phrases: [a], tokens: [{LOWER: a}]}", "give exactly one of"),
    ("- {id: x, reason: r, tokens: [{LEMMMA: audit}]}", "unknown token attribute 'LEMMMA'"),
    ("- {id: x, reason: r, tokens: [{POS: NOUNS}]}", "POS 'NOUNS' is not a Universal POS tag"),
    ("- {id: x, reason: r, tokens: [{LOWER: a, OP: '++'}]}", "OP '++' is not one of"),
    ("- {id: x, reason: r, tokens: [{LOWER: {REGEX: '(a'}}]}", "REGEX does not compile"),
    ("- {id: x, reason: r, tokens: [{LOWER: {IN: [no]}}]}", "IN takes a non-empty list of strings"),
    ("- {id: x, reason: r, tokens: [{ENT_TYPE: ORG}]}", "needs named-entity recognition"),
    ("- {id: x, reason: r, tokens: [{LOWER: a, OP: '?'}]}", "could match nothing"),
    ("- {id: x, reason: r, dependency: [{RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: a}}, "
     "{LEFT_ID: w, REL_OP: '>', RIGHT_ID: s, RIGHT_ATTRS: {DEP: nsubj}}]}",
     "LEFT_ID must name an earlier node"),
    ("- {id: x, reason: r, dependency: [{RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: a}}, "
     "{LEFT_ID: v, REL_OP: '>>>', RIGHT_ID: s, RIGHT_ATTRS: {DEP: nsubj}}]}",
     "REL_OP '>>>' is not a dependency operator"),
    ("- {id: x, reason: r, dependency: [{RIGHT_ID: v, LEFT_ID: v, RIGHT_ATTRS: {LEMMA: a}}]}",
     "the first node is the anchor"),
    ("- {id: x, reason: r, dependency: [{RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: a}}], "
     "no_child: {w: [agent]}}", "'no_child' names unknown node 'w'"),
    ("- {id: Bad Id, reason: r, phrases: [a]}", "'id' must be lower-case"),
    ("- {id: x, phrases: [a]}", "'reason' (the line the researcher sees) is missing"),
    ("- {id: x, reason: r, phrases: [a], snap: page}", "'snap' must be one of"),
    ("- {id: x, reason: r, phrases: [a], unless: audit}", "'unless' must be a non-empty list"),
    ("- {id: x, reason: r, phrases: [a], colour: red}", "unknown field(s) colour"),
    ("- {id: x, reason: r, phrases: [a]}\n- {id: x, reason: r, phrases: [b]}",
     "duplicate id within the code"),
])
def test_pattern_errors_name_file_line_code_and_pattern(pattern, expected):
    problems = problems_of(pattern)
    assert len(problems) >= 1
    assert any(expected in p for p in problems), problems
    line = book_with(pattern).split("\n").index("  - key: PA-PERF") + 1
    assert all(p.startswith(f"small.yaml:{line}: code 'PA-PERF' pattern ") for p in problems)


def test_patterns_on_a_category_are_refused():
    spec = parse_yaml(book_with("- {id: x, reason: r, phrases: [a]}"), "small.yaml")
    spec.by_key()["PA"].patterns = [{"id": "x", "reason": "r", "phrases": ["a"]}]
    problems = check_patterns(spec.codes, "small.yaml")
    assert problems == ["small.yaml:3: code 'PA': a category is not coded, so it takes no "
                        "patterns"]


def test_a_bad_pattern_in_the_real_codebook_refuses_the_whole_load():
    data = yaml.safe_load(IE_YAML.read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    code = next(c for c in broken["codes"] if c["key"] == "RR-TEXT-RISK")
    code["patterns"][0]["tokens"] = [{"LEMA": "score"}]
    with pytest.raises(CodebookError) as err:
        parse_yaml(yaml.safe_dump(broken, sort_keys=False), "broken.yaml")
    assert len(err.value.problems) == 1
    assert "code 'RR-TEXT-RISK' pattern 'numeric-score'" in err.value.problems[0]
    assert "unknown token attribute 'LEMA'" in err.value.problems[0]


def test_checking_patterns_does_not_import_spacy():
    script = ("import sys; from pathlib import Path; from app.codebook.spec import parse_yaml; "
              f"parse_yaml(Path({str(IE_YAML)!r}).read_text()); "
              "import app.nlp.suggest; assert 'spacy' not in sys.modules, 'spacy imported'")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_patterns_hash_changes_with_any_pattern_and_only_then():
    codes = [CodeSpec(key="A", name="A", definition="d", patterns=[
                 {"id": "x", "reason": "r", "phrases": ["waiting list"]}]),
             CodeSpec(key="B", name="B", definition="d"),
             CodeSpec(key="F", name="F", definition="d", is_category=True)]
    before = patterns_hash(codes)
    assert len(before) == 64 and before == patterns_hash(copy.deepcopy(codes))
    same = copy.deepcopy(codes)
    same[1].definition = "another definition"      # not a pattern: same hash
    same.reverse()                                 # order of codes does not matter
    assert patterns_hash(same) == before
    changed = copy.deepcopy(codes)
    changed[0].patterns[0]["phrases"] = ["waiting lists"]
    assert patterns_hash(changed) != before
    unless = copy.deepcopy(codes)
    unless[0].patterns[0]["unless"] = ["restaurant"]
    assert patterns_hash(unless) != before
    renamed = copy.deepcopy(codes)
    renamed[0].key = "A2"
    assert patterns_hash(renamed) != before
    assert PIPELINE_VERSION


def _token_values(token: dict):
    """The words a Matcher token dict compares with one token's text or lemma."""
    for attr in ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM"):
        value = token.get(attr)
        listed = value.get("IN", []) if isinstance(value, dict) else [value]
        yield from (v for v in listed if isinstance(v, str))


def test_every_word_in_a_token_pattern_is_one_token():
    """A value the tokenizer splits ('high-risk' is high, -, risk) can never equal one
    token: such values made patterns silently dead. Write them as phrases instead."""
    from app.nlp.pipeline import get_nlp

    tokenizer = get_nlp().tokenizer
    dead = []
    for code in yaml.safe_load(IE_YAML.read_text())["codes"]:
        for pattern in code.get("patterns") or []:
            tokens = pattern.get("tokens") or []
            for alternative in tokens if tokens and isinstance(tokens[0], list) else [tokens]:
                for token in alternative:
                    dead += [(code["key"], pattern["id"], v) for v in _token_values(token)
                             if len(v) > 1 and len(tokenizer(v)) != 1]
    assert dead == []
