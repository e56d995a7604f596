"""Push validation: a refused item's reason code and its parameters (JSON) beside the English reason.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hq_rejections') as batch:
        batch.add_column(sa.Column('code', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('params', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hq_rejections') as batch:
        batch.drop_column('params')
        batch.drop_column('code')
