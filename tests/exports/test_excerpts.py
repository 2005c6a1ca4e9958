"""Excerpt exports through the service, format by format, on the hand-made corpus
(tests/retrieval/conftest.py): the rows are the excerpt browser's, in its order."""

from __future__ import annotations

import csv
import io
import json

import docx
import pytest
from openpyxl import load_workbook

from app.exports.columns import AFTER_SITE_ATTRIBUTES, BEFORE_SITE_ATTRIBUTES

HEADER = BEFORE_SITE_ATTRIBUTES + AFTER_SITE_ATTRIBUTES
ALL = ["c14", "c15", "c16", "c17", "c18", "c1", "c3", "c2", "c4", "c5", "c20", "c6", "c7",
       "c8", "c9", "c10", "c11", "c12", "c13"]     # by site name, date, document, start


@pytest.fixture
def browser(corpus):
    """browser(**filter fields) -> the browser's Excerpt objects (every page), in order."""
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter
    from app.retrieval.service import find_excerpts

    def find(**fields):
        with transaction() as s:
            project = projects.get_project_or_raise(s, slug="study")
            return find_excerpts(s, project=project, filter=ExcerptFilter(**fields),
                                 limit=500).excerpts
    return find


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def expected_row(e) -> dict:
    """An excerpt of the browser as the CSV writes it (all text)."""
    return {"excerpt_id": str(e.id), "project": "study", "site": e.site,
            "site_name": e.site_name, "strand": e.strand, "governance": e.governance or "",
            "country": e.country, "document_id": str(e.document_id),
            "document_title": e.document, "document_kind": e.kind,
            "document_date": e.date.isoformat() if e.date else "",
            "fieldwork_period": e.period, "speaker": e.speaker, "speaker_role": e.role,
            "speaker_agency": e.agency, "code": e.code, "code_name": e.code_name,
            "code_family": e.family, "codebook_version": str(e.codebook_version),
            "coder": e.coder, "origin": e.origin, "start": str(e.start), "end": str(e.end),
            "text": e.text, "sentence_before": e.before, "sentence_after": e.after,
            "memo_count": str(len(e.memos)), "memos": "\n---\n".join(e.memos)}


def test_csv_rows_are_the_browsers_excerpts(export_to, browser, corpus):
    data = export_to("csv")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    rows = read_csv(data)
    assert list(rows[0]) == HEADER
    assert [corpus["ids"][int(r["excerpt_id"])] for r in rows] == ALL
    assert rows == [expected_row(e) for e in browser()]


def test_csv_values_worked_out_by_hand(export_to, corpus):
    rows = {corpus["ids"][int(r["excerpt_id"])]: r for r in read_csv(export_to("csv"))}
    c1, c4, c3, c20 = rows["c1"], rows["c4"], rows["c3"], rows["c20"]
    assert (c1["site"], c1["site_name"], c1["strand"], c1["governance"], c1["country"]) == \
        ("north", "North", "Contextual Safeguarding", "statutory", "England")
    assert (c1["document_title"], c1["document_kind"], c1["document_date"],
            c1["fieldwork_period"]) == ("Panel interview", "interview", "2021-03-10", "wave 1")
    assert (c1["speaker"], c1["speaker_role"], c1["speaker_agency"]) == \
        ("Chair", "Chair", "Council")
    assert (c1["code"], c1["code_name"], c1["code_family"], c1["codebook_version"],
            c1["coder"], c1["origin"]) == ("PA-RATION", "Rationing", "PA", "1",
                                          "owner@example.org", "manual")
    assert c1["text"] == "We ration places by age"
    assert c1["sentence_after"].startswith("and the panel scored her risk.\nSW: The form")
    assert (c4["memo_count"], c4["memos"]) == ("1", "She is described, not heard.")
    assert c3["origin"] == "suggested" and c20["text"] == "the plan.\nPC: The police"
    assert rows["c18"]["codebook_version"] == "2" and rows["c17"]["document_date"] == ""
    assert "c19" not in rows                                   # removed codings are not


def test_site_attributes_become_columns(export_to, corpus):
    from app.db import transaction
    from app.projects.models import Site

    with transaction() as s:
        for site in s.query(Site):
            site.attributes = {"north": {"region": "North West", "panel": {"size": 5}},
                               "east": {"region": "East"}}.get(site.slug, {})
    rows = read_csv(export_to("csv", query_params={"code": ["PA-RATION"]}))
    assert list(rows[0])[7:9] == ["site_attr_panel", "site_attr_region"]
    assert [(r["site"], r["site_attr_panel"], r["site_attr_region"]) for r in rows] == [
        ("east", "", "East"), ("north", '{"size": 5}', "North West"),
        ("north", '{"size": 5}', "North West"), ("south", "", "")]


def add_risky_excerpt(corpus) -> None:
    """A coding whose text starts with '=' and one starting with '-' (formula-like)."""
    from app.coding import service as coding
    from app.db import transaction
    from app.documents import service as documents
    from app.projects import service as projects

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        meta = documents.DocumentMeta(site=projects.get_site(s, project=project, slug="south"),
                                      kind="case_file", title="Spreadsheet note")
        doc, _ = documents.ingest(s, project=project, filename="sheet.txt",
                                  data=b"=SUM(A1:A3) was typed in.\n-10 points off.\n",
                                  meta=meta, by=corpus["users"]["owner"], max_bytes=10**6)
        for phrase in ("=SUM(A1:A3)", "-10 points"):
            start = doc.text.index(phrase)
            coding.create(s, project=project, document=doc, code_key="DA-FRAG", start=start,
                          end=start + len(phrase), by=corpus["users"]["owner"])


def test_excel_csv_has_bom_crlf_and_guards_formulas(export_to, corpus):
    add_risky_excerpt(corpus)
    data = export_to("csv", excel=True, query_params={"code": ["DA-FRAG"], "site": ["south"]})
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == 4
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert [r["text"] for r in rows] == ["Nobody listens to me", "'=SUM(A1:A3)", "'-10 points"]
    raw = read_csv(export_to("csv", query_params={"code": ["DA-FRAG"], "site": ["south"]}))
    assert [r["text"] for r in raw] == ["Nobody listens to me", "=SUM(A1:A3)", "-10 points"]


def test_json_lines(export_to, browser):
    lines = export_to("jsonl").decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(ALL) and list(records[0]) == HEADER
    for record, e in zip(records, browser()):
        assert (record["excerpt_id"], record["text"], record["memos"], record["start"],
                record["document_date"]) == (e.id, e.text, e.memos, e.start,
                                             e.date.isoformat() if e.date else "")


def test_xlsx_sheets_rows_codebook_and_about(export_to, corpus):
    book = load_workbook(io.BytesIO(export_to("xlsx", query_params={"site": ["north"]})))
    assert book.sheetnames == ["Excerpts", "Codebook", "About"]
    rows = list(book["Excerpts"].values)
    assert list(rows[0]) == HEADER
    assert [corpus["ids"][r[0]] for r in rows[1:]] == ["c1", "c3", "c2", "c4", "c5", "c20",
                                                       "c6", "c7", "c8", "c9"]
    c4 = dict(zip(rows[0], rows[4]))
    assert (c4["memo_count"], c4["memos"], c4["start"], c4["document_date"]) == \
        (1, "She is described, not heard.", c4["start"], "2021-03-10")
    assert isinstance(c4["start"], int)
    codebook = list(book["Codebook"].values)
    assert codebook[0][:4] == ("key", "name", "family", "parent")
    assert [r[0] for r in codebook[1:]] == ["RR", "DA", "PA", "RR-TEXT", "RR-TEXT-RISK",
                                            "RR-DISC", "DA-FRAG", "DA-RITUAL", "PA-RATION",
                                            "PA-PERF", "PA-PART"]
    assert codebook[5][2:4] == ("RR", "RR-TEXT")
    about = dict(r for r in book["About"].values if r and r[0] and r[1] is not None)
    assert about["Project"] == "Study (study)" and about["Excerpts (rows)"] == 10
    assert about["  site"] == "north" and about["Filter"] == "site = north"
    assert about["Codebook version (current)"] == 2


def test_xlsx_keeps_formula_like_text_as_text(export_to, corpus):
    add_risky_excerpt(corpus)
    data = export_to("xlsx", query_params={"code": ["DA-FRAG"], "site": ["south"]})
    sheet = load_workbook(io.BytesIO(data))["Excerpts"]
    texts = [row[HEADER.index("text")] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in texts] == [
        ("Nobody listens to me", "s"), ("=SUM(A1:A3)", "s"), ("-10 points", "s")]


@pytest.mark.parametrize("by, sheets", [
    ("code", {"RR-TEXT": ["c3", "c11"], "RR-TEXT-RISK": ["c14", "c2", "c7"],
              "RR-DISC": ["c5", "c20"], "DA-FRAG": ["c17", "c4", "c12"],
              "DA-RITUAL": ["c8", "c13"], "PA-RATION": ["c16", "c1", "c9", "c10"],
              "PA-PERF": ["c15", "c6"], "PA-PART": ["c18"]}),
    ("site", {"East": ["c14", "c15", "c16", "c17", "c18"],
              "North": ["c1", "c3", "c2", "c4", "c5", "c20", "c6", "c7", "c8", "c9"],
              "South": ["c10", "c11", "c12", "c13"]})])
def test_xlsx_one_sheet_per_code_or_site(export_to, corpus, by, sheets):
    book = load_workbook(io.BytesIO(export_to("xlsx", group_by=by)))
    assert book.sheetnames == ["Excerpts", *sheets, "Codebook", "About"]
    for title, names in sheets.items():
        assert [corpus["ids"][r[0]] for r in list(book[title].values)[1:]] == names


def test_docx_report_groups_by_code_then_site(export_to):
    document = docx.Document(io.BytesIO(export_to("docx", query_params={
        "code": ["DA-FRAG", "PA-PERF"]})))
    outline = [(p.style.name, p.text) for p in document.paragraphs]
    assert outline[0] == ("Title", "Excerpts: Study")
    assert outline[1][1].startswith("code = DA-FRAG, PA-PERF. 5 excerpts, exported ")
    assert outline[2:] == [
        ("Heading 1", "DA-FRAG Fragmentation"),
        ("Heading 2", "East"), ("Quote", "how anxious the team feels"),
        ("Normal", "— East, Team reflections, undated, SW (Social Worker)"),
        ("Heading 2", "North"), ("Quote", "she is not engaging"),
        ("Normal", "— North, Panel interview, 2021-03-10, SW (Social Worker)"),
        ("Normal", "Memo: She is described, not heard."),
        ("Heading 2", "South"), ("Quote", "Nobody listens to me"),
        ("Normal", "— South, Case file Jordan, 2022-02-01, YP"),
        ("Heading 1", "PA-PERF Performance"),
        ("Heading 2", "East"), ("Quote", "near the station"),
        ("Normal", "— East, Station interview, 2022-06-20, PC (Police)"),
        ("Heading 2", "North"), ("Quote", "The police report arrived late"),
        ("Normal", "— North, Panel interview, 2021-03-10, PC (Police)")]


def test_markdown_report(export_to):
    text = export_to("md", query_params={"code": ["PA-PERF"]}, saved_query=None).decode()
    head, _, body = text.partition("\n\n## ")
    assert head.startswith("# Excerpts: Study\n\ncode = PA-PERF. 2 excerpts, exported ")
    assert "## " + body == (
        "## PA-PERF Performance\n\n### East\n\n> near the station\n\n"
        "— East, Station interview, 2022-06-20, PC (Police)\n\n### North\n\n"
        "> The police report arrived late\n\n"
        "— North, Panel interview, 2021-03-10, PC (Police)\n")


def test_markdown_quotes_every_line_and_escapes(export_to):
    text = export_to("md", query_params={"code": ["RR-DISC"], "text": "police"}).decode()
    assert "\n> the plan.\n> PC: The police\n" in text
    assert export_to("md", query_params={"code": ["PA-PART"]}).decode().count("\n## ") == 1


def test_an_empty_export_has_its_header(export_to):
    rows = export_to("csv", query_params={"code": ["PA-PART"], "site": ["north"]})
    assert rows.decode().splitlines() == [",".join(HEADER)]
    assert "No excerpts match." in export_to("md", query_params={"site": ["north"],
                                                                  "code": ["PA-PART"]}).decode()


def test_filters_and_saved_queries_are_respected(export_to, run, corpus):
    from app.db import transaction
    from app.projects import service as projects
    from app.retrieval import saved
    from app.retrieval.filters import ExcerptFilter

    def names(data):
        return [corpus["ids"][int(r["excerpt_id"])] for r in read_csv(data)]
    found = names(export_to("csv", query_params={"code": ["RR"], "role": ["Police"]}))
    assert found == run(codes=["RR"], roles=["Police"]) == ["c14", "c20"]
    assert names(export_to("csv", query_params={"q": "PA-RATION OVERLAPS RR-TEXT"})) == \
        run(expr="PA-RATION OVERLAPS RR-TEXT")
    assert names(export_to("csv", query_params={"sort": "date"})) == run(sort="date")
    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        query = saved.create(s, project=project, by=corpus["users"]["owner"],
                             name="Rationing, north",
                             filter=ExcerptFilter(codes=["PA-RATION"], sites=["north"]))
        query_id = query.id
    assert names(export_to("csv", saved_query="Rationing, north")) == ["c1", "c9"]
    assert names(export_to("csv", saved_query=str(query_id))) == ["c1", "c9"]


def test_batches_join_up(corpus, browser):
    from app.db import transaction
    from app.exports import stream
    from app.projects import service as projects
    from app.retrieval.filters import ExcerptFilter

    with transaction() as s:
        project = projects.get_project_or_raise(s, slug="study")
        batches = list(stream.excerpts(s, project, ExcerptFilter(), batch=4))
    assert [len(b) for b in batches] == [4, 4, 4, 4, 3]
    assert [e for b in batches for e in b] == [
        type(e)(**{**vars(e), "codes_here": []}) for e in browser()]


@pytest.mark.parametrize("options, message", [
    ({"format": "pdf"}, "format: use one of csv, xlsx, jsonl, md, docx"),
    ({"format": "xlsx", "excel": True}, "excel: the Excel-friendly variant is for CSV only"),
    ({"format": "csv", "group_by": "code"}, "sheets: one sheet per 'code' or per 'site'"),
    ({"format": "csv", "query_params": {"code": ["NOPE"]}}, "no code 'NOPE'"),
    ({"format": "csv", "query_params": {"from": "March"}}, "from: 'March' is not a date"),
    ({"format": "csv", "query_params": {"code": ["PA"]}, "saved_query": "x"},
     "give a saved query or filter parameters, not both (also given: code)")])
def test_bad_requests_are_refused(export_to, options, message):
    from app.errors import Invalid

    with pytest.raises(Invalid) as refused:
        export_to(options.pop("format"), **options)
    assert message in refused.value.message


def test_unknown_saved_query_and_large_word_reports(export_to, monkeypatch):
    from app.errors import Invalid, NotFound
    from app.exports import service

    with pytest.raises(NotFound):
        export_to("csv", saved_query="No such query")
    monkeypatch.setattr(service, "DOCX_LIMIT", 3)
    with pytest.raises(Invalid, match="a Word report holds at most 3 excerpts"):
        export_to("docx")
