"""The tidy table of excerpts: one row per excerpt, one column per fact, the same in
every tabular format (CSV, XLSX, JSON Lines), so R and pandas read any of them alike.

Site attributes: strand, governance and country have their own columns; a site's free
attributes become one column each, `site_attr_<name>` (the names every site of the project
uses, sorted; empty where a site lacks one; lists and objects written as JSON). Memos on
the excerpt: `memo_count`, and `memos` joined with MEMO_SEPARATOR (JSON Lines: a list).

Spreadsheet formulas: a cell that starts with = + - @ (or a tab or carriage return) could
run as a formula when a spreadsheet opens a CSV. Plain CSV keeps the text exactly (for R
and pandas); the Excel-friendly CSV puts an apostrophe before such a cell (`guard`);
XLSX stores every text as a text cell, never a formula, so it is kept exactly.
"""

from __future__ import annotations

import json

from app.retrieval.service import Excerpt

MEMO_SEPARATOR = "\n---\n"
RISKY = ("=", "+", "-", "@", "\t", "\r")

BEFORE_SITE_ATTRIBUTES = ["excerpt_id", "project", "site", "site_name", "strand",
                          "governance", "country"]
AFTER_SITE_ATTRIBUTES = ["document_id", "document_title", "document_kind", "document_date",
                         "fieldwork_period", "speaker", "speaker_role", "speaker_agency",
                         "code", "code_name", "code_family", "codebook_version", "coder",
                         "origin", "start", "end", "text", "sentence_before", "sentence_after",
                         "memo_count", "memos"]
DESCRIPTIONS = {
    "excerpt_id": "the coding's id (stable; the excerpt's address in Fieldbench)",
    "project": "the project's short name",
    "site": "the site's short name (slug)", "site_name": "the site's name",
    "strand": "the site's framework strand", "governance": "statutory or voluntary",
    "country": "the site's country",
    "site_attr_*": "the site's free attributes, one column each",
    "document_id": "the document's id", "document_title": "the document's title",
    "document_kind": "observation, interview, case_file ...",
    "document_date": "the document's date (YYYY-MM-DD), empty if undated",
    "fieldwork_period": "the fieldwork period", "speaker": "the speaker of the first turn "
    "the excerpt overlaps (pseudonym)", "speaker_role": "that speaker's role",
    "speaker_agency": "that speaker's agency", "code": "the code's key",
    "code_name": "the code's name", "code_family": "the key of the code's family "
    "(its root category)", "codebook_version": "the codebook version the coding was made "
    "under", "coder": "the coder's e-mail", "origin": "manual, suggested or imported",
    "start": "code-point offset into the document text (from 0)", "end": "offset just "
    "after the excerpt", "text": "the excerpt", "sentence_before": "the sentence before "
    "(and the start of its own)", "sentence_after": "the rest of its sentence and the "
    "sentence after", "memo_count": "memos on the excerpt",
    "memos": f"their texts, oldest first, joined by {MEMO_SEPARATOR!r}",
}


def site_attribute_names(sites) -> list[str]:
    """The free attribute names of the project's sites, sorted."""
    return sorted({str(name) for site in sites for name in (site.attributes or {})})


class Columns:
    """The column names for a project, and each excerpt as a row in that order."""

    def __init__(self, project_slug: str, attribute_names: list[str]):
        self.project = project_slug
        self.attributes = attribute_names
        self.names = (BEFORE_SITE_ATTRIBUTES + [f"site_attr_{a}" for a in attribute_names]
                      + AFTER_SITE_ATTRIBUTES)

    def row(self, e: Excerpt, *, memos_as_list: bool = False) -> list:
        """The excerpt's values, in column order (dates as YYYY-MM-DD, None as empty)."""
        memos = list(e.memos) if memos_as_list else MEMO_SEPARATOR.join(e.memos)
        return [e.id, *self.document_part(
                    site=(e.site, e.site_name, e.strand, e.governance, e.country,
                          e.site_attributes),
                    document=(e.document_id, e.document, e.kind, e.date, e.period)),
                e.speaker, e.role, e.agency, e.code, e.code_name, e.family, e.codebook_version,
                e.coder, e.origin, e.start, e.end, e.text, e.before, e.after, len(e.memos),
                memos]

    def document_part(self, *, site: tuple, document: tuple) -> tuple:
        """The columns from `project` to `fieldwork_period`: a site (slug, name, strand,
        governance, country, attributes) and a document (id, title, kind, date, period)."""
        slug, name, strand, governance, country, attributes = site
        doc_id, title, kind, date, period = document
        return (self.project, slug, name, strand, governance or "", country,
                *[_plain(attributes.get(a)) for a in self.attributes],
                doc_id, title, kind, date.isoformat() if date else "", period)

    def record(self, e: Excerpt) -> dict:
        """The excerpt as a JSON object (memos as a list)."""
        return dict(zip(self.names, self.row(e, memos_as_list=True)))


def _plain(value) -> str | int | float | bool:
    if value is None:
        return ""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def guard(value):
    """A text that a spreadsheet would take for a formula, with an apostrophe before it."""
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def citation(e: Excerpt) -> str:
    """Where an excerpt comes from: site, document, date and speaker (role)."""
    parts = [e.site_name, e.document, e.date.isoformat() if e.date else "undated"]
    if e.speaker:
        parts.append(f"{e.speaker} ({e.role})" if e.role else e.speaker)
    return ", ".join(parts)
