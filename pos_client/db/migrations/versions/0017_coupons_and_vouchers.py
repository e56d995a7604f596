"""Coupons and reward vouchers (docs/promotions.md): ledger entries name the issued coupon or voucher
(`promo_ref`) and its last valid day (`valid_until`); `member_promos` projects what each member holds.

The renumbering trigger of migration 0008 compares every column of an entry: it is made again with the two new
ones, so a renumbered entry still changes nothing but its `seq`.

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


_COLUMNS = ("entry_id", "member_id", "terminal_id", "kind", "points_delta", "stamps_delta", "punch_card",
            "spend_delta", "value", "membership_code", "membership_days", "sale_id", "reverses", "cashier_id",
            "reason", "ref_code", "program_version", "created_at")


def _renumber_trigger(columns: tuple[str, ...]) -> None:
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in columns)
    renumber = (f"NEW.seq > OLD.seq AND {same} AND EXISTS (SELECT 1 FROM outbox WHERE kind = 'ledger_entry'"
                " AND ref_id = OLD.entry_id AND status = 'pending')")
    op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
    op.execute(f"CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries WHEN NOT ({renumber}) "
               "BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END")


def upgrade() -> None:
    op.add_column("ledger_entries", sa.Column("promo_ref", sa.String(length=40), nullable=True))
    op.add_column("ledger_entries", sa.Column("valid_until", sa.String(length=10), nullable=True))
    _renumber_trigger(_COLUMNS + ("promo_ref", "valid_until"))
    op.create_table(
        "member_promos",
        sa.Column("promo_ref", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=True),
        sa.Column("issued_at", sa.String(length=40), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.Column("used_entry", sa.String(length=36), nullable=True),
        sa.Column("used_sale", sa.String(length=36), nullable=True),
        sa.CheckConstraint("kind IN ('coupon', 'voucher')", name="ck_member_promos_kind"),
        sa.ForeignKeyConstraint(["member_id"], ["members.member_id"]),
        sa.PrimaryKeyConstraint("promo_ref"),
    )
    op.create_index("ix_member_promos_member", "member_promos", ["member_id", "kind", "code"])


def downgrade() -> None:
    op.drop_index("ix_member_promos_member", table_name="member_promos")
    op.drop_table("member_promos")
    _renumber_trigger(_COLUMNS)
    # SQLite's own DROP COLUMN: a batch copy would drop the table's append-only triggers.
    op.drop_column("ledger_entries", "valid_until")
    op.drop_column("ledger_entries", "promo_ref")
