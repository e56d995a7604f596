"""A chain-sized HQ: monthly partitions, idempotency keys outside them, the token throttle in the database.

- `hq_entry_keys` (entry id → terminal, seq, created_at) and `hq_sale_keys` (sale id → created_at): unpartitioned,
  they keep an entry id, a sale id and a terminal's (terminal, seq) unique chain-wide, which a primary key on a
  partitioned table cannot (it must include the partition key). Filled from the rows HQ holds; a pair accepted
  twice before migration 0003 keeps its NULL `seq` here too.
- On PostgreSQL, `hq_entries` and `hq_sales` become tables partitioned by month of `created_at`
  (`sync.hq.partitions`): each is rebuilt as a partitioned table (primary key (id, created_at)) with a default
  partition, a partition per month found in its rows and the months around today, and its rows copied over.
  On SQLite they stay plain; `hq_entries`' unique (terminal_id, seq) index becomes a plain one there too (the
  uniqueness moved to `hq_entry_keys`).
- `hq_auth_failures`: the wrong-token throttle, shared by every HQ process (`sync.hq.throttle`).

Revision ID: 0004
Revises: 0003
"""
from datetime import datetime, timezone
from typing import Any

from alembic import op
import sqlalchemy as sa

from sync.hq.models import PARTITION_BY, PartitionTime
from sync.hq.partitions import add_months, create_month, month_of


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _entry_columns() -> list[sa.Column[Any]]:
    return [sa.Column("entry_id", sa.String(36), nullable=False),
            sa.Column("terminal_id", sa.String(64), nullable=False),
            sa.Column("seq", sa.BigInteger(), nullable=True),
            sa.Column("member_id", sa.String(24), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("points_delta", sa.BigInteger(), nullable=False),
            sa.Column("spend_delta", sa.BigInteger(), nullable=False),
            sa.Column("value", sa.BigInteger(), nullable=False),
            sa.Column("ref_code", sa.String(64), nullable=True),
            sa.Column("created_at", PartitionTime, nullable=False),
            sa.Column("received_at", sa.String(40), nullable=False),
            sa.Column("body", sa.Text(), nullable=False)]


def _sale_columns() -> list[sa.Column[Any]]:
    return [sa.Column("sale_id", sa.String(36), nullable=False),
            sa.Column("terminal_id", sa.String(64), nullable=False),
            sa.Column("kind", sa.String(8), nullable=False),
            sa.Column("member_id", sa.String(24), nullable=True),
            sa.Column("total", sa.BigInteger(), nullable=False),
            sa.Column("created_at", PartitionTime, nullable=False),
            sa.Column("body", sa.Text(), nullable=False)]


#: Each table's indexes after this revision: name → (columns, unique).
_ENTRY_INDEXES = {"ix_hq_entries_kind": ["kind"], "ix_hq_entries_member_id": ["member_id"],
                  "ix_hq_entries_terminal_seq": ["terminal_id", "seq"]}
_SALE_INDEXES = {"ix_hq_sales_terminal_id": ["terminal_id"]}


def _partition(table: str, key: str, columns: list[sa.Column[Any]], indexes: dict[str, list[str]],
               old_indexes: list[str]) -> None:
    """Rebuild `table` as a partitioned table with its rows (PostgreSQL)."""
    conn = op.get_bind()
    old = f"{table}_unpartitioned"
    for name in old_indexes:
        op.drop_index(name, table_name=table)
    op.rename_table(table, old)
    op.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{table}_pkey" TO "{old}_pkey"')
    op.create_table(table, *columns, sa.PrimaryKeyConstraint(key, "created_at", name=f"{table}_pkey"),
                    postgresql_partition_by=PARTITION_BY)
    for name, cols in indexes.items():
        op.create_index(name, table, cols)
    op.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
    found = conn.execute(sa.text(
        f"SELECT DISTINCT CAST(substr(created_at, 1, 4) AS integer), CAST(substr(created_at, 6, 2) AS integer)"
        f" FROM \"{old}\" WHERE created_at ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])-'")).all()
    now = month_of(datetime.now(timezone.utc))
    months = {(int(y), int(m)) for y, m in found} | {add_months(now, i) for i in range(-1, 4)}
    for month in sorted(months):
        create_month(conn, table, month)
    names = ", ".join(f'"{c.name}"' for c in columns)
    op.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{old}"')
    op.drop_table(old)


def _unpartition(table: str, key: str, columns: list[sa.Column[Any]], indexes: dict[str, list[str]]) -> None:
    """Back to a plain table with its rows (PostgreSQL downgrade)."""
    old = f"{table}_partitioned"
    for name in indexes:
        op.drop_index(name, table_name=table)
    op.rename_table(table, old)
    op.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{table}_pkey" TO "{old}_pkey"')
    op.create_table(table, *columns, sa.PrimaryKeyConstraint(key, name=f"{table}_pkey"))
    names = ", ".join(f'"{c.name}"' for c in columns)
    op.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{old}"')
    op.execute(f'DROP TABLE "{old}" CASCADE')


def upgrade() -> None:
    op.create_table("hq_entry_keys",
                    sa.Column("entry_id", sa.String(36), primary_key=True),
                    sa.Column("terminal_id", sa.String(64), nullable=False),
                    sa.Column("seq", sa.BigInteger(), nullable=True),
                    sa.Column("created_at", sa.String(40), nullable=False))
    op.create_table("hq_sale_keys",
                    sa.Column("sale_id", sa.String(36), primary_key=True),
                    sa.Column("created_at", sa.String(40), nullable=False))
    op.create_table("hq_auth_failures",
                    sa.Column("client", sa.String(64), primary_key=True),
                    sa.Column("failures", sa.Integer(), nullable=False),
                    sa.Column("blocked_until", sa.Double(), nullable=False),
                    sa.Column("last_at", sa.Double(), nullable=False))
    op.create_index("ix_hq_auth_failures_last_at", "hq_auth_failures", ["last_at"])
    op.execute("INSERT INTO hq_entry_keys (entry_id, terminal_id, seq, created_at)"
               " SELECT entry_id, terminal_id, seq, created_at FROM hq_entries")
    op.execute("INSERT INTO hq_sale_keys (sale_id, created_at) SELECT sale_id, created_at FROM hq_sales")
    op.create_index("uq_hq_entry_keys_terminal_seq", "hq_entry_keys", ["terminal_id", "seq"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        _partition("hq_entries", "entry_id", _entry_columns(), _ENTRY_INDEXES,
                   ["ix_hq_entries_kind", "ix_hq_entries_member_id", "uq_hq_entries_terminal_seq"])
        _partition("hq_sales", "sale_id", _sale_columns(), _SALE_INDEXES, ["ix_hq_sales_terminal_id"])
    else:
        op.drop_index("uq_hq_entries_terminal_seq", table_name="hq_entries")
        op.create_index("ix_hq_entries_terminal_seq", "hq_entries", ["terminal_id", "seq"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unpartition("hq_entries", "entry_id", _entry_columns(), _ENTRY_INDEXES)
        _unpartition("hq_sales", "sale_id", _sale_columns(), _SALE_INDEXES)
        op.create_index("ix_hq_entries_kind", "hq_entries", ["kind"])
        op.create_index("ix_hq_entries_member_id", "hq_entries", ["member_id"])
        op.create_index("ix_hq_sales_terminal_id", "hq_sales", ["terminal_id"])
    else:
        op.drop_index("ix_hq_entries_terminal_seq", table_name="hq_entries")
    op.create_index("uq_hq_entries_terminal_seq", "hq_entries", ["terminal_id", "seq"], unique=True)
    op.drop_index("uq_hq_entry_keys_terminal_seq", table_name="hq_entry_keys")
    op.drop_table("hq_auth_failures")
    op.drop_table("hq_sale_keys")
    op.drop_table("hq_entry_keys")
