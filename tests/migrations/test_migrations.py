"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic import command
from alembic.config import Config
from pathlib import Path

from app.db import get_engine, include_name
from app.models import Base

ALEMBIC_INI = str(Path(__file__).resolve().parents[2] / "alembic.ini")



def test_models_match_migrations(database):
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(database):
    from sqlalchemy import inspect

    config = Config(ALEMBIC_INI)
    command.downgrade(config, "base")
    assert set(inspect(get_engine()).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert {"documents", "turns", "audit_events"} <= set(inspect(get_engine()).get_table_names())


def test_upgrade_keeps_existing_rows(tmp_path, monkeypatch):
    """Batch-mode table rebuilds on SQLite must not cascade-delete dependent rows."""
    from sqlalchemy import create_engine, text

    from app.db import reset_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    try:
        config = Config(ALEMBIC_INI)
        command.upgrade(config, "0001")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO projects (id, slug, name, description, created_at) "
                              "VALUES (1, 'p', 'P', '', '2024-01-01')"))
            conn.execute(text("INSERT INTO sites (id, project_id, slug, name, strand, country, "
                              "attributes, created_at) VALUES (1, 1, 's', 'S', '', '', '{}', "
                              "'2024-01-01')"))
            conn.execute(text("INSERT INTO documents (id, project_id, site_id, kind, title, "
                              "researcher, fieldwork_period, original_filename, format, "
                              "original_bytes, content_hash, text, word_count, created_at) "
                              "VALUES (1, 1, 1, 'interview', 't', '', '', 't.txt', 'txt', x'00',"
                              " 'h', 'Chair: hi', 2, '2024-01-01')"))
            conn.execute(text("INSERT INTO speakers (id, project_id, name, role, agency) "
                              "VALUES (1, 1, 'Chair', '', '')"))
            conn.execute(text("INSERT INTO turns (document_id, speaker_id, start, \"end\") "
                              "VALUES (1, 1, 7, 9)"))
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM turns")).scalar() == 1
        engine.dispose()
    finally:
        monkeypatch.undo()
        reset_engine()
