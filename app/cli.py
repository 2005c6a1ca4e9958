"""The `fieldbench` command: serve, migrate, and batch work on projects.

Each command is one transaction: it commits when it succeeds and changes nothing when it
fails (an import commits the files that went in and lists the ones refused).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.db import transaction
from app.errors import FieldbenchError


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


class Group(click.Group):
    """Turn service errors into one clear line and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FieldbenchError as err:
            fail(err.message)


@click.group(cls=Group)
def main() -> None:
    """Fieldbench: ethnographic qualitative coding for research teams."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application."""
    import uvicorn

    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True)


@main.group(cls=Group)
def db() -> None:
    """Database migrations."""


def _alembic_config():
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    return Config(str(root / "alembic.ini"))


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)
    click.echo(f"database at {revision}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' empties it)."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)
    click.echo(f"database at {revision}")


@main.command()
@click.option("--password", help="Demo password (default: a fixed one on SQLite, random otherwise).")
def demo(password: str | None) -> None:
    """Load the demo study: a demo user, six sites and a dozen fieldnotes and transcripts."""
    from app.demo.service import load_demo

    with transaction() as session:
        result = load_demo(session, password=password)
    for line in result:
        click.echo(line)


from app import cli_codebook, cli_commands, cli_exchange, cli_export, cli_nlp, cli_suggest  # noqa: E402,F401  (registers commands on `main`)
