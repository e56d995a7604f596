"""Make `sales` and `sale_lines` append-only like the ledger: triggers refuse UPDATE and DELETE.

A sale is a record of what the cashier saw complete; a refund is a new `sales` row of kind `refund` (with its
own lines), never an edit. Nothing in Kupa updates or deletes a sale (the report projections live in their own
tables), so the triggers only stop a script, a tool or a bug from rewriting history.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Tables made append-only here (`ledger_entries` and `audit_log` since 0001).
APPEND_ONLY = ("sales", "sale_lines")


def upgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
