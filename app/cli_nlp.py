"""`fieldbench evaluate`: how well the codebook's suggestion patterns agree with a coding."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli import fail, main
from app.db import transaction
from app.projects import service as projects


@main.command()
@click.argument("project_slug")
@click.option("--gold", "gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines: document (id or original file name), code, start, end.")
@click.option("--against-coder", "coder", metavar="EMAIL",
              help="Compare with this person's own codings in the project instead.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table as CSV.")
@click.option("--processes", default=1, show_default=True, type=int,
              help="Worker processes for the language model.")
def evaluate(project_slug: str, gold: Path | None, coder: str | None, csv_path: Path | None,
             processes: int) -> None:
    """Precision, recall and F1 of suggestions per code, by passage overlap and by sentence."""
    from app.nlp.evaluate import evaluate_project, format_report, write_csv

    if (gold is None) == (coder is None):
        fail("give --gold FILE or --against-coder EMAIL (one of them)")
    with transaction() as session:
        project = projects.get_project_or_raise(session, slug=project_slug)
        report = evaluate_project(session, project=project, gold_path=gold,
                                  coder_email=coder, n_process=processes)
    click.echo(format_report(report))
    if csv_path is not None:
        write_csv(report, csv_path)
        click.echo(f"wrote {csv_path}")
