"""Retrieval: partial indexes on live codings, a covering index of document scope and
sort keys, and the tallies the matrices read (filled here from the live codings).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 23:24:10.062839

The tallies are derived data (app/retrieval/tallies.py keeps them in step afterwards):
per document, each code's live excerpts and each pair of codes' overlaps; per site, sums.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


FILL = [
    """INSERT INTO tally_document_codes (document_id, code_id, excerpts)
       SELECT document_id, code_id, count(*) FROM codings WHERE deleted_at IS NULL
       GROUP BY document_id, code_id""",
    """INSERT INTO tally_document_pairs (document_id, code_lo, code_hi, pairs, hits_lo, hits_hi)
       SELECT a.document_id, a.code_id, b.code_id, count(*), count(DISTINCT a.id),
              count(DISTINCT b.id)
       FROM codings a JOIN codings b ON b.document_id = a.document_id
            AND b.code_id > a.code_id AND b.deleted_at IS NULL
            AND b.start < a."end" AND b."end" > a.start
       WHERE a.deleted_at IS NULL GROUP BY a.document_id, a.code_id, b.code_id""",
    """INSERT INTO tally_site_codes (site_id, code_id, excerpts, documents)
       SELECT d.site_id, t.code_id, sum(t.excerpts), count(*)
       FROM tally_document_codes t JOIN documents d ON d.id = t.document_id
       GROUP BY d.site_id, t.code_id""",
    """INSERT INTO tally_site_pairs (site_id, code_lo, code_hi, pairs, hits_lo, hits_hi,
                                     documents)
       SELECT d.site_id, t.code_lo, t.code_hi, sum(t.pairs), sum(t.hits_lo), sum(t.hits_hi),
              count(*)
       FROM tally_document_pairs t JOIN documents d ON d.id = t.document_id
       GROUP BY d.site_id, t.code_lo, t.code_hi""",
]


def upgrade() -> None:
    op.create_table('tally_site_codes',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('excerpts', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tally_site_codes_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'code_id', name=op.f('pk_tally_site_codes')),
    sqlite_with_rowid=False,
    )
    op.create_table('tally_site_pairs',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code_lo', sa.Integer(), nullable=False),
    sa.Column('code_hi', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('hits_lo', sa.Integer(), nullable=False),
    sa.Column('hits_hi', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tally_site_pairs_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'code_lo', 'code_hi', name=op.f('pk_tally_site_pairs')),
    sqlite_with_rowid=False,
    )
    op.create_table('tally_document_codes',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('excerpts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_tally_document_codes_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'code_id', name=op.f('pk_tally_document_codes')),
    sqlite_with_rowid=False,
    )
    op.create_table('tally_document_pairs',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_lo', sa.Integer(), nullable=False),
    sa.Column('code_hi', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('hits_lo', sa.Integer(), nullable=False),
    sa.Column('hits_hi', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_tally_document_pairs_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'code_lo', 'code_hi', name=op.f('pk_tally_document_pairs')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index('ix_codings_live_code', ['code_id', 'document_id', 'start', 'end', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_codings_live_span', ['document_id', 'start', 'end', 'code_id', 'id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_scope', ['project_id', 'site_id', 'date', 'kind', 'fieldwork_period', 'title', 'id'], unique=False)

    for statement in FILL:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_scope')

    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index('ix_codings_live_span', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_codings_live_code', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('tally_document_pairs')
    op.drop_table('tally_document_codes')
    op.drop_table('tally_site_pairs')
    op.drop_table('tally_site_codes')
