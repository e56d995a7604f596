"""HQ's first schema: terminals, the change log, entries, sales, members, balances, cards, keys, products,
programs, rejections and audit rows.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hq_audit',
    sa.Column('audit_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    op.create_table('hq_balances',
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('spend_total', sa.BigInteger(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('stamps', sa.Text(), nullable=False),
    sa.Column('review', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_index(op.f('ix_hq_balances_review'), 'hq_balances', ['review'], unique=False)
    op.create_table('hq_cards',
    sa.Column('card_number', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=True),
    sa.Column('issued_at', sa.String(length=40), nullable=True),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('card_number')
    )
    op.create_index(op.f('ix_hq_cards_member_id'), 'hq_cards', ['member_id'], unique=False)
    op.create_table('hq_changes',
    sa.Column('change_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('change_id')
    )
    op.create_table('hq_entries',
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points_delta', sa.BigInteger(), nullable=False),
    sa.Column('spend_delta', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('ref_code', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.create_index('ix_hq_entries_kind', 'hq_entries', ['kind'], unique=False)
    op.create_index(op.f('ix_hq_entries_member_id'), 'hq_entries', ['member_id'], unique=False)
    op.create_table('hq_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )
    op.create_table('hq_members',
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=24), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('birthday', sa.String(length=10), nullable=True),
    sa.Column('bonus_weekday', sa.Integer(), nullable=True),
    sa.Column('referred_by', sa.String(length=24), nullable=True),
    sa.Column('enrolled_at', sa.String(length=40), nullable=False),
    sa.Column('enrolled_by_terminal', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_index(op.f('ix_hq_members_phone'), 'hq_members', ['phone'], unique=False)
    op.create_table('hq_products',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('sku')
    )
    op.create_table('hq_programs',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('published_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    op.create_table('hq_rejections',
    sa.Column('rejection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('rejection_id')
    )
    op.create_index(op.f('ix_hq_rejections_terminal_id'), 'hq_rejections', ['terminal_id'], unique=False)
    op.create_table('hq_sales',
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('member_id', sa.String(length=24), nullable=True),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('sale_id')
    )
    op.create_index(op.f('ix_hq_sales_terminal_id'), 'hq_sales', ['terminal_id'], unique=False)
    op.create_table('hq_terminals',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('member_prefix', sa.String(length=3), nullable=False),
    sa.Column('registered_at', sa.String(length=40), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.Column('last_seen_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('terminal_id'),
    sa.UniqueConstraint('member_prefix'),
    sa.UniqueConstraint('token_sha256')
    )


def downgrade() -> None:
    op.drop_table('hq_terminals')
    op.drop_index(op.f('ix_hq_sales_terminal_id'), table_name='hq_sales')
    op.drop_table('hq_sales')
    op.drop_index(op.f('ix_hq_rejections_terminal_id'), table_name='hq_rejections')
    op.drop_table('hq_rejections')
    op.drop_table('hq_programs')
    op.drop_table('hq_products')
    op.drop_index(op.f('ix_hq_members_phone'), table_name='hq_members')
    op.drop_table('hq_members')
    op.drop_table('hq_keys')
    op.drop_index(op.f('ix_hq_entries_member_id'), table_name='hq_entries')
    op.drop_index('ix_hq_entries_kind', table_name='hq_entries')
    op.drop_table('hq_entries')
    op.drop_table('hq_changes')
    op.drop_index(op.f('ix_hq_cards_member_id'), table_name='hq_cards')
    op.drop_table('hq_cards')
    op.drop_index(op.f('ix_hq_balances_review'), table_name='hq_balances')
    op.drop_table('hq_balances')
    op.drop_table('hq_audit')
