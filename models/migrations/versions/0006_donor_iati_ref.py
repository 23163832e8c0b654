"""donor IATI organisation identifier: a donor's `iati_ref` (e.g. XM-DAC-301-1), written as
the `ref` of its funding participating-org in the IATI export

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('donor') as batch:
        batch.add_column(sa.Column('iati_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('donor') as batch:
        batch.drop_column('iati_ref')
