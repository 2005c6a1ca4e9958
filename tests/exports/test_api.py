"""The export API: attachments for members (viewers too), 404 for outsiders, 422 for bad
requests (and nothing sent); matrices with matrix.py's numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import token_for


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def test_viewer_downloads_a_csv(client, corpus):
    headers = token_for(client, "viewer@example.org")
    response = client.get("/api/projects/study/exports/excerpts",
                          params={"code": "PA-RATION", "site": ["north", "east"]},
                          headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="study-excerpts-')
    assert disposition.endswith('.csv"')
    assert [corpus["ids"][int(r["excerpt_id"])] for r in rows_of(response)] == \
        ["c16", "c1", "c9"]


def test_saved_query_and_formats(client, corpus):
    headers = token_for(client, "coder@example.org")
    created = client.post("/api/projects/study/queries", headers=headers,
                          json={"name": "Fragments", "query": {"code": ["DA-FRAG"]}})
    assert created.status_code == 201
    response = client.get("/api/projects/study/exports/excerpts",
                          params={"query": "Fragments", "format": "xlsx", "sheets": "site"},
                          headers=headers)
    assert response.status_code == 200
    assert 'filename="study-fragments-excerpts-' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Excerpts", "East", "North", "South", "Codebook", "About"]
    about = dict(r for r in book["About"].values if r and r[0] and r[1] is not None)
    assert about["Saved query"] == "Fragments" and about["Exported by"] == "coder@example.org"
    for fmt, media in (("jsonl", "application/jsonl"), ("md", "text/markdown"),
                       ("docx", "application/vnd.openxmlformats-officedocument")):
        got = client.get("/api/projects/study/exports/excerpts", headers=headers,
                         params={"query": str(created.json()["id"]), "format": fmt})
        assert got.status_code == 200 and got.headers["content-type"].startswith(media)
        assert got.headers["content-disposition"].endswith(f'.{fmt}"')


def test_outsiders_get_404_and_strangers_401(client, corpus):
    outsider = token_for(client, "outsider@example.org")
    for path in ("excerpts", "matrix"):
        url = f"/api/projects/study/exports/{path}"
        assert client.get(url, headers=outsider).status_code == 404
        assert client.get(url).status_code == 401
        assert client.get(f"/api/projects/nowhere/exports/{path}",
                          headers=outsider).status_code == 404


@pytest.mark.parametrize("params, status, detail", [
    ({"format": "pdf"}, 422, "format"),
    ({"code": "NOPE"}, 422, "no code 'NOPE'"),
    ({"from": "yesterday"}, 422, "from: 'yesterday' is not a date"),
    ({"q": "PA AND ("}, 422, ""),
    ({"query": "Fragments", "code": "PA"}, 422, "not both"),
    ({"query": "No such query"}, 404, "no saved query named 'No such query'"),
    ({"format": "csv", "excel": "true", "sheets": "code"}, 422, "sheets")])
def test_bad_requests_answer_with_a_reason_and_no_file(client, corpus, params, status, detail):
    headers = token_for(client, "viewer@example.org")
    response = client.get("/api/projects/study/exports/excerpts", params=params,
                          headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    assert detail in response.json()["detail"]


def test_matrix_csv_has_matrix_numbers(client, corpus):
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.matrix import matrix

    headers = token_for(client, "viewer@example.org")
    response = client.get("/api/projects/study/exports/matrix", headers=headers,
                          params={"rows": "code", "cols": "site", "kind": ["interview",
                                                                            "case_file"]})
    assert response.status_code == 200
    assert 'filename="study-matrix-code-site-' in response.headers["content-disposition"]
    rows = rows_of(response)
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        found = matrix(s, project=project, rows="code", cols="site",
                       filter=ExcerptFilter(kinds=["interview", "case_file"]))
        expected = [(r.key, c.key, found.cell(r.key, c.key)) for r in found.rows
                    for c in found.cols]
    assert len(rows) == len(expected) == len(found.rows) * len(found.cols)
    for row, (r, c, cell) in zip(rows, expected):
        assert (row["rows_dim"], row["row"], row["cols_dim"], row["col"]) == \
            ("code", r, "site", c)
        assert (int(row["excerpts"]), int(row["documents"]), row["pairs"]) == \
            (cell.excerpts, cell.documents, "")
        assert float(row["share"]) == pytest.approx(cell.share)
    by = {(r["row"], r["col"]): r for r in rows}
    assert by[("PA-RATION", "north")]["excerpts"] == "1"      # c1 (c9 is an observation)
    assert by[("PA-RATION", "north")]["share"] == "1.0"       # the one interview there
    assert by[("PA-PART", "east")]["excerpts"] == "0"


def test_matrix_xlsx_and_cooccurrence(client, corpus):
    headers = token_for(client, "viewer@example.org")
    response = client.get("/api/projects/study/exports/matrix", headers=headers,
                          params={"rows": "code", "cols": "code", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Pairs", "Documents", "Cells", "About"]
    grid = list(book["Pairs"].values)
    labels = [r[0] for r in grid[1:]]
    assert list(grid[0][1:]) == labels
    pairs = {(r[0], col): v for r in grid[1:] for col, v in zip(labels, r[1:])}
    assert pairs[("Rationing", "Texts")] == pairs[("Texts", "Rationing")] >= 1
    site = client.get("/api/projects/study/exports/matrix", headers=headers,
                      params={"rows": "family", "cols": "site", "format": "xlsx"})
    assert load_workbook(io.BytesIO(site.content)).sheetnames == \
        ["Excerpts", "Documents", "Share", "Cells", "About"]
    bad = client.get("/api/projects/study/exports/matrix", headers=headers,
                     params={"rows": "site", "cols": "site"})
    assert bad.status_code == 422 and "not available" in bad.json()["detail"]


def test_exports_are_in_the_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/projects/{project}/exports/excerpts",
                 "/api/projects/{project}/exports/matrix"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "400", "401", "404", "422"} <= set(responses)
