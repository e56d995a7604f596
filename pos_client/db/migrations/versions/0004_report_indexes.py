"""Covering indexes for the manager's KPIs (`kupa report kpis`), so a year's report reads no sale bodies.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sales_kind_time_kpi", "sales", ["kind", "created_at", "member_id", "total", "points_earned",
                                                         "redeemed_points", "redeemed_value", "discount_total"])
    op.create_index("ix_sales_member_kind_time", "sales", ["member_id", "kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_sales_member_kind_time", "sales")
    op.drop_index("ix_sales_kind_time_kpi", "sales")
