"""The wrong-PIN throttle moves into the database: `pin_attempts`, append-only.

It was a `pin_failures` file beside the database, which a cashier could delete to reset the slow-down and
which lost counts when two processes rewrote it at once. Each wrong PIN is now one INSERT (atomic, so
parallel guesses from several processes all count) and a right PIN after failures one `reset` row; triggers
refuse UPDATE and DELETE, so the streak cannot be wiped from the app or by removing a file.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_attempts",
        sa.Column("attempt_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.CheckConstraint("outcome IN ('fail', 'reset')", name="ck_pin_attempts_outcome"),
    )
    op.create_index("ix_pin_attempts_outcome", "pin_attempts", ["outcome", "attempt_id"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER pin_attempts_no_{verb.lower()} BEFORE {verb} ON pin_attempts "
                   "BEGIN SELECT RAISE(ABORT, 'pin_attempts is append-only'); END")


def downgrade() -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS pin_attempts_no_{verb}")
    op.drop_index("ix_pin_attempts_outcome", "pin_attempts")
    op.drop_table("pin_attempts")
