"""The retrieval pages through the TestClient, against the hand-built corpus (conftest)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import sign_in


@pytest.fixture
def owner(client, corpus):
    sign_in(client, "owner@example.org")
    return client


def _project():
    from app.db import transaction
    from app.projects import service as projects
    with transaction() as s:
        return projects.get_project_or_raise(s, slug="study")


def coding_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-coding="(\d+)"', html)]


def test_excerpts_page_filters_and_shows_context_and_links(owner, corpus):
    page = owner.get("/p/study/excerpts", params={"code": "PA-RATION", "site": "north"})
    assert page.status_code == 200
    names = {corpus["ids"][i] for i in coding_ids(page.text)}
    assert names == {"c1", "c9"}
    assert '<strong>2</strong> excerpts' in page.text
    c9 = corpus["names"]["c9"]
    assert f'/p/study/documents/{corpus["docs"]["D2"]}#coding-{c9}' in page.text
    # the sentence before, muted, around the excerpt
    assert '<span class="ctx">The risk tool was scored twice. </span>' in page.text
    assert "Nobody asked the young person" in page.text
    assert "Library observation" in page.text and "2021-09-15" in page.text


def test_excerpts_page_shows_speaker_other_codes_and_memos(owner, corpus):
    page = owner.get("/p/study/excerpts", params={"code": "DA-FRAG", "site": "north"})
    assert coding_ids(page.text) == [corpus["names"]["c4"]]
    assert "SW (Social Worker)" in page.text
    assert '<span class="tag">RR-DISC</span>' in page.text
    assert "She is described, not heard." in page.text


def test_expression_and_paging(owner, corpus):
    page = owner.get("/p/study/excerpts", params={"q": "PA-RATION AND RR-TEXT"})
    assert page.status_code == 200
    found = {corpus["ids"][i] for i in coding_ids(page.text)}
    assert {"c1", "c3"} <= found
    first = owner.get("/p/study/excerpts")
    total = int(re.search(r"<strong>(\d+)</strong> excerpts", first.text).group(1))
    assert total == 19
    import app.retrieval.pages as pages
    pages.PAGE_SIZE, old = 5, pages.PAGE_SIZE
    try:
        seen, url = [], "/p/study/excerpts"
        while url:
            html = owner.get(url).text
            seen += coding_ids(html)
            nxt = re.search(r'class="next-page" rel="next" href="([^"]+)"', html)
            url = unescape(nxt.group(1)) if nxt else None
        assert len(seen) == len(set(seen)) == 19
    finally:
        pages.PAGE_SIZE = old


def test_bad_expression_is_422_with_the_message(owner, corpus):
    page = owner.get("/p/study/excerpts", params={"q": "PA-RATION AND (RR-TEXT"})
    assert page.status_code == 422
    alert = re.search(r'role="alert"[^>]*>([^<]+)<', page.text)
    assert alert and alert.group(1).strip()
    assert 'name="q" value="PA-RATION AND (RR-TEXT"' in unescape(page.text)
    bad_date = owner.get("/p/study/excerpts", params={"from": "yesterday"})
    assert bad_date.status_code == 422 and "from:" in bad_date.text


def test_matrix_numbers_match_matrix_and_cells_drill_down(owner, corpus):
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.matrix import matrix

    page = owner.get("/p/study/matrix", params={"rows": "code", "cols": "site"})
    assert page.status_code == 200
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        found = matrix(s, project=project, rows="code", cols="site", filter=ExcerptFilter())
        expected = {(c.row, c.col): c.value for c in found.cells}
    cells = re.findall(r'data-row="([^"]+)" data-col="([^"]+)" data-value="(\d+)">\s*(?:<a href="([^"]+)")?',
                       page.text)
    shown = {(r, c): int(v) for r, c, v, _ in cells if int(v)}
    assert shown == expected
    assert "%" in page.text and "<svg" in page.text        # shares and the family bars
    row, col, value, href = next(x for x in cells if x[0] == "PA-RATION" and x[1] == "north")
    assert int(value) == 2
    drilled = owner.get(unescape(href))
    assert len(coding_ids(drilled.text)) == 2
    for r, c, v, h in cells:
        if int(v):
            assert len(coding_ids(owner.get(unescape(h)).text)) == int(v), (r, c)


def test_cooccurrence_matrix_and_heatmap(owner, corpus):
    page = owner.get("/p/study/matrix", params={"rows": "code", "cols": "code"})
    assert page.status_code == 200
    assert 'class="chart chart-heat"' in page.text and "<title>" in page.text
    href = re.search(r'data-row="PA-RATION" data-col="RR-TEXT" data-value="(\d+)">\s*<a href="([^"]+)"',
                     page.text)
    query = parse_qs(urlsplit(unescape(href.group(2))).query)
    assert query["q"] == ["PA-RATION AND =RR-TEXT"]   # RR-TEXT has a child
    bad = owner.get("/p/study/matrix", params={"rows": "site", "cols": "site"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text


def test_heat_colours_meet_aa_contrast():
    from app.retrieval import charts
    for value in range(0, 11):
        bg, ink = charts.heat(value, 10)
        assert charts.contrast(bg, ink) >= 4.5, (value, bg, ink)


def test_compare_page(owner, corpus):
    page = owner.get("/p/study/compare", params={"site": ["north", "east"], "code": "PA"})
    assert page.status_code == 200
    assert 'data-site="north"' in page.text and 'data-site="east"' in page.text
    assert f'#coding-{corpus["names"]["c16"]}' in page.text
    assert f'#coding-{corpus["names"]["c1"]}' in page.text
    one = owner.get("/p/study/compare", params={"site": "north", "code": "PA"})
    assert one.status_code == 422


def test_coder_saves_a_query_and_it_is_listed(client, corpus):
    csrf = sign_in(client, "coder@example.org")
    saved = client.post("/p/study/excerpts/save", data={
        "csrf_token": csrf, "name": "Rationing up north", "code": "PA-RATION",
        "site": "north"}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Rationing up north" in page.text
    link = re.search(r'<a href="([^"]+)">Rationing up north</a>', page.text).group(1)
    rerun = client.get(unescape(link))
    assert {corpus["ids"][i] for i in coding_ids(rerun.text)} == {"c1", "c9"}
    twice = client.post("/p/study/excerpts/save", data={
        "csrf_token": csrf, "name": "Rationing up north", "code": "PA-RATION"})
    assert twice.status_code == 409 and "already exists" in twice.text


def test_viewer_sees_but_cannot_save(client, corpus):
    csrf = sign_in(client, "viewer@example.org")
    page = client.get("/p/study/excerpts")
    assert page.status_code == 200 and 'id="save-query"' not in page.text
    assert client.get("/p/study/matrix").status_code == 200
    refused = client.post("/p/study/excerpts/save", data={"csrf_token": csrf, "name": "x"})
    assert refused.status_code == 403


def test_outsider_gets_404(client, corpus):
    sign_in(client, "outsider@example.org")
    for url in ("/p/study/excerpts", "/p/study/matrix", "/p/study/compare"):
        assert client.get(url).status_code == 404
