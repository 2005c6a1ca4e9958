"""The retrieval tests' hand-made corpus (tests/retrieval/conftest.py), plus helpers."""

from __future__ import annotations

import pytest

from tests.retrieval.conftest import corpus, run  # noqa: F401  (fixtures)


@pytest.fixture
def export_to(corpus):  # noqa: F811
    """export_to(format, **prepare options) -> the file's bytes (written through the service)."""
    import io

    from app.db import transaction
    from app.exports import service
    from app.projects import service as projects

    def export(format: str, **options) -> bytes:
        out = io.BytesIO()
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            job = service.prepare(s, project=project, format=format, **options)
            service.write(s, job, out)
        return out.getvalue()
    return export
