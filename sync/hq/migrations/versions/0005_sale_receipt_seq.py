"""HQ knows each terminal's highest receipt number: `hq_sales.receipt_seq` and an index on (terminal, it).

Every hello answers a terminal the highest receipt sequence number HQ holds from it
(`HelloResponse.acked_receipt_seq`), so a terminal restored from a backup numbers its next receipt past
every receipt it printed before the copy-back (docs/sync.md, "Restored terminals"). The index makes that one
lookup. It is not unique: a sale rung up on a restored terminal before its first sync may repeat a number
HQ holds, and HQ keeps that sale (the goods have left the store) rather than refuse it. The column is filled
from the stored bodies (sales pushed before receipt numbers have none).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hq_sales", sa.Column("receipt_seq", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE hq_sales SET receipt_seq = CASE WHEN (body::json->>'receipt_seq') ~ '^[0-9]{1,12}$'"
                   " THEN (body::json->>'receipt_seq')::bigint END")
    else:
        op.execute("UPDATE hq_sales SET receipt_seq = CASE WHEN json_valid(body) AND"
                   " typeof(json_extract(body, '$.receipt_seq')) = 'integer' THEN json_extract(body, '$.receipt_seq') END")
    op.create_index("ix_hq_sales_terminal_receipt", "hq_sales", ["terminal_id", "receipt_seq"])


def downgrade() -> None:
    op.drop_index("ix_hq_sales_terminal_receipt", "hq_sales")
    with op.batch_alter_table("hq_sales") as batch:
        batch.drop_column("receipt_seq")
