"""The retrieval JSON API and its query-string parameters, on the hand-built corpus."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from starlette.datastructures import QueryParams

from app.errors import Invalid
from app.retrieval.filters import ExcerptFilter
from app.retrieval.params import filter_from_params, filter_from_query, query_from_filter
from tests.conftest import token_for

URL = "/api/projects/study"


@pytest.fixture
def api(client, corpus):
    """api(path, **params) -> response, as the viewer (reading is for every member)."""
    headers = token_for(client, "viewer@example.org")

    def get(path, params=None, who=None):
        return client.get(URL + path, params=params or {},
                          headers=token_for(client, who) if who else headers)
    return get


def names(corpus, response) -> list[str]:
    assert response.status_code == 200, response.text
    return [corpus["ids"][e["id"]] for e in response.json()["excerpts"]]


def test_excerpts_with_filters(api, corpus):
    assert names(corpus, api("/excerpts", {"code": "PA", "site": "east"})) == ["c15", "c16",
                                                                               "c18"]
    assert set(names(corpus, api("/excerpts", {"site": ["south", "east"], "kind": "case_file"}))
               ) == {"c10", "c11", "c12", "c13"}
    assert set(names(corpus, api("/excerpts", {"q": "PA-RATION AND RR-TEXT"}))) == {
        "c1", "c3", "c10", "c11"}
    assert names(corpus, api("/excerpts", {"text": '"scored twice"', "memo": "no"})) == ["c7",
                                                                                       "c8"]
    assert names(corpus, api("/excerpts", {"from": "2021-09-15", "to": "2022-02-01",
                                           "code": "=RR-TEXT"})) == ["c11"]
    assert names(corpus, api("/excerpts", {"memo": "yes"})) == ["c4"]
    assert names(corpus, api("/excerpts", {"role": "(none)", "sort": "date"})) == [
        "c7", "c8", "c9", "c12"]
    body = api("/excerpts", {"code": "DA-FRAG", "coder": "coder@example.org",
                             "version": "1"}).json()
    [excerpt] = body["excerpts"]
    assert excerpt["text"] == "she is not engaging" and excerpt["speaker"] == "SW"
    assert excerpt["role"] == "Social Worker" and excerpt["memos"] == [
        "She is described, not heard."]
    assert excerpt["codes_here"] == ["RR-DISC"] and excerpt["site"] == "north"
    assert excerpt["before"].endswith("The form says") and excerpt["date"] == "2021-03-10"
    assert excerpt["codebook_version"] == 1 and body["total"] is None


def test_paging_through_the_api(api, corpus):
    seen, cursor = [], None
    while True:
        body = api("/excerpts", {"limit": 4, "total": "true",
                                 **({"cursor": cursor} if cursor else {})}).json()
        assert body["total"] == 19
        seen += [corpus["ids"][e["id"]] for e in body["excerpts"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen[:6] == ["c14", "c15", "c16", "c17", "c18", "c1"] and len(seen) == 19


@pytest.mark.parametrize("params, message", [
    ({"q": "PA-RATION AND )"}, "at character 15"),
    ({"q": "PA-RATION NEAR/ RR"}, "at character 15: '/ RR'"),
    ({"q": "(PA-RATION"}, "')' is missing at the end"),
    ({"code": "NOPE"}, "no code 'NOPE'"),
    ({"q": "PA AND NOPE"}, "no code 'NOPE'"),
    ({"from": "21/3/2021"}, "from: '21/3/2021' is not a date"),
    ({"from": "2022-01-01", "to": "2021-01-01"}, "after the end date"),
    ({"kind": "podcast"}, "kind: unknown value 'podcast'"),
    ({"governance": "private"}, "governance: unknown value"),
    ({"origin": "magic"}, "origin: unknown value"),
    ({"version": "two"}, "version: 'two' is not a codebook version number"),
    ({"document": "-1"}, "document: '-1' is not a document id"),
    ({"memo": "maybe"}, "memo: write yes or no"),
    ({"sort": "colour"}, "sort: use one of site, date, document"),
    ({"q": ["A", "B"]}, "q: give it once"),
    ({"text": "***"}, "no words"),
    ({"limit": "0"}, "limit must be between 1 and 500"),
    ({"cursor": "not-a-cursor"}, "cursor is not one this server gave out"),
])
def test_bad_parameters_answer_422(api, params, message):
    response = api("/excerpts", params)
    assert response.status_code == 422 and message in response.json()["detail"], response.text


def test_outsiders_see_nothing(api):
    for path in ("/excerpts", "/matrix", "/queries"):
        assert api(path, {"q": "PA AND )"}, who="outsider@example.org").status_code == 404


def test_matrix_cells_link_to_their_excerpts(api, corpus):
    body = api("/matrix", {"rows": "code", "cols": "site"}).json()
    assert [c["key"] for c in body["cols"]] == ["east", "north", "south"]
    assert body["rows"][0] == {"key": "RR-TEXT", "label": "Texts"} and body["measure"] == "excerpts"
    first = body["cells"][0]
    assert first == {"row": "RR-TEXT", "col": "north", "excerpts": 1, "documents": 1,
                     "share": 0.5, "pairs": None, "value": 1,
                     "query": {"code": ["=RR-TEXT"], "site": ["north"]}}
    for cell in body["cells"]:
        assert len(names(corpus, api("/excerpts", cell["query"]))) == cell["excerpts"]


def test_cooccurrence_through_the_api(api, corpus):
    body = api("/matrix", {"rows": "code", "cols": "code", "site": ["north", "south"]}).json()
    cells = {(c["row"], c["col"]): c for c in body["cells"]}
    cell = cells[("PA-RATION", "RR-TEXT")]
    assert (cell["pairs"], cell["value"], cell["excerpts"]) == (2, 2, 4)
    assert cell["query"] == {"q": "PA-RATION AND =RR-TEXT", "site": ["north", "south"]}
    assert set(names(corpus, api("/excerpts", cell["query"]))) == {"c1", "c3", "c10", "c11"}
    assert ("RR-TEXT-RISK", "PA-PERF") not in cells and body["measure"] == "pairs"
    for cell in body["cells"]:
        assert len(names(corpus, api("/excerpts", cell["query"]))) == cell["excerpts"]


def test_matrix_errors(api):
    assert "rows must be one of" in api("/matrix", {"rows": "speaker"}).json()["detail"]
    response = api("/matrix", {"rows": "code", "cols": "code", "q": "PA AND RR"})
    assert response.status_code == 422 and "co-occurrence" in response.json()["detail"]
    assert api("/matrix", {"code": "NOPE"}).status_code == 422


def test_openapi_documents_parameters_and_language(app):
    operation = app.openapi()["paths"]["/api/projects/{project}/excerpts"]["get"]
    params = {p["name"] for p in operation["parameters"]}
    assert {"code", "site", "kind", "role", "speaker", "agency", "strand", "governance",
            "period", "coder", "origin", "version", "document", "q", "text", "from", "to",
            "memo", "sort", "limit", "cursor", "total"} <= params
    for words in ("OVERLAPS", "NEAR/200", "SAMETURN", "AND NOT", "a family key", "prefix*"):
        assert words in operation["description"]
    assert operation["tags"] == ["retrieval"] and "422" in operation["responses"]


def test_parameters_both_ways():
    f = ExcerptFilter(codes=["PA", "=RR-TEXT"], expr="PA NEAR/20 RR", sites=["north"],
                      kinds=["interview"], roles=["(none)"], date_from=dt.date(2021, 1, 1),
                      date_to=dt.date(2021, 12, 31), versions=[1, 2], documents=[3],
                      has_memo=False, text='"safety plan" risk*', sort="date",
                      coders=["a@example.org"], origins=["manual"], periods=["wave 1"],
                      governance=["statutory"], strands=["Transitions"], speakers=["YP"],
                      agencies=["Police"])
    params = query_from_filter(f)
    assert params["memo"] == "no" and params["from"] == "2021-01-01" and params["q"] == f.expr
    assert filter_from_query(params) == f
    assert filter_from_query(QueryParams(urlencode(params, doseq=True))) == f
    assert filter_from_params(f.to_params()) == f
    assert query_from_filter(ExcerptFilter()) == {}
    assert filter_from_query({"site": ["", " "], "memo": "", "sort": ""}) == ExcerptFilter()
    with pytest.raises(Invalid, match="unknown filter fields"):
        filter_from_params({"colour": "red"})
