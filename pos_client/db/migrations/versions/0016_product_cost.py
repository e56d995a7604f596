"""Products may carry a cost price (`products.cost`, minor units; NULL: unknown): the gross margin behind the
KPIs' ROI (docs/kpis.md).

Revision ID: 0017
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("cost", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+): nothing references the column.
    op.drop_column("products", "cost")
