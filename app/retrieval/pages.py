"""Retrieval pages: the excerpt browser (the URL is the query), matrices with drill-down,
sites compared side by side, saved queries. The JSON API is in routes.py; these pages use
the same services (service.find_excerpts, matrix.matrix, saved)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import or_, select

from app.codebook import service as codebook
from app.coding.models import ORIGINS
from app.documents.models import DOCUMENT_KINDS
from app.errors import FieldbenchError, Invalid
from app.memos.models import Memo
from app.projects import service as projects
from app.projects.models import GOVERNANCE
from app.retrieval import charts, expr, saved
from app.retrieval.filters import ExcerptFilter
from app.retrieval.matrix import COLS, ROWS, matrix
from app.retrieval.params import filter_from_query, query_from_filter
from app.retrieval.service import find_excerpts
from app.web import CurrentUser, SessionDep, render

router = APIRouter(include_in_schema=False)

PRESETS = [("code", "site", "Code × site"), ("code", "role", "Code × role"),
           ("code", "kind", "Code × kind"), ("code", "code", "Code × code (co-occurrence)"),
           ("family", "site", "Family × site")]
PAGE_SIZE = 50
COMPARE_LIMIT = 20


def qs(query: dict) -> str:
    """A query dict (values: strings or lists) as a query string."""
    return urlencode(query, doseq=True)


def _choices(session, proj) -> dict:
    codes = codebook.list_codes(session, project=proj)
    return {"codes": codes, "sites": projects.list_sites(session, project=proj),
            "kinds": DOCUMENT_KINDS, "governance": GOVERNANCE, "origins": ORIGINS,
            "sorts": ("site", "date", "document"), "help": expr.__doc__ or ""}


def _read_filter(request: Request) -> tuple[ExcerptFilter, str | None]:
    try:
        return filter_from_query(request.query_params), None
    except Invalid as err:
        return ExcerptFilter(), err.message


def _raw(request: Request) -> dict:
    """What the form showed (even when it was refused), so the user can mend it."""
    params = request.query_params
    return {name: params.getlist(name) for name in params.keys()}


@router.get("/p/{project}/excerpts", name="excerpts_page")
def excerpts_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                  cursor: str | None = None):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    f, error = _read_filter(request)
    page, query = None, {}
    if error is None:
        try:
            page = find_excerpts(session, project=proj, filter=f, limit=PAGE_SIZE,
                                 cursor=cursor or None, with_total=True)
            query = query_from_filter(f)
        except FieldbenchError as err:
            error = err.message
    return _excerpts(request, session, user, proj, role, f, page, query, error, cursor)


def _excerpts(request, session, user, proj, role, f, page, query, error, cursor=None,
              save_error=None, status_code=None, raw=None):
    status = status_code or (422 if error else 200)
    return render(request, "retrieval/excerpts.html", status_code=status, user=user,
                  project=proj, role=role, f=f, raw=_raw(request) if raw is None else raw, page=page, query=query,
                  qs=qs, error=error, cursor=cursor, save_error=save_error,
                  can_save=role.can_edit(), queries=saved.list_queries(session, project=proj),
                  query_of=lambda q: query_from_filter(saved.filter_of(q)),
                  **_choices(session, proj))


@router.post("/p/{project}/excerpts/save", name="excerpts_save")
async def excerpts_save(request: Request, session: SessionDep, user: CurrentUser,
                        project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user, need="edit")
    form = await request.form()
    name = str(form.get("name", ""))
    raw = {k: [str(v) for v in form.getlist(k)] for k in form.keys()
           if k not in ("name", "csrf_token")}
    try:
        f = filter_from_query(raw)
        saved.create(session, project=proj, by=user, name=name, filter=f)
    except FieldbenchError as err:
        f, error = ExcerptFilter(), None
        try:
            f = filter_from_query(raw)
        except Invalid as bad:
            error = bad.message
        return _excerpts(request, session, user, proj, role, f, None, query_from_filter(f),
                         error, save_error=err.message, status_code=err.status_code, raw=raw)
    url = request.url_for("excerpts_page", project=proj.slug)
    target = f"{url}?{qs(query_from_filter(f))}" if query_from_filter(f) else str(url)
    return RedirectResponse(target + ("&" if "?" in target else "?") + "saved=1",
                            status_code=303)


@router.get("/p/{project}/matrix", name="matrix_page")
def matrix_page(request: Request, session: SessionDep, user: CurrentUser, project: str,
                rows: str = "code", cols: str = "site"):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    f, error = _read_filter(request)
    found, grid, svg, bars = None, [], "", ""
    if error is None:
        try:
            found = matrix(session, project=proj, rows=rows, cols=cols, filter=f)
        except FieldbenchError as err:
            error = err.message
    if found is not None:
        top = max((c.value for c in found.cells), default=0)
        grid = [(label, [_cell(found, found.cell(label.key, col.key), top)
                         for col in found.cols]) for label in found.rows]
        if rows == cols == "code":
            svg = charts.heatmap(found)
        if cols == "site" and rows in ("family", "code"):
            try:
                fam = found if rows == "family" else matrix(
                    session, project=proj, rows="family", cols="site", filter=f)
                bars = charts.stacked_bars(fam, _family_colours(session, proj))
            except FieldbenchError:
                bars = ""
    base = {k: v for k, v in query_from_filter(f).items()} if error is None else {}
    return render(request, "retrieval/matrix.html", status_code=422 if error else 200,
                  user=user, project=proj, role=role, found=found, grid=grid, rows=rows,
                  cols=cols, error=error, presets=PRESETS, row_dims=ROWS, col_dims=COLS,
                  base=base, qs=qs, svg=svg, bars=bars, f=f, raw=_raw(request),
                  **_choices(session, proj))


def _family_colours(session, proj) -> dict[str, str]:
    return {c.key: c.colour for c in codebook.list_codes(session, project=proj)
            if c.parent_id is None and c.colour}


def _cell(found, cell, top: int) -> dict:
    value = cell.value
    bg, ink = charts.heat(value, top)
    return {"value": value, "bg": bg, "ink": ink, "share": cell.share,
            "query": query_from_filter(cell.filter) if value else None,
            "excerpts": cell.excerpts, "row": cell.row, "col": cell.col}


@router.get("/p/{project}/compare", name="compare_page")
def compare_page(request: Request, session: SessionDep, user: CurrentUser, project: str):
    proj, role = projects.get_for_member(session, slug=project, user=user)
    params = request.query_params
    wanted = list(dict.fromkeys(s for s in params.getlist("site") if s))
    code = (params.get("code") or "").strip()
    sites = {s.slug: s for s in projects.list_sites(session, project=proj)}
    codes = {c.key: c for c in codebook.list_codes(session, project=proj)}
    error, columns = None, []
    if wanted or code:
        unknown = [s for s in wanted if s not in sites]
        if unknown:
            error = f"site: no site '{unknown[0]}' in this project"
        elif len(wanted) < 2:
            error = "site: choose two or more sites to compare"
        elif code.lstrip("=") not in codes:
            error = f"code: choose a code or family (no code '{code}')" if code else \
                "code: choose a code or family"
    if (wanted or code) and error is None:
        target = codes[code.lstrip("=")]
        below = _below(codes, target)
        for slug in wanted:
            f = ExcerptFilter(codes=[code], sites=[slug])
            page = find_excerpts(session, project=proj, filter=f, limit=COMPARE_LIMIT,
                                 with_total=True)
            memos = session.scalars(select(Memo).where(
                Memo.project_id == proj.id, Memo.deleted_at.is_(None),
                or_(Memo.site_id == sites[slug].id, Memo.code_id.in_(below)))
                .order_by(Memo.id)).all()
            excerpt_memos = [(e, m) for e in page.excerpts for m in e.memos]
            columns.append({"site": sites[slug], "page": page, "query": query_from_filter(f),
                            "memos": memos, "excerpt_memos": excerpt_memos})
    return render(request, "retrieval/compare.html", status_code=422 if error else 200,
                  user=user, project=proj, role=role, sites=list(sites.values()),
                  codes=list(codes.values()), wanted=wanted, code=code, error=error,
                  columns=columns, qs=qs, limit=COMPARE_LIMIT)


def _below(codes: dict, target) -> list[int]:
    ids, frontier = {target.id}, [target.id]
    children: dict = {}
    for c in codes.values():
        children.setdefault(c.parent_id, []).append(c.id)
    while frontier:
        nxt = [i for p in frontier for i in children.get(p, [])]
        ids.update(nxt)
        frontier = nxt
    return list(ids)
