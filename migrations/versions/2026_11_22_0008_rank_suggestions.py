"""Projects: rank_suggestions, whether the codebook's trained ranker filters and adds to the
patterns' suggestions (on unless an owner turns it off).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 08:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("rank_suggestions", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("rank_suggestions")
