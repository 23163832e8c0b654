"""indicator reporting attributes: frequency and aggregation

Adds the two reporting attributes of DESIGN.md ("Progress rules") to every indicator,
keeping every row: `frequency` (NOT NULL, existing indicators become 'annual', the
default) and `aggregation` (NULL = the measure's default: sum for unit, mean for
percentage and ordinal, latest for qualitative).

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


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): batch mode would copy and drop the table,
    # which the foreign keys of stored values forbid.
    op.drop_column('indicator', 'aggregation')
    op.drop_column('indicator', 'frequency')
