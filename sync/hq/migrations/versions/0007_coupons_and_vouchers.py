"""Coupons and reward vouchers at HQ (docs/promotions.md): `hq_promos` (every member coupon and voucher issued,
and the use that spent it) and `hq_coupon_uses` (public promo codes' uses per member, for the chain-wide and
per-member limits). Entries keep their `promo_ref` and `valid_until` in their stored body.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_promos",
        sa.Column("promo_ref", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("issued_entry", sa.String(length=36), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.Column("used_entry", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("promo_ref"),
    )
    op.create_index("ix_hq_promos_member_id", "hq_promos", ["member_id"])
    op.create_table(
        "hq_coupon_uses",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", "member_id"),
    )


def downgrade() -> None:
    op.drop_table("hq_coupon_uses")
    op.drop_index("ix_hq_promos_member_id", table_name="hq_promos")
    op.drop_table("hq_promos")
