"""Per-member daily totals, so tier and expiry lookups do not grow with a member's history.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_days",
        sa.Column("member_id", sa.String(length=24), sa.ForeignKey("members.member_id"), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("spend", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "day"),
    )
    # date() parses the timestamp and gives its UTC calendar day (a stored time carries its offset)
    op.execute(
        "INSERT INTO member_days (member_id, day, spend, credits) "
        "SELECT member_id, date(created_at), sum(spend_delta), "
        "sum(CASE WHEN points_delta > 0 THEN points_delta ELSE 0 END) FROM ledger_entries "
        "WHERE spend_delta != 0 OR points_delta > 0 GROUP BY member_id, date(created_at)"
    )


def downgrade() -> None:
    op.drop_table("member_days")
