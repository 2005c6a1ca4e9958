"""The demo study: a demo user, a project with six case-study sites, and fictional data.

The six sites mirror the source study's design (Lefevre et al. 2024, Chapter One): two sites
for each of three frameworks, statutory and voluntary sector, England and Scotland. Every
fieldnote and transcript under `content/` is fictional and written for this demo.
"""

from __future__ import annotations

import csv
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.codebook import service as codebook
from app.codebook.spec import parse_yaml
from app.documents import manifest
from app.documents import service as documents
from app.projects import service as projects
from app.settings import get_settings

CONTENT = Path(__file__).resolve().parent / "content"
CODEBOOK = Path(__file__).resolve().parents[2] / "codebooks" / "institutional-ethnography.yaml"
DEMO_EMAIL = "demo@fieldbench.example"
DEMO_PASSWORD = "fieldwork-demo"
DEMO_PROJECT = "innovate-demo"

SITES = [
    ("harbourside", "Harbourside Council", "Contextual Safeguarding", "statutory", "England"),
    ("kestrel-youth", "Kestrel Youth Trust", "Contextual Safeguarding", "voluntary", "England"),
    ("glenmoray", "Glenmoray Council", "Trauma-informed Practice", "statutory", "Scotland"),
    ("riverbank", "The Riverbank Project", "Trauma-informed Practice", "voluntary", "England"),
    ("ashcombe", "Ashcombe County Council", "Transitional Safeguarding", "statutory", "England"),
    ("linnhe", "Linnhe Partnership", "Transitional Safeguarding", "voluntary", "Scotland"),
]


def _credentials(password: str | None) -> str:
    if password:
        return password
    return DEMO_PASSWORD if get_settings().is_sqlite else secrets.token_urlsafe(12)


def load_demo(session: Session, *, password: str | None = None) -> list[str]:
    """Create the demo user, project, sites and documents; a second run changes nothing."""
    user = accounts.get_by_email(session, email=DEMO_EMAIL)
    if user is not None:
        hint = (f"password {DEMO_PASSWORD}" if get_settings().is_sqlite and not password
                else "the password printed when it was first loaded")
        return [f"The demo study is already loaded. Sign in at http://127.0.0.1:8000 as "
                f"{DEMO_EMAIL} with {hint}."]
    password = _credentials(password)
    user = accounts.create(session, email=DEMO_EMAIL, password=password, name="Demo Researcher")
    project = projects.create(
        session, slug=DEMO_PROJECT, name="Innovate (demo study)", owner=user,
        description="A fictional study of six sites innovating in how they keep young people "
                    "safe from harm outside the home.")
    for slug, name, strand, governance, country in SITES:
        projects.add_site(session, project=project, slug=slug, name=name, strand=strand,
                          governance=governance, country=country, by=user)
    steps = manifest.plan(session, project=project, files=[], site=None, kind=None,
                          manifest_path=CONTENT / "manifest.csv")
    report = manifest.run(session, project=project, plan=steps, by=user,
                          max_bytes=get_settings().max_upload_bytes)
    if report.refused:
        raise RuntimeError(f"demo content refused: {report.refused}")
    _give_roles(session, project=project, by=user)
    codebook.load(session, project=project, spec=parse_yaml(CODEBOOK.read_text(), CODEBOOK.name),
                  by=user, note="the institutional-ethnography codebook")
    return [f"Demo study loaded: {len(SITES)} sites, {len(report.added)} documents, "
            "the institutional-ethnography codebook.",
            f"Sign in at http://127.0.0.1:8000 as {DEMO_EMAIL} with password {password}"]


def _give_roles(session: Session, *, project, by) -> None:
    with (CONTENT / "speakers.csv").open(encoding="utf-8", newline="") as handle:
        roles = {row["speaker"]: row for row in csv.DictReader(handle)}
    for speaker, _turns in documents.list_speakers(session, project=project):
        row = roles.get(speaker.name)
        if row:
            documents.set_speaker(session, project=project, speaker_id=speaker.id, by=by,
                                  role=row["role"], agency=row["agency"])
