"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic import command
from alembic.config import Config
from pathlib import Path

from app.db import get_engine
from app.models import Base

ALEMBIC_INI = str(Path(__file__).resolve().parents[2] / "alembic.ini")


def test_models_match_migrations(database):
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(database):
    from sqlalchemy import inspect

    config = Config(ALEMBIC_INI)
    command.downgrade(config, "base")
    assert set(inspect(get_engine()).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {"documents", "turns", "audit_events"} <= set(inspect(get_engine()).get_table_names())
