"""Gift cards and store credit at HQ: the accounts with their authoritative balance, and the accepted money
movements (docs/giftcards.md).

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_gift_accounts",
        sa.Column("account", sa.String(length=24), primary_key=True),
        sa.Column("account_kind", sa.String(length=12), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("expires_on", sa.String(length=10), nullable=True),
        sa.Column("issued_by", sa.String(length=64), nullable=True),
    )
    op.create_table(
        "hq_gift_movements",
        sa.Column("movement_id", sa.String(length=36), primary_key=True),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_hq_gift_movements_account", "hq_gift_movements", ["account"])


def downgrade() -> None:
    op.drop_index("ix_hq_gift_movements_account", "hq_gift_movements")
    op.drop_table("hq_gift_movements")
    op.drop_table("hq_gift_accounts")
