"""Codebook tests share `coded_study` from tests/conftest.py."""

from tests.conftest import IE_YAML  # noqa: F401  (kept for the tests that import it here)
