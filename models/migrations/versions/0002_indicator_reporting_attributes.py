"""indicator reporting attributes: frequency and aggregation

Adds the two reporting attributes of DESIGN.md ("Progress rules") to every indicator,
keeping every row: `frequency` (NOT NULL, existing indicators become 'annual', the
default) and `aggregation`, filled with the measure's default (sum for unit, mean for
percentage and ordinal, latest for qualitative), as the import stores it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(), server_default='annual',
                                      nullable=False))
        batch_op.add_column(sa.Column('aggregation', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # The defaults as of this revision, written out (a migration never follows later code).
    op.execute("UPDATE indicator SET aggregation = CASE measure WHEN 'unit' THEN 'sum' WHEN 'percentage' THEN 'mean' "
               "WHEN 'ordinal' THEN 'mean' WHEN 'qualitative' THEN 'latest' ELSE 'sum' END WHERE aggregation IS NULL")


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy and drop the table,
    # which the foreign keys of stored values forbid.
    op.drop_column('indicator', 'aggregation')
    op.drop_column('indicator', 'frequency')
