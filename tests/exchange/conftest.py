"""The demo study, coded by two people and memoed on every kind of target, as the project
every exchange test starts from; helpers to export and to describe a project."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import PASSWORD

FIXTURES_QDPX = Path(__file__).resolve().parents[1] / "fixtures" / "qdpx"
XSD_PATH = Path(__file__).resolve().parents[3] / "shared" / "refi-qda" / "Project.xsd"
EXTRA = ("Zoe\u0308 met the panel 😀 and said: \u201crationing again\u201d.\r\n\r\n\r\n"
         "Chair: Row seven scored 14.   \r\nSW: She is not engaging.\r\n")


@pytest.fixture(scope="session")
def schema() -> etree.XMLSchema:
    assert XSD_PATH.exists(), f"Project.xsd not found at {XSD_PATH}"
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def _spans(text: str, count: int) -> list[tuple[int, int]]:
    """A few word-bounded spans spread over the text."""
    words = [m.span() for m in re.finditer(r"\w+(?:\W+\w+){3}", text)]
    step = max(len(words) // count, 1)
    return words[::step][:count]


@pytest.fixture
def demo(make_user):
    """The demo project with codings by two users, memos on each target, site attributes."""
    from app.accounts import service as accounts
    from app.codebook import service as codebook
    from app.coding import service as coding
    from app.db import transaction
    from app.demo.service import DEMO_EMAIL, DEMO_PROJECT, load_demo
    from app.documents import service as documents
    from app.memos import service as memos
    from app.projects import service as projects

    colleague = make_user("zoe@example.org", name="Zoë Coder")
    with transaction() as s:
        load_demo(s, password=PASSWORD)
        owner = accounts.get_by_email(s, email=DEMO_EMAIL)
        project = projects.get_project_or_raise(s, slug=DEMO_PROJECT)
        projects.add_member(s, project=project, user=colleague, role="coder", by=owner)
        site = projects.get_site(s, project=project, slug="harbourside")
        projects.update_site(s, site=site, by=owner, attributes={
            "panel size": 9, "pilot": True, "budget share": 0.25, "lead": "Police"})
        extra, _ = documents.ingest(
            s, project=project, filename="extra.txt", data=EXTRA.encode("utf-8"), by=owner,
            meta=documents.DocumentMeta(site=site, kind="interview", title="Emoji notes"),
            max_bytes=10**6)
        codes = [c.key for c in codebook.list_codes(s, project=project, active_only=True)
                 if not c.is_category]
        made = []
        for n, document in enumerate(documents.list_for_project(s, project=project)):
            for m, (start, end) in enumerate(_spans(document.text, 4)):
                made.append(coding.create(s, project=project, document=document,
                                          code_key=codes[(n * 4 + m) % len(codes)],
                                          start=start, end=end,
                                          by=owner if m % 2 else colleague))
        after = extra.text.index("rationing")
        made.append(coding.create(s, project=project, document=extra, code_key=codes[0],
                                  start=after, end=after + len("rationing again"), by=owner))
        memos.create(s, project=project, by=owner, kind="methodological", title="Plan",
                     body="A memo on the **whole** project.")
        memos.create(s, project=project, by=colleague, kind="reflexive", body="On the site.",
                     site=site)
        memos.create(s, project=project, by=owner, kind="analytic", body="On the document.",
                     document=extra)
        memos.create(s, project=project, by=colleague, kind="interest", title="Whose?",
                     body="In whose interest is this code?",
                     code=codebook.get_code(s, project=project, key=codes[1]))
        memos.create(s, project=project, by=owner, kind="analytic", body="On one coding 😀.",
                     coding=made[-1])
        project.description = "A fictional study."
        return {"slug": DEMO_PROJECT, "owner": owner, "colleague": colleague}


def export_bytes(slug: str) -> bytes:
    from app.db import transaction
    from app.exchange.service import export_project
    from app.projects import service as projects

    out = io.BytesIO()
    with transaction() as s:
        export_project(s, project=projects.get_project_or_raise(s, slug=slug), out=out)
    return out.getvalue()


def import_bytes(data: bytes, slug: str, by_email: str = "demo@fieldbench.example",
                 name: str | None = None, **kwargs):
    from app.accounts import service as accounts
    from app.db import transaction
    from app.exchange.service import import_project

    with transaction() as s:
        by = accounts.get_by_email(s, email=by_email)
        return import_project(s, data_or_file=data, slug=slug, name=name, by=by, **kwargs)


def describe(slug: str) -> dict:
    """A project as comparable plain data (ids left out)."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.codebook import service as codebook
    from app.coding.models import Coding
    from app.db import transaction
    from app.documents import service as documents
    from app.memos import service as memos
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug=slug)
        docs = documents.list_for_project(s, project=project)
        sites = {site.id: site for site in projects.list_sites(s, project=project)}
        codes = codebook.list_codes(s, project=project)
        keys = {c.id: c.key for c in codes}
        titles = {d.id: d.title for d in docs}
        users = {u.id: u for u in s.scalars(select(User))}
        codings = list(s.scalars(select(Coding).where(Coding.project_id == project.id,
                                                      Coding.deleted_at.is_(None))))
        memo_rows = memos.list_for_project(s, project=project)
        return {
            "name": project.name, "description": project.description,
            "documents": sorted((d.title, d.text, d.kind, d.date, d.researcher,
                                 d.fieldwork_period, sites[d.site_id].slug) for d in docs),
            "sites": sorted((s_.slug, s_.name, s_.strand, s_.governance, s_.country,
                             sorted(s_.attributes.items())) for s_ in sites.values()),
            "codes": sorted((c.key, c.name, keys.get(c.parent_id), c.is_category, c.colour,
                             c.definition) for c in codes if c.status == "active"),
            "codings": Counter((titles[c.document_id], keys[c.code_id], c.quote,
                                users[c.coder_id].email) for c in codings),
            "memos": sorted((memos.target_of(m)[0], m.kind, m.title, m.body,
                             users[m.author_id].email) for m in memo_rows),
            "people": sorted({(users[c.coder_id].name, users[c.coder_id].email)
                              for c in codings} | {(users[m.author_id].name,
                                                    users[m.author_id].email)
                                                   for m in memo_rows}),
        }
