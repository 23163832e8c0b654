"""user identity: the issuer and subject of the first verified sign-in

A user row is matched by e-mail only when the identity provider vouches for it; the first
sign-in records the provider's issuer (`iss`) and subject (`sub`), and later sign-ins must
match them (DESIGN.md, "Access"). Existing users keep their rows, unbound until they sign in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('app_user', sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column('app_user', sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_index('ix_app_user_identity', 'app_user', ['issuer', 'subject'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_app_user_identity', table_name='app_user')
    op.drop_column('app_user', 'subject')
    op.drop_column('app_user', 'issuer')
