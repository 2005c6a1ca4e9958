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
@click.option("--patterns-only", is_flag=True,
              help="Score the patterns' finds without the codebook's ranker.")
def evaluate(project_slug: str, gold: Path | None, coder: str | None, csv_path: Path | None,
             processes: int, patterns_only: bool) -> None:
    """Precision, recall and F1 of suggestions per code, by passage overlap and by sentence."""
    from app.nlp.evaluate import evaluate_project, format_report, write_csv

    if (gold is None) == (coder is None):
        fail("give --gold FILE or --against-coder EMAIL (one of them)")
    with transaction() as session:
        project = projects.get_project_or_raise(session, slug=project_slug)
        report = evaluate_project(session, project=project, gold_path=gold,
                                  coder_email=coder, n_process=processes,
                                  patterns_only=patterns_only)
    click.echo(format_report(report))
    if csv_path is not None:
        write_csv(report, csv_path)
        click.echo(f"wrote {csv_path}")


@main.command("train-ranker")
@click.argument("gold_folders", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--codebook", "codebook_path", default=str(Path("codebooks")
              / "institutional-ethnography.yaml"), show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--threshold", default=0.3, show_default=True, type=float,
              help="Probability at which a sentence is suggested for a code.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: <codebook key>.ranker.json beside the codebook).")
def train_ranker(gold_folders: tuple[Path, ...], codebook_path: Path, threshold: float,
                 out: Path | None) -> None:
    """Fit the suggestion ranker on gold sets (folders of documents with a gold.jsonl)."""
    from app.codebook.spec import parse_yaml
    from app.errors import Invalid
    from app.nlp.evaluate import gold_set
    from app.nlp.ranker import FEATURES, scorer_definitions, train

    try:
        spec = parse_yaml(codebook_path.read_text(encoding="utf-8"), codebook_path.name)
        sets = [gold_set(folder, spec.codes) for folder in gold_folders]
        ranker = train(sets, spec.codes, scorer_definitions(spec.codes), codebook=spec.key,
                       threshold=threshold)
    except Invalid as err:
        fail(str(err))
    out = out or codebook_path.parent / f"{spec.key}.ranker.json"
    out.write_text(ranker.to_json() + "\n", encoding="utf-8")
    click.echo(f"wrote {out}: trained on {', '.join(ranker.trained_on)}; weights "
               + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, ranker.weights)))
