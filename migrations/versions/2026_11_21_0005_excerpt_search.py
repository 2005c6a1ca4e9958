"""Full-text search over coded excerpts: FTS5 on SQLite, a GIN index on PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 23:05:00

Both index the coding's quote with no stemming and no accent folding ('simple' /
unicode61 remove_diacritics 0), so a search means the same on either database.
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE codings_fts USING fts5(
           quote, content='codings', content_rowid='id',
           tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER codings_fts_insert AFTER INSERT ON codings BEGIN
           INSERT INTO codings_fts(rowid, quote) VALUES (new.id, new.quote); END""",
    """CREATE TRIGGER codings_fts_delete AFTER DELETE ON codings BEGIN
           INSERT INTO codings_fts(codings_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
       END""",
    """CREATE TRIGGER codings_fts_update AFTER UPDATE OF quote ON codings BEGIN
           INSERT INTO codings_fts(codings_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
           INSERT INTO codings_fts(rowid, quote) VALUES (new.id, new.quote); END""",
    "INSERT INTO codings_fts(codings_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS codings_fts_update", "DROP TRIGGER IF EXISTS codings_fts_delete",
               "DROP TRIGGER IF EXISTS codings_fts_insert", "DROP TABLE IF EXISTS codings_fts"]
PG_UP = ["CREATE INDEX ix_codings_quote_fts ON codings USING GIN (to_tsvector('simple', quote))"]
PG_DOWN = ["DROP INDEX IF EXISTS ix_codings_quote_fts"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN)
