"""Index the outbox by what it carries, so a member's ledger can show each entry's sync state quickly.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_kind_ref", "outbox", ["kind", "ref_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_kind_ref", "outbox")
