"""Recount `member_days` so that a refund's spend counts on the day of the sale it reverses.

Until now a refund's negative spend landed on the refund's own day: refunding a sale whose spend had already
left the tier window took it off the spend still in the window (down to −₪54.00 and no tier). The rule is
now `pos_client.member_state.rules.day_deltas`: spend on the reversed entry's day, credits on their own UTC
day. The projection is recomputed from the ledger (the source of truth), with SQLite's `date()` of each
timestamp, which reads its offset.

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_RECOUNT = """
INSERT INTO member_days (member_id, day, spend, credits)
SELECT member_id, day, sum(spend), sum(credits) FROM (
    SELECT e.member_id AS member_id, date(coalesce(o.created_at, e.created_at)) AS day,
           e.spend_delta AS spend, 0 AS credits
      FROM ledger_entries e LEFT JOIN ledger_entries o ON o.entry_id = e.reverses
     WHERE e.spend_delta != 0
    UNION ALL
    SELECT member_id, date(created_at), 0, points_delta FROM ledger_entries WHERE points_delta > 0
) GROUP BY member_id, day
"""


def upgrade() -> None:
    op.execute("DELETE FROM member_days")
    op.execute(_RECOUNT)


def downgrade() -> None:
    """The old attribution is not restored: the recounted days are as true for the old code."""
