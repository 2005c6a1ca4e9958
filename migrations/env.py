"""Alembic environment: the URL comes from Fieldbench settings (or the caller's connection)."""

from alembic import context

from app.db import get_engine, include_name
from app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine().connect() as connection:
        _run(connection)
        connection.commit()
        if connection.dialect.name == "sqlite":
            # The connection goes back to the pool: restore what every session expects.
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _run(connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys on, dropping
        # the old table would cascade-delete the rows that point at it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
