"""memos and coding updates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:56:47.330983
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('memos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('analytic', 'reflexive', 'interest', 'methodological')", name=op.f('ck_memos_kind')),
    sa.CheckConstraint('(CASE WHEN site_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN document_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN code_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END) <= 1', name=op.f('ck_memos_one_target')),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_memos_body')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_memos_author_id_users')),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_memos_code_id_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], name=op.f('fk_memos_coding_id_codings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_memos_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_memos_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_memos_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memos'))
    )
    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memos_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_coding_id'), ['coding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_memos_project_kind', ['project_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_memos_site_id'), ['site_id'], unique=False)

    # Existing codings take their creation time as their last change.
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE codings SET updated_at = created_at")
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.alter_column('updated_at', nullable=False)




def downgrade() -> None:

    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('memos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memos_site_id'))
        batch_op.drop_index('ix_memos_project_kind')
        batch_op.drop_index(batch_op.f('ix_memos_document_id'))
        batch_op.drop_index(batch_op.f('ix_memos_coding_id'))
        batch_op.drop_index(batch_op.f('ix_memos_code_id'))
        batch_op.drop_index(batch_op.f('ix_memos_author_id'))

    op.drop_table('memos')

