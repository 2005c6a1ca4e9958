"""Fixtures for codebook tests: the study with the real codebook loaded and a document."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IE_YAML = ROOT / "codebooks" / "institutional-ethnography.yaml"


@pytest.fixture
def coded_study(study):
    """The study with the IE codebook and one fieldnote; returns handy ids."""
    from app.codebook import service as codebook
    from app.codebook.spec import parse_yaml
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    text = b"Chair: Row seven, scored 14 on the tool.\nSW: She is not engaging.\n"
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        codebook.load(s, project=project, spec=parse_yaml(IE_YAML.read_text()),
                      by=study["owner"])
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="observation")
        doc, _ = documents.ingest(s, project=project, filename="panel.txt", data=text,
                                  meta=meta, by=study["owner"], max_bytes=10**6)
        return {"users": study, "document_id": doc.id, "text": doc.text}
