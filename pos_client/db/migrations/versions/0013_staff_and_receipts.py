"""Staff members with numbers, and receipt numbers on every sale.

`users` becomes `staff`: each member gets a number (`staff_id`), a creation time and keeps their old id in
`legacy_id`, so audit rows, sales and ledger entries written before keep naming them. The existing manager
becomes staff member #1 (the `kupa init` manager, then the other managers, then the cashiers, each by id).

Every existing sale and refund gets its receipt number, in the order it was recorded (`created_at`, then its
id), numbered from 1 on this terminal: `T<terminal number>-000001`, with the terminal's part chosen as
`pos_client.terminal.receipt_prefix` chooses it (repeated here, as a migration must not follow later code).
The numbering is deterministic, so a backup taken before this revision and migrated later numbers the same
sales the same way. Sales still waiting in the outbox get the number in their payload, so HQ learns it.
The `sales` append-only triggers (0009) are lifted for the one UPDATE and put back.

Revision ID: 0013
Revises: 0012
"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _prefix(conn: sa.Connection) -> str:
    values = {k: json.loads(v) for k, v in conn.execute(sa.text(
        "SELECT key, value FROM settings WHERE key IN ('terminal_id', 'member_prefix')"))}
    found = re.fullmatch(r"[Tt]?-?0*([0-9]{1,6})", str(values.get("terminal_id", "")))
    if found:
        return f"T{int(found.group(1) or 0)}"
    return f"T{values.get('member_prefix') or 1}"


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("staff_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("legacy_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint("role IN ('cashier', 'manager')", name="ck_staff_role"),
        sa.UniqueConstraint("legacy_id"),
    )
    op.execute(
        "INSERT INTO staff (name, role, pin_hash, active, created_at, legacy_id) "
        "SELECT name, role, pin_hash, active, strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', 'now'), user_id FROM users "
        "ORDER BY user_id = 'manager' DESC, role = 'manager' DESC, user_id")
    op.drop_table("users")

    op.add_column("sales", sa.Column("receipt_no", sa.String(length=24), nullable=True))
    op.add_column("sales", sa.Column("receipt_seq", sa.Integer(), nullable=True))
    conn = op.get_bind()
    prefix = _prefix(conn)
    ids = [row[0] for row in conn.execute(sa.text("SELECT sale_id FROM sales ORDER BY created_at, sale_id"))]
    op.execute("DROP TRIGGER IF EXISTS sales_no_update")
    numbered = [{"s": sale_id, "n": seq, "r": f"{prefix}-{seq:06d}"} for seq, sale_id in enumerate(ids, 1)]
    if numbered:
        conn.execute(sa.text("UPDATE sales SET receipt_seq = :n, receipt_no = :r WHERE sale_id = :s"), numbered)
        conn.execute(sa.text(
            "UPDATE outbox SET payload = json_set(payload, '$.receipt_no', :r, '$.receipt_seq', :n) "
            "WHERE kind = 'sale' AND status = 'pending' AND ref_id = :s"), numbered)
    op.execute("CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales "
               "BEGIN SELECT RAISE(ABORT, 'sales is append-only'); END")
    op.create_index("uq_sales_receipt_seq", "sales", ["receipt_seq"], unique=True,
                    sqlite_where=sa.text("receipt_seq IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("uq_sales_receipt_seq", "sales")
    # SQLite's own DROP COLUMN (3.35+): a batch copy of `sales` would drop the table the ledger's foreign keys
    # point at.
    op.execute("ALTER TABLE sales DROP COLUMN receipt_seq")
    op.execute("ALTER TABLE sales DROP COLUMN receipt_no")
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.execute("INSERT INTO users (user_id, name, role, pin_hash, active) "
               "SELECT coalesce(legacy_id, CAST(staff_id AS TEXT)), name, role, pin_hash, active FROM staff")
    op.drop_table("staff")
