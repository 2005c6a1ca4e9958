"""Codebook files in and out: YAML (our own shape) and REFI-QDA `.qdc`."""

from __future__ import annotations

from pathlib import PurePath

from sqlalchemy.orm import Session

from app.codebook import refi
from app.codebook.service import to_spec
from app.codebook.spec import CodebookError, CodebookSpec, dump_yaml, parse_yaml
from app.projects.models import Project

MAX_BYTES = 5 * 1024 * 1024


def read(filename: str, data: bytes) -> tuple[CodebookSpec, list[str]]:
    """A codebook from a `.yaml`/`.yml` or `.qdc` file, with notes on what was not brought over."""
    name = PurePath(filename).name
    suffix = PurePath(name).suffix.lower()
    if len(data) > MAX_BYTES:
        raise CodebookError([f"{name}: a codebook file may be at most 5 MB"])
    if suffix == ".qdc":
        return refi.import_qdc(data, filename=name)
    if suffix in (".yaml", ".yml"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CodebookError([f"{name}: the file is not UTF-8 text"]) from None
        return parse_yaml(text, name), []
    raise CodebookError([f"{name}: a codebook must be a .yaml, .yml or .qdc file"])


def export(session: Session, *, project: Project, fmt: str) -> tuple[bytes, str]:
    """The live codebook as file bytes and their media type."""
    spec = to_spec(session, project=project)
    if fmt == "yaml":
        return dump_yaml(spec).encode("utf-8"), "application/yaml"
    return refi.export_qdc(spec), "application/xml"
