"""The codebook pages: tree, code page, owners' forms, loading a file, versions, print."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
IE_YAML = ROOT / "codebooks" / "institutional-ethnography.yaml"
FAMILIES = ("RR", "DA", "PA", "CT", "PT", "IJ", "CD", "PR")
CODE = "/p/study/codebook/codes"


def look(fn):
    """Run fn(session, project) in a fresh transaction (what the database holds now)."""
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        return fn(s, projects.get_project_or_raise(s, slug="study"))


def code(key: str):
    """The stored code with this key, or None."""
    from app.codebook import service
    from app.errors import NotFound

    def get(s, project):
        try:
            return service.get_code(s, project=project, key=key)
        except NotFound:
            return None
    return look(get)


def version_count() -> int:
    from app.codebook import service
    return look(lambda s, p: len(service.list_versions(s, project=p)))


def live_codings(key: str) -> int:
    from app.codebook import evolve
    return look(lambda s, p: evolve.coding_count(s, code=code(key)))


def code_with_codings(key: str, users, n: int = 1) -> None:
    """Ingest a fieldnote at site north and code its first n lines with `key`."""
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    text = "".join(f"Line {i}: the panel reads out the score again.\n" for i in range(n))
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="north"),
                                      kind="observation")
        doc, _ = documents.ingest(s, project=project, filename=f"{key}.txt",
                                  data=text.encode(), meta=meta, by=users["owner"],
                                  max_bytes=10**6)
        for i in range(n):
            start = doc.text.index(f"Line {i}:")
            coding.create(s, project=project, document=doc, code_key=key, start=start,
                          end=start + 7, by=users["owner"])


@pytest.fixture
def ie(study):
    """The study with the institutional-ethnography codebook loaded (version 1)."""
    from app.codebook import service
    from app.codebook.spec import parse_yaml
    from app.db import transaction
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        service.load(s, project=project, spec=parse_yaml(IE_YAML.read_text()),
                     by=study["owner"])
    return study


def text_of(response) -> str:
    """The page's visible text, roughly: tags removed, entities decoded, spaces collapsed."""
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))
    return re.sub(r" ([,.;:])", r"\1", words)


# ---- the codebook page ----

def test_codebook_page_shows_families_codes_and_links(client, ie):
    sign_in(client, "owner@example.org")
    page = client.get("/p/study/codebook")
    assert page.status_code == 200
    for family in FAMILIES:
        assert f'id="family-{family}"' in page.text
    words = text_of(page)
    assert "Institutional ethnography and organisational defences" in words
    assert "Version 1" in words and "“1.0”" in words
    assert "DA-FRAG Fragmentation and depersonalisation" in words
    assert ("Emotional distance between workers and young people, kept up by fragmented "
            "relationships or impersonal services and talk.") in words
    # sub-codes nest inside their parent's list item
    frag = re.search(r'<li class="code" id="code-DA-FRAG">(.*?)id="code-DA-RITUAL"',
                     page.text, re.S).group(1)
    assert 'id="code-DA-FRAG-LANG"' in frag and 'id="code-DA-FRAG-INFO"' in frag
    assert page.text.count('<li class="code') == 79
    for label in ("Printable codebook", "Versions", "Export .qdc", "Export YAML",
                  "Load a codebook file", "Add a code"):
        assert f">{label}</a>" in page.text
    assert "/api/projects/study/codebook/export?format=qdc" in page.text
    assert "/api/projects/study/codebook/export?format=yaml" in page.text


def test_codebook_page_counts_codings_per_site(client, ie):
    code_with_codings("DA-FRAG-LANG", ie, n=2)
    sign_in(client, "viewer@example.org")
    page = client.get("/p/study/codebook")
    item = re.search(r'id="code-DA-FRAG-LANG">(.*?)</li>', page.text, re.S).group(1)
    assert "2 codings" in item
    assert 'data-site="north">2<' in item and 'data-site="south">0<' in item
    family = re.search(r'id="family-DA-h">(.*?)</h2>', page.text, re.S).group(1)
    assert "2 codings" in family
    assert "Load a codebook file" not in page.text and "Add a code" not in page.text


def test_retired_codes_are_hidden_until_asked_for(client, ie):
    from app.codebook import evolve

    look(lambda s, p: evolve.retire(s, project=p, by=ie["owner"], key="DA-RITUAL"))
    sign_in(client, "coder@example.org")
    page = client.get("/p/study/codebook")
    assert 'id="code-DA-RITUAL"' not in page.text and "Show retired codes (1)" in page.text
    shown = client.get("/p/study/codebook?retired=1")
    item = re.search(r'<li class="code is-retired" id="code-DA-RITUAL">(.*?)</li>', shown.text,
                     re.S).group(1)
    assert ">retired<" in item and "Hide retired codes" in shown.text


def test_project_without_codebook_offers_the_load_page(client, study):
    sign_in(client, "owner@example.org")
    page = client.get("/p/study/codebook")
    assert page.status_code == 200 and "no codebook yet" in page.text
    assert "/p/study/codebook/load" in page.text
    sign_in(client, "viewer@example.org")
    assert "/p/study/codebook/load" not in client.get("/p/study/codebook").text


# ---- the code page ----

def test_code_page_shows_everything_and_links_keys(client, ie):
    code_with_codings("DA-FRAG", ie)
    sign_in(client, "coder@example.org")
    page = client.get(f"{CODE}/DA-FRAG")
    assert page.status_code == 200
    words = text_of(page)
    for part in ("Following Menzies-Lyth", "When to use", "When not to use", "Example",
                 "Four agencies report on Tia", "Chapter Six", "#401c2b",
                 "Depressive anxieties", "DA-FRAG-LANG Depersonalised language",
                 "1 coding in all"):
        assert part in words, part
    not_to_use = re.search(r"When not to use</h2><p class=\"prose\">(.*?)</p>", page.text,
                           re.S).group(1)
    assert 'href="http://testserver/p/study/codebook/codes/DA-RITUAL"' in not_to_use
    assert 'href="http://testserver/p/study/codebook/codes/RR-TEXT-RISK"' in not_to_use
    assert 'data-site="north">1<' in page.text
    assert "Change this code" not in page.text  # coders do not manage the codebook
    assert client.get(f"{CODE}/NO-SUCH").status_code == 404


def test_owner_sees_the_forms(client, ie):
    sign_in(client, "owner@example.org")
    page = client.get(f"{CODE}/DA-FRAG-LANG").text
    for action in ("edit", "rename", "move", "merge", "split", "retire", "delete"):
        assert f'action="http://testserver{CODE}/DA-FRAG-LANG/{action}"' in page
    merge = re.search(r'<select id="g-into" name="into" required>(.*?)</select>', page,
                      re.S).group(1)
    assert 'value="DA-RITUAL"' in merge and 'value="DA"' not in merge  # no categories
    assert 'value="DA-FRAG-LANG"' not in merge


# ---- owners change codes through the forms ----

def test_edit_fields(client, ie):
    csrf = sign_in(client, "owner@example.org")
    old = code("DA-FRAG")
    response = client.post(f"{CODE}/DA-FRAG/edit", follow_redirects=False, data={
        "csrf_token": csrf, "name": "Fragmentation", "definition": "Distance kept by pieces.",
        "full_definition": old.full_definition, "when_to_use": "When it is in pieces.",
        "when_not_to_use": old.when_not_to_use, "example": old.example, "colour": "#123456",
        "citation": old.citation})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"{CODE}/DA-FRAG")
    new = code("DA-FRAG")
    assert (new.name, new.definition, new.when_to_use, new.colour) == (
        "Fragmentation", "Distance kept by pieces.", "When it is in pieces.", "#123456")
    assert version_count() == 2


def test_edit_with_a_bad_colour_is_refused(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG/edit", data={
        "csrf_token": csrf, "name": "Fragmentation", "definition": "x", "colour": "red"})
    assert response.status_code == 422
    assert "is not #RRGGBB" in response.text and 'id="change-edit" open' in response.text
    assert 'value="Fragmentation"' in response.text  # what was typed is kept
    assert code("DA-FRAG").name == "Fragmentation and depersonalisation"
    assert version_count() == 1


def test_rename_keeps_codings_and_shows_the_new_key(client, ie):
    code_with_codings("DA-FRAG", ie)
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG/rename", data={
        "csrf_token": csrf, "new_key": "DA-SPLIT", "new_name": "Splitting"})
    assert response.status_code == 200 and str(response.url).endswith(f"{CODE}/DA-SPLIT")
    assert "DA-SPLIT Splitting" in text_of(response)
    assert code("DA-FRAG") is None and code("DA-SPLIT").name == "Splitting"
    assert live_codings("DA-SPLIT") == 1


def test_rename_to_a_taken_key_is_refused(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG/rename", data={
        "csrf_token": csrf, "new_key": "DA-RITUAL", "new_name": "x"})
    assert response.status_code == 409
    assert "already has a code &#39;DA-RITUAL&#39;" in response.text
    assert code("DA-FRAG").name == "Fragmentation and depersonalisation"
    assert version_count() == 1


def test_move_under_another_parent_and_to_the_top(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG-LANG/move", follow_redirects=False,
                           data={"csrf_token": csrf, "parent": "DA-RITUAL"})
    assert response.status_code == 303
    assert code("DA-FRAG-LANG").parent_id == code("DA-RITUAL").id
    client.post(f"{CODE}/DA-FRAG-LANG/move", data={"csrf_token": csrf, "parent": ""})
    assert code("DA-FRAG-LANG").parent_id is None
    cycle = client.post(f"{CODE}/DA-FRAG/move", data={"csrf_token": csrf,
                                                      "parent": "DA-FRAG-INFO"})
    assert cycle.status_code == 422 and "inside" in cycle.text
    assert code("DA-FRAG").parent_id == code("DA").id


def test_merge_moves_codings_and_retires_the_code(client, ie):
    code_with_codings("DA-FRAG-LANG", ie, n=2)
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG-LANG/merge", follow_redirects=False,
                           data={"csrf_token": csrf, "into": "DA-FRAG-INFO"})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"{CODE}/DA-FRAG-INFO")
    merged = code("DA-FRAG-LANG")
    assert merged.status == "retired" and merged.merged_into_id == code("DA-FRAG-INFO").id
    assert live_codings("DA-FRAG-INFO") == 2 and live_codings("DA-FRAG-LANG") == 0
    page = client.get(f"{CODE}/DA-FRAG-LANG")
    assert "Merged into DA-FRAG-INFO" in text_of(page)
    into_category = client.post(f"{CODE}/DA-RITUAL/merge", data={"csrf_token": csrf,
                                                                 "into": "DA"})
    assert into_category.status_code == 422 and "is a category" in into_category.text


def test_split_creates_sibling_codes(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-FRAG-LANG/split", follow_redirects=False, data={
        "csrf_token": csrf,
        "part_key": ["DA-FRAG-EUPH", "DA-FRAG-NUM", ""],
        "part_name": ["Euphemism", "Numbers for people", ""],
        "part_definition": ["Soft words for harm.", "Scores instead of names.", ""]})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"{CODE}/DA-FRAG-LANG")
    original = code("DA-FRAG-LANG")
    for key in ("DA-FRAG-EUPH", "DA-FRAG-NUM"):
        part = code(key)
        assert part.parent_id == original.parent_id and part.split_from_id == original.id
    page = text_of(client.get(f"{CODE}/DA-FRAG-LANG"))
    assert "Split into DA-FRAG-EUPH, DA-FRAG-NUM" in page
    assert "Split from DA-FRAG-LANG" in text_of(client.get(f"{CODE}/DA-FRAG-NUM"))
    empty = client.post(f"{CODE}/DA-FRAG-LANG/split", data={
        "csrf_token": csrf, "part_key": [""], "part_name": [""], "part_definition": [""]})
    assert empty.status_code == 422 and "at least one new code" in empty.text


def test_retire_and_restore(client, ie):
    csrf = sign_in(client, "owner@example.org")
    client.post(f"{CODE}/DA-RITUAL/retire", data={"csrf_token": csrf})
    assert code("DA-RITUAL").status == "retired"
    page = client.get(f"{CODE}/DA-RITUAL")
    assert ">retired<" in page.text and f"{CODE}/DA-RITUAL/restore" in page.text
    client.post(f"{CODE}/DA-RITUAL/restore", data={"csrf_token": csrf})
    assert code("DA-RITUAL").status == "active"


def test_delete_a_code_without_codings(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post(f"{CODE}/DA-RITUAL/delete", follow_redirects=False,
                           data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/p/study/codebook")
    assert code("DA-RITUAL") is None


def test_delete_with_codings_needs_the_confirm_box(client, ie):
    code_with_codings("DA-RITUAL", ie, n=3)
    csrf = sign_in(client, "owner@example.org")
    page = client.get(f"{CODE}/DA-RITUAL").text
    assert 'name="confirm"' in page and "has 3 codings" in page
    refused = client.post(f"{CODE}/DA-RITUAL/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert ("&#39;DA-RITUAL&#39; has 3 codings: confirm to delete it" in refused.text
            and 'id="change-delete" open' in refused.text)
    assert code("DA-RITUAL").status == "active" and live_codings("DA-RITUAL") == 3
    assert version_count() == 1
    done = client.post(f"{CODE}/DA-RITUAL/delete", follow_redirects=False,
                       data={"csrf_token": csrf, "confirm": "true"})
    assert done.status_code == 303 and live_codings("DA-RITUAL") == 0


def test_delete_of_a_code_with_sub_codes_is_refused(client, ie):
    csrf = sign_in(client, "owner@example.org")
    refused = client.post(f"{CODE}/DA-FRAG/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "has sub-codes" in refused.text
    assert code("DA-FRAG") is not None


def test_add_a_code(client, ie):
    csrf = sign_in(client, "owner@example.org")
    form = client.get("/p/study/codebook/new?parent=DA-FRAG").text
    assert '<option value="DA-FRAG" selected>' in form
    response = client.post("/p/study/codebook/new", follow_redirects=False, data={
        "csrf_token": csrf, "key": "DA-FRAG-TIME", "name": "No time to know them",
        "parent": "DA-FRAG", "definition": "Workloads that leave no time for relationship.",
        "example": "Worker: \"I've got forty minutes a fortnight with him.\""})
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"{CODE}/DA-FRAG-TIME")
    new = code("DA-FRAG-TIME")
    assert new.parent_id == code("DA-FRAG").id and not new.is_category
    assert new.example.startswith("Worker:")
    category = client.post("/p/study/codebook/new", follow_redirects=False, data={
        "csrf_token": csrf, "key": "XX", "name": "A new family", "definition": "New lens.",
        "is_category": "true"})
    assert category.status_code == 303 and code("XX").is_category
    taken = client.post("/p/study/codebook/new", data={
        "csrf_token": csrf, "key": "DA-FRAG", "name": "Again", "definition": "Again."})
    assert taken.status_code == 409 and 'value="Again"' in taken.text


# ---- who may do what ----

ACTIONS = {"edit": {"name": "x", "definition": "y"}, "rename": {"new_key": "DA-X"},
           "move": {"parent": ""}, "merge": {"into": "DA-RITUAL"},
           "split": {"part_key": "DA-Y", "part_name": "y", "part_definition": "y"},
           "retire": {}, "restore": {}, "delete": {"confirm": "true"}}


@pytest.mark.parametrize("email", ["coder@example.org", "viewer@example.org"])
def test_members_who_are_not_owners_cannot_change_the_codebook(client, ie, email):
    csrf = sign_in(client, email)
    page = client.get(f"{CODE}/DA-FRAG-LANG")
    assert page.status_code == 200 and "<form" not in page.text.split("</header>", 1)[1]
    for action, data in ACTIONS.items():
        response = client.post(f"{CODE}/DA-FRAG-LANG/{action}", data=data | {"csrf_token": csrf})
        assert response.status_code == 403, action
    assert client.post("/p/study/codebook/new", data={
        "csrf_token": csrf, "key": "DA-Z", "name": "z", "definition": "z"}).status_code == 403
    for path in ("/p/study/codebook/new", "/p/study/codebook/load"):
        assert client.get(path).status_code == 403
    assert client.post("/p/study/codebook/load/apply", data={
        "csrf_token": csrf, "content": "", "filename": "x.yaml"}).status_code == 403
    assert code("DA-FRAG-LANG").name == "Depersonalised language" and version_count() == 1


def test_outsider_learns_nothing(client, ie):
    csrf = sign_in(client, "outsider@example.org")
    for path in ("/p/study/codebook", f"{CODE}/DA-FRAG", "/p/study/codebook/versions",
                 "/p/study/codebook/print", "/p/study/codebook/load"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{CODE}/DA-FRAG/retire", data={"csrf_token": csrf}).status_code == 404


# ---- loading a file ----

def changed_yaml() -> bytes:
    """The IE codebook with DA-FRAG-INFO gone, DA-FRAG reworded and DA-FRAG-TIME new."""
    from app.codebook.spec import CodeSpec, dump_yaml, parse_yaml

    spec = parse_yaml(IE_YAML.read_text())
    spec.codes = [c for c in spec.codes if c.key != "DA-FRAG-INFO"]
    spec.by_key()["DA-FRAG"].definition = "Distance kept up by splitting the work."
    spec.codes.append(CodeSpec(key="DA-FRAG-TIME", name="No time", parent="DA-FRAG",
                               definition="Workloads that leave no time for relationship."))
    return dump_yaml(spec).encode()


def hidden(page_text: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page_text).group(1))


def test_preview_shows_the_changes_and_writes_nothing_then_apply(client, ie):
    csrf = sign_in(client, "owner@example.org")
    assert client.get("/p/study/codebook/load").status_code == 200
    preview = client.post("/p/study/codebook/load", data={"csrf_token": csrf},
                          files={"file": ("ie-v2.yaml", changed_yaml())})
    assert preview.status_code == 200
    added = re.search(r'id="diff-added">(.*?)</div>', preview.text, re.S).group(1)
    changed = re.search(r'id="diff-changed">(.*?)</div>', preview.text, re.S).group(1)
    removed = re.search(r'id="diff-removed">(.*?)</div>', preview.text, re.S).group(1)
    assert "DA-FRAG-TIME" in added and "No time" in added
    assert "DA-FRAG</code>" in changed and "definition" in changed
    assert "DA-FRAG-INFO" in removed and "codings are kept" in removed
    assert version_count() == 1 and code("DA-FRAG-TIME") is None  # nothing written
    assert code("DA-FRAG").definition.startswith("Emotional distance")
    assert hidden(preview.text, "filename") == "ie-v2.yaml"
    applied = client.post("/p/study/codebook/load/apply", follow_redirects=False, data={
        "csrf_token": csrf, "filename": "ie-v2.yaml",
        "content": hidden(preview.text, "content")})
    assert applied.status_code == 303
    assert applied.headers["location"].endswith("/p/study/codebook")
    assert version_count() == 2
    assert code("DA-FRAG-TIME").parent_id == code("DA-FRAG").id
    assert code("DA-FRAG-INFO").status == "retired"
    assert code("DA-FRAG").definition == "Distance kept up by splitting the work."
    versions = text_of(client.get("/p/study/codebook/versions"))
    assert "loaded ie-v2.yaml" in versions


DUPLICATE = """codebook:
  key: tiny
  name: Tiny
codes:
  - key: A-ONE
    name: One
    definition: The first.
  - key: A-ONE
    name: Again
    definition: The second.
"""


def test_a_file_with_problems_is_listed_by_line_and_not_loaded(client, ie):
    csrf = sign_in(client, "owner@example.org")
    response = client.post("/p/study/codebook/load", data={"csrf_token": csrf},
                           files={"file": ("tiny.yaml", DUPLICATE.encode())})
    assert response.status_code == 422
    problems = re.search(r'<ul class="problems">(.*?)</ul>', response.text, re.S).group(1)
    assert "tiny.yaml:8: code &#39;A-ONE&#39;: duplicate key (first at line 5)" in problems
    assert "Nothing was loaded" in response.text and 'name="content"' not in response.text
    assert version_count() == 1 and code("A-ONE") is None
    wrong = client.post("/p/study/codebook/load", data={"csrf_token": csrf},
                        files={"file": ("codes.txt", b"hello")})
    assert wrong.status_code == 422 and ".qdc" in wrong.text
    broken = client.post("/p/study/codebook/load/apply", data={
        "csrf_token": csrf, "filename": "x.yaml", "content": "not base64!"})
    assert broken.status_code == 422 and version_count() == 1


def test_qdc_preview_and_apply_into_an_empty_project(client, study):
    from app.codebook import refi
    from app.codebook.spec import parse_yaml

    data = refi.export_qdc(parse_yaml(IE_YAML.read_text()))
    csrf = sign_in(client, "owner@example.org")
    preview = client.post("/p/study/codebook/load", data={"csrf_token": csrf},
                          files={"file": ("ie.qdc", data)})
    assert preview.status_code == 200, text_of(preview)
    assert "Added (87)" in text_of(preview) and version_count() == 0
    applied = client.post("/p/study/codebook/load/apply", follow_redirects=False, data={
        "csrf_token": csrf, "filename": "ie.qdc", "content": hidden(preview.text, "content")})
    assert applied.status_code == 303 and version_count() == 1
    assert code("DA-FRAG").name == "Fragmentation and depersonalisation"


# ---- versions and print ----

def test_versions_page_lists_and_compares(client, ie):
    csrf = sign_in(client, "owner@example.org")
    client.post(f"{CODE}/DA-FRAG/rename", data={"csrf_token": csrf, "new_key": "DA-SPLIT",
                                                "new_name": "Splitting"})
    client.post(f"{CODE}/DA-RITUAL/edit", data={"csrf_token": csrf, "name": "Rituals",
                                                "definition": "Doing it again."})
    page = client.get("/p/study/codebook/versions")
    rows = re.findall(r"<tr>\s*<td class=\"num\">(\d+)</td>", page.text)
    assert rows == ["3", "2", "1"]
    words = text_of(page)
    assert "renamed DA-FRAG to DA-SPLIT" in words and "owner@example.org" in words
    compare = client.get("/p/study/codebook/versions?old=1&new=3")
    added = re.search(r'id="diff-added">(.*?)</div>', compare.text, re.S).group(1)
    removed = re.search(r'id="diff-removed">(.*?)</div>', compare.text, re.S).group(1)
    changed = re.search(r'id="diff-changed">(.*?)</div>', compare.text, re.S).group(1)
    assert "DA-SPLIT" in added and "DA-FRAG</code>" in removed
    assert "DA-RITUAL" in changed and "name, definition" in changed
    missing = client.get("/p/study/codebook/versions?old=1&new=9")
    assert missing.status_code == 404 and "no codebook version 9" in missing.text


def test_print_page_has_every_code_and_no_forms(client, ie):
    from app.codebook.spec import parse_yaml

    sign_in(client, "viewer@example.org")
    page = client.get("/p/study/codebook/print")
    assert page.status_code == 200
    body = page.text.split('<div class="printable">', 1)[1]
    for item in parse_yaml(IE_YAML.read_text()).codes:
        assert f'<code class="key">{item.key}</code>' in body, item.key
    assert body.count('<article class="print-code"') == 79
    assert "<form" not in body
    words = text_of(page)
    assert "Lefevre, M., Huegler, N." in words and "Codebook version 1" in words
    assert "When not to use" in words and "Following Menzies-Lyth" in words
