"""Sync: what a pull skipped (`sync_skipped`), and renumbering a restored terminal's unsent entries.

`sync_skipped` keeps every pulled item the terminal could not apply (a time that is no time, an unknown
kind, a constraint it breaks, an invalid member field), with the reason and the cursor of its page: the pull
goes on past it and `kupa sync` and the manager see it (docs/sync.md).

The ledger stays append-only with one narrow exception. A terminal restored from a backup may have written
entries before its first sync whose sequence numbers HQ already holds from the entries the backup lost; at
that sync they are renumbered past HQ's (docs/sync.md, "Restored terminals"). So `ledger_entries_no_update`
now lets an UPDATE through only when it raises `seq` and changes nothing else, on an entry still waiting in
the outbox (HQ never saw its old number). Every other UPDATE is refused as before. A later migration that
adds a column to `ledger_entries` must add it to `_SAME` below.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = ("entry_id", "member_id", "terminal_id", "kind", "points_delta", "stamps_delta", "punch_card",
            "spend_delta", "value", "membership_code", "membership_days", "sale_id", "reverses", "cashier_id",
            "reason", "ref_code", "program_version", "created_at")
_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _COLUMNS)
_RENUMBER = (f"NEW.seq > OLD.seq AND {_SAME} AND EXISTS (SELECT 1 FROM outbox WHERE kind = 'ledger_entry'"
             " AND ref_id = OLD.entry_id AND status = 'pending')")


def upgrade() -> None:
    op.create_table(
        "sync_skipped",
        sa.Column("skipped_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("skipped_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("skipped_id"),
    )
    op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
    op.execute(f"CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries WHEN NOT ({_RENUMBER}) "
               "BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
    op.execute("CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries "
               "BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END")
    op.drop_table("sync_skipped")
