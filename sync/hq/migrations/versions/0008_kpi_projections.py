"""KPI projections at HQ: sales per quarter-hour, refunds' corrections, counted member sales, enrolments per
quarter-hour, each member's tier with the last day it holds, and members per tier (`sync.hq.kpi_projection`).

`kupa-hq report kpis` reads these instead of the ledger and every member. The backfill recomputes them from
what HQ holds (`sync.hq.kpi_projection.rebuild`, the same code a push runs — HQ's projections are not frozen
SQL as the terminal's are: they are built by the push's own functions, so the migration calls them); the
indexes are built after it.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hq_kpi_buckets",
        sa.Column("q", sa.BigInteger(), nullable=False),
        sa.Column("is_member", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in ("sales", "paid", "earned", "redeemed", "cost")],
        sa.PrimaryKeyConstraint("q", "is_member"),
    )
    op.create_table(
        "hq_kpi_refunds",
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("q", sa.BigInteger(), nullable=True),
        sa.Column("member_id", sa.String(length=24), nullable=True),
        sa.Column("sold_qty", sa.BigInteger(), nullable=True),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in (
            "refunded_qty", "money_back", "points_reversed", "points_returned", "reversed_value")],
        sa.Column("fully", sa.Integer(), nullable=False),
        sa.Column("is_member", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in ("sales", "paid", "earned", "redeemed", "cost")],
        sa.PrimaryKeyConstraint("sale_id"),
    )
    op.create_table(
        "hq_kpi_member_sales",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("prev_at", sa.BigInteger(), nullable=True),
        sa.Column("prev2_at", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "hq_kpi_enrolments",
        sa.Column("q", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("q"),
    )
    op.create_table(
        "hq_member_tiers",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "hq_tier_counts",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("members", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("version", "tier"),
    )
    from pos_client.timeutil import utcnow
    from sync.hq.kpi_projection import rebuild

    rebuild(Session(bind=op.get_bind()), utcnow())
    op.create_index("ix_hq_kpi_refunds_q", "hq_kpi_refunds", ["q"])
    op.create_index("ix_hq_kpi_member_sales_member", "hq_kpi_member_sales", ["member_id", "at"])
    op.create_index("ix_hq_kpi_member_sales_time", "hq_kpi_member_sales", ["at", "prev_at", "prev2_at"])
    op.create_index("ix_hq_kpi_member_sales_first", "hq_kpi_member_sales", ["at"],
                    sqlite_where=sa.text("prev_at IS NULL"), postgresql_where=sa.text("prev_at IS NULL"))
    op.create_index("ix_hq_member_tiers_until", "hq_member_tiers", ["until"])
    op.create_index("ix_hq_member_tiers_version_tier", "hq_member_tiers", ["version", "tier"])


def downgrade() -> None:
    for table in ("hq_tier_counts", "hq_member_tiers", "hq_kpi_enrolments", "hq_kpi_member_sales", "hq_kpi_refunds", "hq_kpi_buckets"):
        op.drop_table(table)
