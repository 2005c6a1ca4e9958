"""Suggestion fixtures: the real NLP engine (spaCy loads once per process and keeps the
pipeline built for each set of patterns), codes with patterns, and a study with
suggestions to review."""

from __future__ import annotations

import pytest

TEXT = b"Chair: Row seven, scored 14 on the tool.\nSW: She is not engaging.\n"


def pattern(pid: str, reason: str, **kind) -> dict:
    """A pattern in the codebook's format, snapped to the match itself (precise spans)."""
    return {"id": pid, "reason": reason, "snap": "match", **kind}


SCORE = pattern("score", "a numeric score", tokens=[{"LOWER": "scored"}, {"LIKE_NUM": True}])
TOOL = pattern("tool", "the tool named", phrases=["on the tool"])
ENGAGING = pattern("not-engaging", "engagement as the reason", phrases=["not engaging"])
PATTERNS = {"PA-PERF": [SCORE], "RR-DISC-ENG": [ENGAGING]}


@pytest.fixture(scope="session", autouse=True)
def parsed_once():
    """Parse the shipped codebook once per run (`coded_study` parses it for every test, and
    the pure-Python YAML parser takes seconds over it); each test gets its own copy."""
    import copy

    from app.codebook import spec

    parse, cache = spec.parse_yaml, {}

    def cached(text: str, filename: str = "codebook.yaml"):
        if (text, filename) not in cache:
            cache[text, filename] = parse(text, filename)
        return copy.deepcopy(cache[text, filename])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spec, "parse_yaml", cached)
        yield


class Calls:
    """Counts the documents the engine was asked to read."""

    def __init__(self):
        self.documents: list[int] = []


@pytest.fixture
def engine_calls(monkeypatch) -> Calls:
    """The real engine, wrapped to record which documents it reads."""
    from app.suggestions import service

    calls = Calls()
    find, hash_of = service.engine()

    def counting_find(texts, codes, **kw):
        def seen():
            for doc_id, text in texts:
                calls.documents.append(doc_id)
                yield doc_id, text
        return find(seen(), codes, **kw)

    monkeypatch.setattr(service, "engine", lambda: (counting_find, hash_of))
    return calls


def set_patterns(patterns: dict[str, list], slug: str = "study", only: bool = False) -> None:
    """Give codes patterns (committed); `only` clears every other code's patterns first, so
    the tests do not depend on the patterns the shipped codebook carries."""
    from app.codebook import service as codebook
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug=slug)
        if only:    # the tests' own patterns, which the codebook's ranker was not trained on
            project.rank_suggestions = False
        for code in codebook.list_codes(s, project=project) if only else ():
            code.patterns = {}
        for key, rules in patterns.items():
            codebook.get_code(s, project=project, key=key).patterns = {"rules": list(rules)}


@pytest.fixture
def patterned(coded_study, engine_calls):
    """The coded study, with patterns on PA-PERF and RR-DISC-ENG."""
    set_patterns(PATTERNS, only=True)
    return coded_study | {"calls": engine_calls}


def run_suggestions(slug: str = "study", document_ids=None):
    """Run suggest_documents over the project's (or the given) documents, committed."""
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects
    from app.suggestions import service

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug=slug)
        docs = [d for d in documents.list_for_project(s, project=project)
                if document_ids is None or d.id in document_ids]
        return service.suggest_documents(s, project=project, documents=docs)


@pytest.fixture
def suggested(patterned):
    """The patterned study with its suggestions stored; adds {key: suggestion id}."""
    from sqlalchemy import select

    from app.codebook.models import Code
    from app.db import new_session
    from app.suggestions.models import Suggestion

    run_suggestions()
    with new_session() as s:
        rows = s.execute(select(Code.key, Suggestion.id).join(
            Suggestion, Suggestion.code_id == Code.id))
        return patterned | {"ids": dict(rows.all())}
