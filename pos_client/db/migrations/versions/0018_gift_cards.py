"""Gift cards and store credit: a ledger of money (`gift_movements`, append-only) and HQ's confirmed balances
(`gift_snapshots`). docs/giftcards.md.

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gift_movements",
        sa.Column("movement_id", sa.String(length=36), primary_key=True),
        sa.Column("account", sa.String(length=24), nullable=False),
        sa.Column("account_kind", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.String(length=36), sa.ForeignKey("sales.sale_id"), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("store_day", sa.String(length=10), nullable=False),
        sa.Column("expires_on", sa.String(length=10), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.Column("token", sa.String(length=160), nullable=True),
        sa.Column("cashier_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.CheckConstraint("account_kind IN ('gift_card', 'store_credit')", name="ck_gift_movements_account_kind"),
    )
    op.create_index("ix_gift_movements_account", "gift_movements", ["account", "created_at"])
    op.create_index("ix_gift_movements_sale_id", "gift_movements", ["sale_id"])
    op.create_table(
        "gift_snapshots",
        sa.Column("account", sa.String(length=24), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.String(length=40), nullable=False),
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER gift_movements_no_{verb.lower()} BEFORE {verb} ON gift_movements "
                   "BEGIN SELECT RAISE(ABORT, 'gift_movements is append-only'); END")


def downgrade() -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS gift_movements_no_{verb}")
    op.drop_table("gift_snapshots")
    op.drop_index("ix_gift_movements_sale_id", "gift_movements")
    op.drop_index("ix_gift_movements_account", "gift_movements")
    op.drop_table("gift_movements")
