"""A terminal's ledger sequence numbers are unique at HQ: `hq_entries.seq` and a unique (terminal_id, seq).

A terminal restored from a backup numbers its next entries from where the backup stopped; HQ refuses an
entry that re-uses a (terminal, seq) it already holds under another entry id (`seq_reused`), so no other
terminal ever pulls two entries with the same sequence number. The column is filled from each stored body.
An HQ database that already accepted such a pair (before this revision) keeps both entries — an accepted
entry is never dropped — but only the first received keeps its `seq` here; the later ones get NULL (NULLs
never clash in a unique index) and are still sent to the terminals, which skip and report what they cannot
apply. `hq_members` gets an index on (enrolled_by_terminal, member_id): every hello reads a terminal's
highest member id from it.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hq_entries", sa.Column("seq", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE hq_entries SET seq = CASE WHEN (body::json->>'seq') ~ '^[0-9]{1,15}$'"
                   " THEN (body::json->>'seq')::bigint END")
    else:
        op.execute("UPDATE hq_entries SET seq = CASE WHEN json_valid(body) AND"
                   " typeof(json_extract(body, '$.seq')) = 'integer' THEN json_extract(body, '$.seq') END")
    op.execute("UPDATE hq_entries SET seq = NULL WHERE entry_id IN (SELECT entry_id FROM ("
               "SELECT entry_id, row_number() OVER (PARTITION BY terminal_id, seq ORDER BY received_at, entry_id)"
               " AS n FROM hq_entries WHERE seq IS NOT NULL) AS ranked WHERE n > 1)")
    op.create_index("uq_hq_entries_terminal_seq", "hq_entries", ["terminal_id", "seq"], unique=True)
    op.create_index("ix_hq_members_terminal_member", "hq_members", ["enrolled_by_terminal", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_hq_members_terminal_member", table_name="hq_members")
    op.drop_index("uq_hq_entries_terminal_seq", table_name="hq_entries")
    with op.batch_alter_table("hq_entries") as batch:
        batch.drop_column("seq")
