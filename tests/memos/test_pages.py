"""The memos page (list, filters, form), the page forms, and the htmx section."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import sign_in, token_for
from tests.memos.test_api import made, memo_count, memo_study  # noqa: F401  (a fixture)

PAGE = "/p/study/memos"


def stored():
    from app.db import new_session
    from app.memos.models import Memo

    with new_session() as s:
        return s.scalars(select(Memo).order_by(Memo.id)).all()


def memo_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="memo-card[^"]*" id="memo-(\d+)"', html)]


@pytest.fixture
def memos(client, memo_study):
    """A memo on each kind of target; returns their ids by name."""
    ids = memo_study
    plan = {"project": ("owner", {"kind": "interest", "title": "Whose tool?",
                                  "body": "The **tool** serves the panel.\n\n<script>x</script>"}),
            "north": ("coder", {"kind": "reflexive", "site": "north", "body": "My place."}),
            "doc": ("coder2", {"kind": "analytic", "document": ids["north_doc"]}),
            "coding": ("coder", {"kind": "analytic", "coding": ids["north_coding"]}),
            "code": ("owner", {"kind": "methodological", "code": "PA-PERF"})}
    return {name: made(client, f"{who}@example.org", **body)["id"]
            for name, (who, body) in plan.items()}


def test_the_nav_links_the_memos_page(client, study):
    sign_in(client, "viewer@example.org")
    page = client.get("/p/study")
    assert f'href="http://testserver{PAGE}"' in page.text


def test_the_page_lists_every_memo_with_its_target(client, memo_study, memos):
    sign_in(client, "viewer@example.org")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert memo_ids(html) == sorted(memos.values(), reverse=True)
    assert "In whose interest?" in html and "Whose tool?" in html
    assert "<strong>tool</strong>" in html and "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "coder2@example.org" in html
    doc_url = f"/p/study/documents/{memo_study['north_doc']}"
    assert 'href="http://testserver/p/study/sites/north"' in html
    assert f'href="http://testserver{doc_url}"' in html
    assert f'href="http://testserver{doc_url}#coding-{memo_study["north_coding"]}"' in html
    assert 'href="http://testserver/p/study/codebook/codes/PA-PERF"' in html
    assert "New memo" not in html and "/delete" not in html and ">Edit<" not in html


@pytest.mark.parametrize("query, expected", [
    ("kind=analytic", ["coding", "doc"]),
    ("author=coder%40example.org", ["coding", "north"]),
    ("site=north", ["coding", "doc", "north"]),
    ("code=PA-RATION", ["coding"]),
    ("code=PA-PERF", ["code"]),
    ("kind=analytic&author=coder2%40example.org&site=north", ["doc"]),
    ("kind=&author=&site=&code=", ["code", "coding", "doc", "north", "project"]),
])
def test_the_page_filters(client, memos, query, expected):
    sign_in(client, "viewer@example.org")
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    assert memo_ids(page.text) == [memos[name] for name in expected]


def test_the_filters_stay_in_the_form(client, memos):
    sign_in(client, "viewer@example.org")
    html = client.get(f"{PAGE}?kind=analytic&site=north&code=PA-RATION").text
    assert '<option value="analytic" selected>' in html
    assert '<option value="north" selected>' in html
    assert '<option value="PA-RATION" selected>' in html
    assert 'method="get"' in html and "Show all" in html


def test_an_unknown_filter_value_is_not_found(client, memos):
    sign_in(client, "viewer@example.org")
    assert client.get(f"{PAGE}?site=east").status_code == 404


def site_id(slug: str) -> int:
    from app.db import new_session
    from app.projects.models import Site

    with new_session() as s:
        return s.scalar(select(Site.id).where(Site.slug == slug))


def test_a_coder_writes_a_memo_through_the_form(client, memo_study):
    csrf = sign_in(client, "coder@example.org")
    page = client.get(PAGE)
    assert "New memo" in page.text and "Markdown works" in page.text
    assert f'<option value="site:{site_id("south")}">South</option>' in page.text
    response = client.post(PAGE, follow_redirects=False, data={
        "csrf_token": csrf, "kind": "reflexive", "title": "Late panel",
        "body": "I *arrived* late.", "target": f"site:{site_id('south')}"})
    assert response.status_code == 303, response.text
    (memo,) = stored()
    assert response.headers["location"] == f"http://testserver{PAGE}#memo-{memo.id}"
    assert (memo.kind, memo.title, memo.site_id) == ("reflexive", "Late panel", site_id("south"))
    html = client.get(PAGE).text
    assert "<em>arrived</em>" in html and ">Edit<" in html


def test_the_form_needs_the_csrf_token(client, memo_study):
    sign_in(client, "coder@example.org")
    response = client.post(PAGE, data={"kind": "analytic", "body": "x"}, follow_redirects=False)
    assert response.status_code == 403
    assert memo_count() == 0


def test_a_refused_form_comes_back_with_the_reason_and_the_text(client, memo_study):
    csrf = sign_in(client, "coder@example.org")
    response = client.post(PAGE, data={"csrf_token": csrf, "kind": "analytic",
                                       "title": "Keep me", "body": "   "})
    assert response.status_code == 422
    assert "the memo is empty" in response.text and 'value="Keep me"' in response.text
    assert memo_count() == 0


def test_the_form_returns_to_a_local_next_only(client, memo_study):
    csrf = sign_in(client, "coder@example.org")
    for given, expected in (("/p/study/sites/north", "/p/study/sites/north"),
                            ("https://evil.example/", f"http://testserver{PAGE}#memo-"),
                            ("//evil.example/x", f"http://testserver{PAGE}#memo-")):
        response = client.post(PAGE, follow_redirects=False, data={
            "csrf_token": csrf, "kind": "analytic", "body": "x", "next": given})
        assert response.headers["location"].startswith(expected), given


def test_form_targets_by_field(client, memo_study):
    csrf = sign_in(client, "coder@example.org")
    base = {"csrf_token": csrf, "kind": "analytic", "body": "x"}
    for extra in ({"site": "north"}, {"code": "PA-RATION"},
                  {"document": str(memo_study["north_doc"])},
                  {"coding": str(memo_study["north_coding"])}):
        assert client.post(PAGE, data=base | extra, follow_redirects=False).status_code == 303
    targets = [(m.site_id, m.code_id, m.document_id, m.coding_id) for m in stored()]
    assert [[i is not None for i in row] for row in targets] == [
        [True, False, False, False], [False, True, False, False],
        [False, False, True, False], [False, False, False, True]]
    two = client.post(PAGE, data=base | {"site": "north", "target": "code:1"})
    assert two.status_code == 422
    foreign = client.post(PAGE, data=base | {"document": str(memo_study["other_doc"])})
    assert foreign.status_code == 404
    assert memo_count() == 4


def test_viewers_get_no_form_and_cannot_post(client, memo_study):
    sign_in(client, "viewer@example.org")
    assert "New memo" not in client.get(PAGE).text
    response = client.post(PAGE, headers=token_for(client, "viewer@example.org"),
                           data={"kind": "analytic", "body": "x"})
    assert response.status_code == 403
    assert memo_count() == 0


def test_edit_and_delete_through_the_page(client, memo_study, memos):
    csrf = sign_in(client, "coder@example.org")
    html = client.get(PAGE).text
    assert f"/p/study/memos/{memos['north']}/edit" in html           # the coder's own
    assert f"/p/study/memos/{memos['doc']}/edit" not in html         # coder2's
    edited = client.post(f"{PAGE}/{memos['north']}/edit", follow_redirects=False, data={
        "csrf_token": csrf, "kind": "analytic", "title": "Mine", "body": "New *text*",
        "next": f"{PAGE}?site=north"})
    assert edited.status_code == 303 and edited.headers["location"] == f"{PAGE}?site=north"
    assert "New <em>text</em>" in client.get(PAGE).text
    refused = client.post(f"{PAGE}/{memos['doc']}/edit", data={"csrf_token": csrf, "body": "x"})
    assert refused.status_code == 403
    blank = client.post(f"{PAGE}/{memos['north']}/edit", data={
        "csrf_token": csrf, "kind": "analytic", "title": "Typed", "body": ""})
    assert blank.status_code == 422 and 'value="Typed"' in blank.text
    assert client.post(f"{PAGE}/{memos['doc']}/delete",
                       data={"csrf_token": csrf}).status_code == 403
    gone = client.post(f"{PAGE}/{memos['north']}/delete", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert gone.status_code == 303
    assert memos["north"] not in memo_ids(client.get(PAGE).text)


def test_an_owner_edits_and_deletes_anyones_memo(client, memos):
    csrf = sign_in(client, "owner@example.org")
    html = client.get(PAGE).text
    assert all(f"/p/study/memos/{i}/delete" in html for i in memos.values())
    edited = client.post(f"{PAGE}/{memos['doc']}/edit", follow_redirects=False, data={
        "csrf_token": csrf, "kind": "analytic", "title": "", "body": "Owner's note"})
    assert edited.status_code == 303
    assert "Owner&#39;s note" in client.get(PAGE).text
    response = client.post(f"{PAGE}/{memos['doc']}/delete", data={"csrf_token": csrf},
                           follow_redirects=False)
    assert response.status_code == 303
    assert client.post(f"{PAGE}/999999/delete", data={"csrf_token": csrf}).status_code == 404


HX = {"HX-Request": "true"}


def test_htmx_create_answers_with_the_targets_section(client, memo_study, memos):
    csrf = sign_in(client, "coder@example.org")
    doc = memo_study["north_doc"]
    response = client.post(PAGE, headers=HX | {"X-CSRF-Token": csrf}, data={
        "kind": "interest", "body": "Who **benefits**?", "target": f"document:{doc}",
        "next": f"/p/study/documents/{doc}"})
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<section id="memos-document-{doc}" class="memos"')
    assert "<html" not in html and "Who <strong>benefits</strong>?" in html
    assert memo_ids(html)[1:] == [memos["doc"]]          # only this document's memos
    assert f'hx-target="#memos-document-{doc}"' in html and 'hx-swap="outerHTML"' in html
    assert f'name="target" value="document:{doc}"' in html
    assert f'name="next" value="/p/study/documents/{doc}"' in html


def test_htmx_create_by_named_field_and_on_the_project(client, memo_study, memos):
    csrf = sign_in(client, "coder@example.org")
    coding = memo_study["north_coding"]
    on_coding = client.post(PAGE, headers=HX | {"X-CSRF-Token": csrf},
                            data={"kind": "analytic", "body": "x", "coding": str(coding)})
    assert f'<section id="memos-coding-{coding}"' in on_coding.text
    assert len(memo_ids(on_coding.text)) == 2
    on_project = client.post(PAGE, headers=HX | {"X-CSRF-Token": csrf},
                             data={"kind": "analytic", "body": "y", "target": "project"})
    assert re.search(r'<section id="memos-project-\d+"', on_project.text)
    assert 'name="target" value="project"' in on_project.text
    assert len(memo_ids(on_project.text)) == 2


def test_htmx_refusal_is_shown_in_the_section(client, memo_study, memos):
    csrf = sign_in(client, "coder@example.org")
    doc = memo_study["north_doc"]
    before = memo_count()
    response = client.post(PAGE, headers=HX | {"X-CSRF-Token": csrf}, data={
        "kind": "analytic", "title": "Half", "body": " ", "target": f"document:{doc}"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text and "the memo is empty" in response.text
    assert 'value="Half"' in response.text and "<details class=\"memo-new\" open>" in response.text
    assert memo_count() == before


def test_htmx_edit_and_delete_answer_with_the_section(client, memo_study, memos):
    csrf = sign_in(client, "owner@example.org")
    headers = HX | {"X-CSRF-Token": csrf}
    edited = client.post(f"{PAGE}/{memos['coding']}/edit", headers=headers,
                         data={"kind": "reflexive", "title": "", "body": "_changed_"})
    coding = memo_study["north_coding"]
    assert f'<section id="memos-coding-{coding}"' in edited.text
    assert "<em>changed</em>" in edited.text
    assert f'name="next" value="{PAGE}"' in edited.text      # no next, no HX-Current-URL
    doc_page = f"/p/study/documents/{memo_study['north_doc']}"
    deleted = client.post(f"{PAGE}/{memos['coding']}/delete", headers=headers | {
        "HX-Current-URL": f"http://testserver{doc_page}?view=1"})
    assert f'name="next" value="{doc_page}?view=1"' in deleted.text
    assert f'<section id="memos-coding-{coding}"' in deleted.text
    assert memo_ids(deleted.text) == [] and "No memos here yet." in deleted.text


def test_the_section_can_be_included_by_other_pages(client, memo_study, memos):
    """Render the partial as another page would: with memos_for and the target."""
    from starlette.requests import Request

    from app.db import new_session
    from app.memos import pages  # noqa: F401  (registers memo_kinds)
    from app.memos.service import memos_for
    from app.projects import service as projects
    from app.projects.models import Role
    from app.web import templates

    scope = {"type": "http", "method": "GET", "path": "/p/study/sites/north",
             "query_string": b"", "headers": [], "session": {"csrf": "t"},
             "app": client.app, "router": client.app.router, "server": ("testserver", 80),
             "scheme": "http", "root_path": ""}
    with new_session() as s:
        project = projects.get_project_or_raise(s, slug="study")
        north = projects.get_site(s, project=project, slug="north")
        items = memos_for(s, project=project, target_type="site", target_id=north.id)
        html = templates.get_template("memos/_memos.html").render(
            request=Request(scope), project=project, role=Role.CODER, user=None,
            memos=items, target_type="site", target_id=north.id)
    assert f'<section id="memos-site-{north.id}" class="memos"' in html
    assert memo_ids(html) == [memos["north"]] and "My place." in html
    assert 'name="next" value="/p/study/sites/north"' in html
    assert "Add a memo" in html and ">Edit<" not in html    # no user: nothing to edit
