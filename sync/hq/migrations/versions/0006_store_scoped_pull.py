"""Stores and a pull shaped by them; member-id prefixes past 999.

Every terminal belongs to a store (`hq_terminals.store_id`). Terminals registered before stores existed are
put in the default store `main` (`sync.hq.auth.DEFAULT_STORE`): a chain that grew one terminal at a time had
no store names to recover, the pull of a single store is the pull they had, and an operator moves a terminal
to its real store with `kupa-hq register-terminal --store` for the next one it registers (docs/sync.md).
`hq_member_stores` links a member to the stores that need them — every existing member to `main`, as their
home — and `hq_changes.store_id` scopes a change to one store (NULL: every terminal's, the programs, catalog
and keys). The existing member, card and entry changes are `main`'s. `member_prefix` widens to 5 digits.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hq_terminals") as batch:
        batch.add_column(sa.Column("store_id", sa.String(length=40), nullable=False, server_default="main"))
        batch.alter_column("member_prefix", existing_type=sa.String(length=3), type_=sa.String(length=5),
                           existing_nullable=False)
    op.add_column("hq_changes", sa.Column("store_id", sa.String(length=40), nullable=True))
    op.execute("UPDATE hq_changes SET store_id = 'main' WHERE kind IN ('member', 'card', 'entry')")
    op.create_index("ix_hq_changes_store", "hq_changes", ["store_id", "change_id"])
    op.create_table(
        "hq_member_stores",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("how", sa.String(length=8), nullable=False),
        sa.Column("linked_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "store_id"),
    )
    op.execute("INSERT INTO hq_member_stores (member_id, store_id, how, linked_at)"
               " SELECT member_id, 'main', 'home', enrolled_at FROM hq_members")


def downgrade() -> None:
    op.drop_table("hq_member_stores")
    op.drop_index("ix_hq_changes_store", table_name="hq_changes")
    op.drop_column("hq_changes", "store_id")
    with op.batch_alter_table("hq_terminals") as batch:
        batch.alter_column("member_prefix", existing_type=sa.String(length=5), type_=sa.String(length=3),
                           existing_nullable=False)
        batch.drop_column("store_id")
