"""`fieldbench codebook ...`: load, import and export codebooks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.cli import Group, fail, main
from app.codebook import files
from app.codebook import service as codebook
from app.codebook.service import CodebookDiff
from app.codebook.spec import CodebookError
from app.db import transaction
from app.projects import service as projects


@main.group(cls=Group)
def codebook_group() -> None:
    """Codebooks: load (YAML or .qdc) as a new version, export."""


codebook_group.name = "codebook"


def _show(changes: CodebookDiff, notes: list[str]) -> None:
    for key in changes.added:
        click.echo(f"  + {key}")
    for key in changes.removed:
        click.echo(f"  - {key} (retired; its codings are kept)")
    for key, fields in changes.changed.items():
        click.echo(f"  ~ {key}: {', '.join(fields)}")
    for note in notes:
        click.echo(f"  note: {note}")
    click.echo(f"{len(changes.added)} added, {len(changes.removed)} removed, "
               f"{len(changes.changed)} changed")


def _load(project_slug: str, path: Path, yes: bool, dry_run: bool) -> None:
    try:
        spec, notes = files.read(path.name, path.read_bytes())
    except CodebookError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    with transaction() as session:
        project = projects.get_project_or_raise(session, slug=project_slug)
        changes = codebook.preview(session, project=project, spec=spec)
        click.echo(f"Loading {path.name} into {project_slug} would change:")
        _show(changes, notes)
        if dry_run or changes.empty:
            click.echo("nothing loaded" if dry_run else "the codebook is already up to date")
            return
        if not yes and not click.confirm("Apply these changes as a new codebook version?"):
            click.echo("nothing loaded")
            return
        version, _ = codebook.load(session, project=project, spec=spec,
                                   by=projects.first_owner(session, project=project),
                                   note=f"loaded {path.name}")
        click.echo(f"codebook version {version.number} of {project_slug}")


@codebook_group.command("load")
@click.argument("project_slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Apply without asking.")
@click.option("--dry-run", is_flag=True, help="Show the changes only.")
def load(project_slug: str, path: Path, yes: bool, dry_run: bool) -> None:
    """Load a YAML (or .qdc) codebook as a new version; the diff is shown first."""
    _load(project_slug, path, yes, dry_run)


@codebook_group.command("import")
@click.argument("project_slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Apply without asking.")
def import_qdc(project_slug: str, path: Path, yes: bool) -> None:
    """Import a REFI-QDA .qdc codebook (from NVivo, ATLAS.ti, MAXQDA, QualCoder ...)."""
    if path.suffix.lower() != ".qdc":
        fail(f"{path.name}: codebook import takes a .qdc file (use 'codebook load' for YAML)")
    _load(project_slug, path, yes, dry_run=False)


@codebook_group.command("export")
@click.argument("project_slug")
@click.option("--format", "fmt", type=click.Choice(["qdc", "yaml"]), default="qdc")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(project_slug: str, fmt: str, output: Path) -> None:
    """Write the project's codebook as .qdc or YAML."""
    with transaction() as session:
        project = projects.get_project_or_raise(session, slug=project_slug)
        if codebook.current_version(session, project=project) is None:
            fail(f"project '{project_slug}' has no codebook yet")
        data, _ = files.export(session, project=project, fmt=fmt)
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data)} bytes)")
