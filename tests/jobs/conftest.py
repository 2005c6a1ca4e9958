"""The jobs tests reuse the suggestion fixtures (engine, patterns, the study)."""

from tests.suggestions.conftest import engine_calls, parsed_once, patterned  # noqa: F401
