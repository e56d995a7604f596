"""Report projections: sales per UTC quarter-hour, refund corrections, counted member sales with their predecessors.

`kupa report kpis` and the dashboard read these instead of scanning every sale of the range (see
`pos_client/reports/projection.py`, which keeps them in the same transaction as each sale and refund).
The backfill recomputes them from the existing sales, so an upgraded store reports exactly as before.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A frozen copy of pos_client.reports.projection.REBUILD at this revision (a migration must not change
# when the application code does); tests/integration/test_report_projections.py checks they agree.
BUCKET = "CAST(strftime('%s', created_at) AS INTEGER) / 900"
BACKFILL = (
    "INSERT INTO sales_buckets (q, is_member, sales, paid, earned, redeemed, cost) "
    f"SELECT {BUCKET} AS b, member_id IS NOT NULL AS m, count(*), sum(total), sum(points_earned),"
    " sum(redeemed_points), sum(redeemed_value + discount_total) FROM sales WHERE kind = 'sale' GROUP BY b, m",
    """
INSERT INTO refund_corrections (sale_id, created_at, member_id, fully, sales, paid, earned, redeemed, cost)
WITH refunded AS (
    SELECT refund_of AS sale_id, sum(total) AS money_back, -sum(points_earned) AS points_reversed,
           sum(redeemed_points) AS points_returned
    FROM sales WHERE refund_of IS NOT NULL GROUP BY refund_of
), d AS (
    SELECT o.sale_id, o.member_id, o.created_at, o.total, o.points_earned, o.redeemed_points,
           o.redeemed_value + o.discount_total AS cost, r.money_back, r.points_reversed, r.points_returned,
           (SELECT sum(l.qty) FROM sale_lines l WHERE l.sale_id = o.sale_id)
             <= (SELECT coalesce(sum(l.qty), 0) FROM sales x JOIN sale_lines l ON l.sale_id = x.sale_id
                  WHERE x.refund_of = o.sale_id) AS fully
    FROM refunded r JOIN sales o ON o.sale_id = r.sale_id
    WHERE o.kind = 'sale'
)
SELECT sale_id, created_at, member_id, coalesce(fully, 0) AS fully,
       CASE WHEN fully THEN 1 ELSE 0 END AS sales,
       CASE WHEN fully THEN total ELSE coalesce(money_back, 0) END AS paid,
       CASE WHEN fully THEN points_earned ELSE coalesce(points_reversed, 0) END AS earned,
       CASE WHEN fully THEN redeemed_points ELSE coalesce(points_returned, 0) END AS redeemed,
       CASE WHEN fully THEN cost
            WHEN member_id IS NULL THEN 0
            ELSE -(SELECT coalesce(sum(e.value), 0) FROM ledger_entries e
                   WHERE e.sale_id = d.sale_id AND e.kind = 'reverse') END AS cost
FROM d
""",
    "INSERT INTO member_sales (member_id, sale_id, at, prev_at, prev2_at) "
    "SELECT member_id, sale_id, at, lag(at, 1) OVER w, lag(at, 2) OVER w FROM ("
    " SELECT member_id, CAST(strftime('%s', created_at) AS INTEGER) AS at, sale_id FROM sales"
    " WHERE kind = 'sale' AND member_id IS NOT NULL"
    " AND sale_id NOT IN (SELECT sale_id FROM refund_corrections WHERE fully = 1))"
    " WINDOW w AS (PARTITION BY member_id ORDER BY at, sale_id) ORDER BY member_id, at, sale_id",
)


def upgrade() -> None:
    op.create_table(
        "sales_buckets",
        sa.Column("q", sa.Integer(), nullable=False),  # UTC quarter-hour: epoch seconds // 900
        sa.Column("is_member", sa.Integer(), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.Column("earned", sa.Integer(), nullable=False),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("q", "is_member"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "refund_corrections",
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=True),
        sa.Column("fully", sa.Integer(), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Integer(), nullable=False),
        sa.Column("earned", sa.Integer(), nullable=False),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sale_id"),
    )
    op.create_index("ix_refund_corrections_time", "refund_corrections", ["created_at"])
    op.create_table(
        "member_sales",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.Integer(), nullable=False),
        sa.Column("prev_at", sa.Integer(), nullable=True),
        sa.Column("prev2_at", sa.Integer(), nullable=True),
    )
    for statement in BACKFILL:
        op.execute(statement)
    # indexes after the backfill: building them once is much faster than maintaining them row by row
    op.create_index("ix_member_sales_member", "member_sales", ["member_id", "at"])
    op.create_index("ix_member_sales_time", "member_sales", ["at", "prev_at", "prev2_at"])
    op.create_index("ix_member_sales_first", "member_sales", ["at"], sqlite_where=sa.text("prev_at IS NULL"))
    op.create_index("ix_members_merged_into", "members", ["merged_into"],
                    sqlite_where=sa.text("merged_into IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_members_merged_into", "members")
    op.drop_table("member_sales")
    op.drop_table("refund_corrections")
    op.drop_table("sales_buckets")
