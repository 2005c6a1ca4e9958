"""Query-string parameters and the ExcerptFilter, both ways.

Repeatable: code, site, kind, role, speaker, agency, strand, governance, period, coder,
origin, version, document (each: any of the values given). Single: q (the query language),
text (full-text search), from and to (dates, YYYY-MM-DD, inclusive), memo (yes/no),
sort (site, date or document). Empty values are ignored, as forms send them; a bad value
is refused with a message naming the parameter.

`filter_from_query` reads a request's query parameters (a MultiDict) or a plain dict whose
values are strings or lists of strings (a matrix cell's `query`, a saved query's);
`query_from_filter` is its inverse. `filter_from_params` reads `ExcerptFilter.to_params()`
(field names; how saved queries are stored).
"""

from __future__ import annotations

import datetime as dt

from app.coding.models import ORIGINS
from app.documents.models import DOCUMENT_KINDS
from app.errors import Invalid
from app.projects.models import GOVERNANCE
from app.retrieval import expr as ex
from app.retrieval.filters import SORTS, ExcerptFilter

REPEATABLE = {"code": "codes", "site": "sites", "kind": "kinds", "role": "roles",
              "speaker": "speakers", "agency": "agencies", "strand": "strands",
              "governance": "governance", "period": "periods", "coder": "coders",
              "origin": "origins", "version": "versions", "document": "documents"}
SINGLE = {"q": "expr", "text": "text", "from": "date_from", "to": "date_to",
          "memo": "has_memo", "sort": "sort"}
PARAMS = (*REPEATABLE, *SINGLE)
YES, NO = ("yes", "true", "1"), ("no", "false", "0")
CHOICES = {"kind": tuple(DOCUMENT_KINDS), "governance": GOVERNANCE, "origin": ORIGINS}


def _values(params, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        value = params.get(name)
        raw = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
    return [str(v).strip() for v in raw if v is not None and str(v).strip()]


def _number(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        what = "a codebook version number" if name == "version" else "a document id"
        raise Invalid(f"{name}: '{value}' is not {what}")
    return int(value)


def _date(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name}: '{value}' is not a date: write it as YYYY-MM-DD") from None


def _single(params, name: str) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise Invalid(f"{name}: give it once, not {len(values)} times")
    return values[0] if values else ""


def filter_from_query(query_params) -> ExcerptFilter:
    """The filter the parameters describe; Invalid (naming the parameter) for bad values."""
    fields: dict = {}
    for name, field in REPEATABLE.items():
        values = _values(query_params, name)
        if name in CHOICES:
            for value in values:
                if value not in CHOICES[name]:
                    raise Invalid(f"{name}: unknown value '{value}'; use one of: "
                                  f"{', '.join(CHOICES[name])}")
        if name in ("version", "document"):
            values = [_number(name, v) for v in values]
        fields[field] = list(dict.fromkeys(values))
    fields["expr"] = _single(query_params, "q")
    if fields["expr"]:
        ex.parse(fields["expr"])          # Invalid names the position
    fields["text"] = _single(query_params, "text")
    for name in ("from", "to"):
        value = _single(query_params, name)
        fields[SINGLE[name]] = _date(name, value) if value else None
    if fields["date_from"] and fields["date_to"] and fields["date_from"] > fields["date_to"]:
        raise Invalid("from: the start date is after the end date (to)")
    memo = _single(query_params, "memo").lower()
    if memo and memo not in YES + NO:
        raise Invalid(f"memo: write yes or no, not '{memo}'")
    fields["has_memo"] = None if not memo else memo in YES
    fields["sort"] = _single(query_params, "sort") or "site"
    if fields["sort"] not in SORTS:
        raise Invalid(f"sort: use one of {', '.join(SORTS)}, not '{fields['sort']}'")
    return ExcerptFilter(**fields)


def query_from_filter(f: ExcerptFilter) -> dict[str, str | list[str]]:
    """The filter as query-string parameters (lists repeat; empty and default values left
    out), so that filter_from_query(query_from_filter(f)) == f."""
    out: dict[str, str | list[str]] = {}
    for name, field in REPEATABLE.items():
        if values := getattr(f, field):
            out[name] = [str(v) for v in values]
    singles = {"q": f.expr, "text": f.text,
               "from": f.date_from.isoformat() if f.date_from else "",
               "to": f.date_to.isoformat() if f.date_to else "",
               "memo": "" if f.has_memo is None else "yes" if f.has_memo else "no",
               "sort": "" if f.sort == "site" else f.sort}
    out.update({name: value for name, value in singles.items() if value})
    return out


def filter_from_params(params: dict) -> ExcerptFilter:
    """The filter from `ExcerptFilter.to_params()` (field names), as saved queries store it."""
    fields = {**{v: k for k, v in REPEATABLE.items()}, **{v: k for k, v in SINGLE.items()}}
    unknown = set(params) - set(fields)
    if unknown:
        raise Invalid(f"unknown filter fields: {', '.join(sorted(unknown))}")
    return filter_from_query({fields[name]: value for name, value in params.items()})
