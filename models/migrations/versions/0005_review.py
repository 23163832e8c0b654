"""review: partner uploads wait as pending values until an editor approves or returns them

A partner's upload is stored `submitted`, its changes to indicator values in
`pending_value`, apart from the approved values in `result_value`; an editor approves
(applied as a batch of its own, `applied_as`) or returns (with a `reason`) it (DESIGN.md,
"Access": Review). Existing batches keep their status.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dimension_value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('actual', sa.Float(precision=53), nullable=True),
    sa.Column('actual_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('clears', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('file', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pending_value_batch_id'), 'pending_value', ['batch_id'], unique=False)
    op.add_column('import_batch', sa.Column('reviewer', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column('import_batch', sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('import_batch', sa.Column('reason', sa.Text(), nullable=True))
    op.add_column('import_batch', sa.Column('applied_as', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_index(op.f('ix_pending_value_batch_id'), table_name='pending_value')
    op.drop_table('pending_value')
    # A plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy and drop the table,
    # which the foreign keys of every batch's rows forbid.
    for column in ('applied_as', 'reason', 'reviewed_at', 'reviewer'):
        op.drop_column('import_batch', column)
