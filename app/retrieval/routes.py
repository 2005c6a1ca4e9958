"""Retrieval through the JSON API: excerpts, matrices, saved queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.projects import service as projects
from app.retrieval import expr, saved
from app.retrieval.matrix import COLS, ROWS, matrix
from app.retrieval.params import filter_from_query, query_from_filter
from app.retrieval.schemas import (CellOut, ExcerptOut, ExcerptPageOut, LabelOut, MatrixOut,
                                   SavedQueryIn, SavedQueryOut, SavedQueryUpdate, as_utc)
from app.retrieval.service import ExcerptPage, find_excerpts
from app.schemas import errors
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["retrieval"])

FILTERS = """Filter parameters (repeat a parameter for any of several values; parameters
combine with AND): `code` (a code or family key; it takes in every code below it, `=KEY`
the code alone), `site` (slug), `strand`, `governance` (statutory, voluntary), `kind`
(document kind), `speaker`, `role` (`(none)`: in no turn of a speaker with a role), `agency`
(of the speaker of any turn the excerpt overlaps), `period` (fieldwork period), `from`, `to`
(document dates, YYYY-MM-DD, inclusive), `coder` (e-mail), `origin` (manual, suggested,
imported), `version` (codebook version number the coding was made under), `document` (id),
`memo` (yes/no: has a memo), `text` (full-text search of the excerpt: words, "a phrase",
prefix*; every term must match), `q` (the query language below), `sort` (site, date or
document; then document, start). A bad value answers 422 naming the parameter.

The query language (`q`):
""" + (expr.__doc__ or "")


def filter_parameters(
        request: Request,
        code: Annotated[list[str], Query(description="code or family key; =KEY: alone")] = [],
        site: Annotated[list[str], Query(description="site slug")] = [],
        strand: Annotated[list[str], Query()] = [],
        governance: Annotated[list[str], Query(description="statutory or voluntary")] = [],
        kind: Annotated[list[str], Query(description="document kind")] = [],
        speaker: Annotated[list[str], Query()] = [],
        role: Annotated[list[str], Query(description="speaker role; (none): no role")] = [],
        agency: Annotated[list[str], Query()] = [],
        period: Annotated[list[str], Query(description="fieldwork period")] = [],
        coder: Annotated[list[str], Query(description="coder's e-mail")] = [],
        origin: Annotated[list[str], Query(description="manual, suggested or imported")] = [],
        version: Annotated[list[str], Query(description="codebook version number")] = [],
        document: Annotated[list[str], Query(description="document id")] = [],
        q: Annotated[str, Query(description="the query language")] = "",
        text: Annotated[str, Query(description='words, "a phrase", prefix*')] = "",
        date_from: Annotated[str, Query(alias="from", description="YYYY-MM-DD")] = "",
        date_to: Annotated[str, Query(alias="to", description="YYYY-MM-DD")] = "",
        memo: Annotated[str, Query(description="yes or no")] = "",
        sort: Annotated[str, Query(description="site, date or document")] = "site"):
    """Declares the filter parameters (for the API's documentation); the route reads them
    with params.filter_from_query once it knows the user may see the project."""
    return request.query_params


Params = Annotated[object, Depends(filter_parameters)]
Limit = Annotated[int, Query(description="excerpts per page, 1 to 500")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Total = Annotated[bool, Query(description="also count every matching excerpt")]


def page_out(page: ExcerptPage) -> ExcerptPageOut:
    return ExcerptPageOut(excerpts=[ExcerptOut(**vars(e)) for e in page.excerpts],
                          next_cursor=page.next_cursor, total=page.total)


@router.get("/api/projects/{project}/excerpts", name="api_excerpts",
            response_model=ExcerptPageOut, responses=errors(401, 404, 422),
            description="One page of coded excerpts matching the filter, in a stable order "
                        "(keyset paging: pass next_cursor as cursor).\n\n" + FILTERS)
def api_excerpts(session: SessionDep, user: CurrentUser, project: str, params: Params,
                 limit: Limit = 50, cursor: Cursor = None, total: Total = False):
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return page_out(find_excerpts(session, project=proj, filter=filter_from_query(params),
                                  limit=limit, cursor=cursor, with_total=total))


@router.get("/api/projects/{project}/matrix", name="api_matrix", response_model=MatrixOut,
            responses=errors(401, 404, 422),
            description="The filtered excerpts counted by rows and cols. rows: code (each "
                        "codable code, its own codings), family (every code below it), site, "
                        "role (of the turns an excerpt overlaps; (none): no speaker), kind; "
                        "cols: site, role, kind, code, family. rows=code&cols=code is "
                        "co-occurrence: overlapping coding pairs per pair of codes, "
                        "symmetric, the diagonal the code's excerpts; each cell's query is "
                        "'A AND B'. Every cell carries the excerpt query behind it (its "
                        "excerpts count is what that query finds); share: of the documents "
                        "in scope in the cell's site or kind, those with its excerpts.\n\n"
                        + FILTERS)
def api_matrix(session: SessionDep, user: CurrentUser, project: str, params: Params,
               rows: Annotated[str, Query(description=" | ".join(ROWS))] = "code",
               cols: Annotated[str, Query(description=" | ".join(COLS))] = "site"):
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    found = matrix(session, project=proj, rows=rows, cols=cols, filter=filter_from_query(params))
    return MatrixOut(
        rows_dim=found.rows_dim, cols_dim=found.cols_dim, measure=found.measure,
        rows=[LabelOut(key=x.key, label=x.label) for x in found.rows],
        cols=[LabelOut(key=x.key, label=x.label) for x in found.cols],
        cells=[CellOut(row=c.row, col=c.col, excerpts=c.excerpts, documents=c.documents,
                       share=c.share, pairs=c.pairs, value=c.value,
                       query=query_from_filter(c.filter)) for c in found.cells])


def query_out(session: Session, query) -> SavedQueryOut:
    author = session.get(User, query.created_by_id) if query.created_by_id else None
    return SavedQueryOut(id=query.id, name=query.name, description=query.description,
                         query=query_from_filter(saved.filter_of(query)),
                         author=author.email if author else None,
                         created_at=as_utc(query.created_at), updated_at=as_utc(query.updated_at))


@router.get("/api/projects/{project}/queries", name="api_queries",
            response_model=list[SavedQueryOut], responses=errors(401, 404))
def api_queries(session: SessionDep, user: CurrentUser, project: str):
    """The project's saved queries, by name."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return [query_out(session, q) for q in saved.list_queries(session, project=proj)]


@router.post("/api/projects/{project}/queries", name="api_query_create", status_code=201,
             response_model=SavedQueryOut, responses=errors(401, 403, 404, 409, 422))
def api_query_create(session: SessionDep, user: CurrentUser, project: str, body: SavedQueryIn):
    """Save a filter (given as excerpt query parameters) under a name unique in the project
    (coders and owners); 409 if the name is taken, 422 for a bad filter."""
    proj, _ = projects.get_for_member(session, slug=project, user=user, need="edit")
    query = saved.create(session, project=proj, by=user, name=body.name,
                         description=body.description, filter=filter_from_query(body.query))
    return query_out(session, query)


@router.get("/api/projects/{project}/queries/{query_id}", name="api_query",
            response_model=SavedQueryOut, responses=errors(401, 404))
def api_query(session: SessionDep, user: CurrentUser, project: str, query_id: int):
    """One saved query."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    return query_out(session, saved.get(session, project=proj, query_id=query_id))


@router.put("/api/projects/{project}/queries/{query_id}", name="api_query_update",
            response_model=SavedQueryOut, responses=errors(401, 403, 404, 409, 422))
def api_query_update(session: SessionDep, user: CurrentUser, project: str, query_id: int,
                     body: SavedQueryUpdate):
    """Change a saved query's name, description or filter (its author or a project owner);
    fields left out stay as they are."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    query = saved.get(session, project=proj, query_id=query_id)
    new = filter_from_query(body.query) if body.query is not None else None
    return query_out(session, saved.update(session, query=query, by=user, name=body.name,
                                           description=body.description, filter=new))


@router.delete("/api/projects/{project}/queries/{query_id}", name="api_query_delete",
               status_code=204, responses=errors(401, 403, 404))
def api_query_delete(session: SessionDep, user: CurrentUser, project: str, query_id: int):
    """Delete a saved query (its author or a project owner)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    saved.delete(session, query=saved.get(session, project=proj, query_id=query_id), by=user)
    return Response(status_code=204)


@router.get("/api/projects/{project}/queries/{query_id}/excerpts", name="api_query_excerpts",
            response_model=ExcerptPageOut, responses=errors(401, 404, 422))
def api_query_excerpts(session: SessionDep, user: CurrentUser, project: str, query_id: int,
                       limit: Limit = 50, cursor: Cursor = None, total: Total = False):
    """Run a saved query: one page of its excerpts (as /excerpts)."""
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    query = saved.get(session, project=proj, query_id=query_id)
    return page_out(find_excerpts(session, project=proj, filter=saved.filter_of(query),
                                  limit=limit, cursor=cursor, with_total=total))
