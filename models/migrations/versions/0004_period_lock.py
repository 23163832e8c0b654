"""period lock: reporting closed through a date

An administrator closes reporting up to a date (`resultsboard lock --through DATE`); an
import or revert that would create, change or delete a value whose period ends on or before
it is refused whole (DESIGN.md, "Access": Period locking). Each move of the lock is a row;
the newest is in force. Existing databases start with no lock.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 01:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('period_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('period_lock')
