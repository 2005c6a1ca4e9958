"""Exports through the JSON API: excerpts and matrices as files (attachments).

An excerpt export streams: CSV, JSON Lines and Markdown rows leave as they are written;
XLSX and DOCX once the file is made. The request's own transaction only checks the
request (so a bad filter is a 422 and nothing is sent); the file is written in a session
of its own, after it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app.exports import matrices, service
from app.projects import service as projects
from app.retrieval.matrix import COLS, ROWS
from app.retrieval.routes import FILTERS, Params
from app.schemas import errors
from app.web import CurrentUser, SessionDep

router = APIRouter(tags=["exports"])

Format = Literal["csv", "xlsx", "jsonl", "md", "docx"]
SavedQuery = Annotated[str, Query(description="a saved query's name or id, instead of "
                                              "filter parameters")]
FILES = {"content": {media: {"schema": {"type": "string", "format": "binary"}}
                     for media in ("text/csv", "application/jsonl", "text/markdown",
                                   matrices.FORMATS["xlsx"], service.DocxWriter.media_type)},
         "description": "the file, as an attachment"}


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store"}


@router.get("/api/projects/{project}/exports/excerpts", name="api_export_excerpts",
            response_class=StreamingResponse, responses={200: FILES, **errors(400, 401, 404, 422)},
            description="The excerpts a filter (or a saved query: `query`) finds, as a file: "
                        "`csv` (UTF-8; `excel=true`: with a byte-order mark, CRLF and "
                        "formula cells guarded), `xlsx` (Excerpts, Codebook and About "
                        "sheets; `sheets=code|site` adds one sheet per code or site), "
                        "`jsonl`, or a report grouped by code then site: `md`, `docx` (at "
                        f"most {service.DOCX_LIMIT:,} excerpts). Columns: see the README. "
                        "Viewers may export.\n\n" + FILTERS)
def api_export_excerpts(session: SessionDep, user: CurrentUser, project: str, params: Params,
                        format: Annotated[Format, Query()] = "csv", query: SavedQuery = "",
                        excel: Annotated[bool, Query(description="CSV for Excel")] = False,
                        sheets: Annotated[Literal["", "code", "site"],
                                          Query(description="XLSX: a sheet per code or per "
                                                            "site")] = ""):
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    export = service.prepare(session, project=proj, format=format, query_params=params,
                             saved_query=query or None, by=user, excel=excel, group_by=sheets)
    return StreamingResponse(service.chunks(export), media_type=export.media_type,
                             headers=attachment(export.filename))


@router.get("/api/projects/{project}/exports/matrix", name="api_export_matrix",
            response_class=Response, responses={200: FILES, **errors(400, 401, 404, 422)},
            description="A matrix of the filtered excerpts (as /api/projects/{project}/matrix)"
                        " as a file: `csv`, tidy, one row per cell with zeros (rows_dim, row,"
                        " row_label, cols_dim, col, col_label, excerpts, documents, share, "
                        "pairs, value), or `xlsx` (a grid per measure, the cells, About).\n\n"
                        + FILTERS)
def api_export_matrix(session: SessionDep, user: CurrentUser, project: str, params: Params,
                      format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
                      rows: Annotated[str, Query(description=" | ".join(ROWS))] = "code",
                      cols: Annotated[str, Query(description=" | ".join(COLS))] = "site",
                      query: SavedQuery = ""):
    proj, _ = projects.get_for_member(session, slug=project, user=user)
    export = matrices.prepare_matrix(session, project=proj, format=format, rows=rows,
                                     cols=cols, query_params=params,
                                     saved_query=query or None, by=user)
    return Response(matrices.to_bytes(export), media_type=export.media_type,
                    headers=attachment(export.filename))
