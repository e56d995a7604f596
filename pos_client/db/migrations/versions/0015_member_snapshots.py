"""HQ-confirmed member snapshots replace other terminals' raw entries in the pull (docs/sync.md, "The pull").

`member_snapshots` keeps the last snapshot HQ sent for a member (the base of its projections; NULL body: a
walk-in from another store not confirmed yet, earn-only), and `member_balances.last_credit_at` a paid plan's
last monthly credit as HQ confirmed it. A terminal in the field keeps its projections and its cursor: they
were complete (its pulls carried every entry), and the next change to a member brings its snapshot.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_snapshots",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.add_column("member_balances", sa.Column("last_credit_at", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_balances") as batch:
        batch.drop_column("last_credit_at")
    op.drop_table("member_snapshots")
