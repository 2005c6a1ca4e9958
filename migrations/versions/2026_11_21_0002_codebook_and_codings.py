"""codebook and codings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 22:42:44.864709
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # First, so codings can reference (document, project) pairs.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_documents_id_project_id'), ['id', 'project_id'])

    op.create_table('codebook_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_codebook_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_codebook_versions_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codebook_versions')),
    sa.UniqueConstraint('id', 'project_id', name=op.f('uq_codebook_versions_id_project_id')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_codebook_versions_project_id_number'))
    )
    op.create_table('codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('guid', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_category', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('full_definition', sa.Text(), nullable=False),
    sa.Column('when_to_use', sa.Text(), nullable=False),
    sa.Column('when_not_to_use', sa.Text(), nullable=False),
    sa.Column('example', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('patterns', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('split_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'retired')", name=op.f('ck_codes_status')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_codes_not_own_parent')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['codes.id'], name=op.f('fk_codes_merged_into_id_codes')),
    sa.ForeignKeyConstraint(['parent_id', 'project_id'], ['codes.id', 'codes.project_id'], name=op.f('fk_codes_parent_id_project_id_codes')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_codes_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['split_from_id'], ['codes.id'], name=op.f('fk_codes_split_from_id_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes')),
    sa.UniqueConstraint('project_id', 'guid', name=op.f('uq_codes_project_id_guid')),
    sa.UniqueConstraint('id', 'project_id', name=op.f('uq_codes_id_project_id')),
    sa.UniqueConstraint('project_id', 'key', name=op.f('uq_codes_project_id_key'))
    )
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codes_parent_id'), ['parent_id'], unique=False)

    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('codebook_version_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("origin IN ('manual', 'suggested', 'imported')", name=op.f('ck_codings_origin')),
    sa.CheckConstraint('0 <= start AND start < "end"', name=op.f('ck_codings_span')),
    sa.CheckConstraint('length(quote) > 0', name=op.f('ck_codings_quote')),
    sa.ForeignKeyConstraint(['code_id', 'project_id'], ['codes.id', 'codes.project_id'], name=op.f('fk_codings_code_id_project_id_codes')),
    sa.ForeignKeyConstraint(['codebook_version_id', 'project_id'], ['codebook_versions.id', 'codebook_versions.project_id'], name=op.f('fk_codings_codebook_version_id_project_id_codebook_versions')),
    sa.ForeignKeyConstraint(['coder_id'], ['users.id'], name=op.f('fk_codings_coder_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_codings_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['document_id', 'project_id'], ['documents.id', 'documents.project_id'], name=op.f('fk_codings_document_id_project_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_codings_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codings'))
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index('ix_codings_code', ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_codings_coder_id'), ['coder_id'], unique=False)
        batch_op.create_index('ix_codings_document_start', ['document_id', 'start'], unique=False)


def downgrade() -> None:

    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index('ix_codings_document_start')
        batch_op.drop_index(batch_op.f('ix_codings_coder_id'))
        batch_op.drop_index('ix_codings_code')

    op.drop_table('codings')
    with op.batch_alter_table('codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codes_parent_id'))

    op.drop_table('codes')
    op.drop_table('codebook_versions')
    # Last: codings referenced (document, project) pairs.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_documents_id_project_id'), type_='unique')
