"""an index on row_version (prior_batch_id, table_name): a revert, and a batch's rows in the
history, look up the later batches that changed rows a batch wrote by `prior_batch_id`;
without the index each lookup read the whole table (a million-row re-import that changes
every value adds a million versions)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:10:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_row_version_prior_batch', 'row_version', ['prior_batch_id', 'table_name'])


def downgrade() -> None:
    op.drop_index('ix_row_version_prior_batch', table_name='row_version')
