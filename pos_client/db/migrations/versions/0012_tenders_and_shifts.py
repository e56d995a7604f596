"""Payments and shifts: `tenders` (how each sale was paid, each refund paid back), `shifts` with their cash
movements (`shift_events`), closes with the kept Z report (`shift_closes`), and the shift of each sale
(`sale_shifts`). All append-only, like the sales they describe: triggers refuse UPDATE and DELETE.

Sales recorded before this migration keep no tenders (nobody recorded how they were paid) and belong to no
shift; reports count them under no tender.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APPEND_ONLY = ("tenders", "shifts", "shift_events", "shift_closes", "sale_shifts")


def upgrade() -> None:
    op.create_table(
        "tenders",
        sa.Column("sale_id", sa.String(length=36), sa.ForeignKey("sales.sale_id"), primary_key=True),
        sa.Column("line_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("given", sa.Integer(), nullable=False),
        sa.Column("change_given", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
    )
    op.create_table(
        "shifts",
        sa.Column("shift_id", sa.String(length=36), primary_key=True),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=False),
        sa.Column("opened_by", sa.String(length=40), nullable=True),
        sa.Column("float_amount", sa.Integer(), nullable=False),
    )
    op.create_table(
        "shift_events",
        sa.Column("event_id", sa.String(length=36), primary_key=True),
        sa.Column("shift_id", sa.String(length=36), sa.ForeignKey("shifts.shift_id"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
    )
    op.create_index("ix_shift_events_shift_id", "shift_events", ["shift_id"])
    op.create_table(
        "shift_closes",
        sa.Column("shift_id", sa.String(length=36), sa.ForeignKey("shifts.shift_id"), primary_key=True),
        sa.Column("closed_at", sa.String(length=40), nullable=False),
        sa.Column("closed_by", sa.String(length=40), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("expected_cash", sa.Integer(), nullable=False),
        sa.Column("over_short", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
    )
    op.create_table(
        "sale_shifts",
        sa.Column("sale_id", sa.String(length=36), sa.ForeignKey("sales.sale_id"), primary_key=True),
        sa.Column("shift_id", sa.String(length=36), sa.ForeignKey("shifts.shift_id"), nullable=False),
    )
    op.create_index("ix_sale_shifts_shift_id", "sale_shifts", ["shift_id"])
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index("ix_sale_shifts_shift_id", "sale_shifts")
    op.drop_table("sale_shifts")
    op.drop_table("shift_closes")
    op.drop_index("ix_shift_events_shift_id", "shift_events")
    op.drop_table("shift_events")
    op.drop_table("shifts")
    op.drop_table("tenders")
