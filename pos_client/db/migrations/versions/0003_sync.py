"""Sync with HQ: the balances HQ last confirmed for each member.

The pull cursor, the terminal's token and the last successful sync live in `settings`; this table keeps
HQ's confirmed figures so the manager (and the sync's own agreement check) can compare them with the
terminal's balance, which also counts entries HQ has not confirmed yet.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_confirmed",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("stamps", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_confirmed")
