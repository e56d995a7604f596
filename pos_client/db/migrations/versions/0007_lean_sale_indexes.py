"""Drop the indexes no query reads any more, so that each sale writes fewer index pages.

Since the report projections of 0006 the KPIs read `sales_buckets` and `member_sales`, and nothing looks sales
up by member: `ix_sales_kind_time_kpi` (eight columns wide), `ix_sales_member_kind_time` and
`ix_sales_member_id` only cost every checkout a page each, as `ix_ledger_kind_time` does for every ledger
entry. Refunds are found by `refund_of`, which a sale leaves NULL: that index keeps only refunds.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_sales_kind_time_kpi", "sales")
    op.drop_index("ix_sales_member_kind_time", "sales")
    op.drop_index("ix_sales_member_id", "sales")
    op.drop_index("ix_ledger_kind_time", "ledger_entries")
    op.drop_index("ix_sales_refund_of", "sales")
    op.create_index("ix_sales_refund_of", "sales", ["refund_of"], sqlite_where=sa.text("refund_of IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_sales_refund_of", "sales")
    op.create_index("ix_sales_refund_of", "sales", ["refund_of"])
    op.create_index("ix_ledger_kind_time", "ledger_entries", ["kind", "created_at"])
    op.create_index("ix_sales_member_id", "sales", ["member_id"])
    op.create_index("ix_sales_member_kind_time", "sales", ["member_id", "kind", "created_at"])
    op.create_index("ix_sales_kind_time_kpi", "sales", ["kind", "created_at", "member_id", "total", "points_earned",
                                                        "redeemed_points", "redeemed_value", "discount_total"])
