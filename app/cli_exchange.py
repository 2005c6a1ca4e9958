"""`fieldbench import-qdpx`: a REFI-QDA project in as a new project (`fieldbench export
--format qdpx` writes one out, through app.exchange.service.export_project)."""

from __future__ import annotations

from pathlib import Path

import click

from app.accounts import service as accounts
from app.cli import main
from app.db import transaction
from app.exchange import service as exchange


@main.command("import-qdpx")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "slug", required=True, help="Slug of the NEW project to create.")
@click.option("--name", help="Its name (default: the name in the file).")
@click.option("--owner", "owner_email", required=True,
              help="E-mail of the account that will own the project.")
def import_qdpx(file: Path, slug: str, name: str | None, owner_email: str) -> None:
    """Import a REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder ...) as a
    new project, and print what came over and what could not."""
    with transaction() as session, file.open("rb") as handle:
        owner = accounts.get_by_email_or_raise(session, email=owner_email)
        report = exchange.import_project(session, data_or_file=handle, slug=slug, name=name,
                                         by=owner, filename=file.name)
    for line in report.lines():
        click.echo(line)

