"""Initial schema, with triggers that make the ledger and the audit log append-only.

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("ledger_entries", "audit_log")


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('audit_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=80), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)

    op.create_table('members',
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=24), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('birthday', sa.String(length=10), nullable=True),
    sa.Column('bonus_weekday', sa.Integer(), nullable=True),
    sa.Column('referred_by', sa.String(length=24), nullable=True),
    sa.Column('enrolled_at', sa.String(length=40), nullable=False),
    sa.Column('enrolled_by_terminal', sa.String(length=64), nullable=False),
    sa.Column('merged_into', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['referred_by'], ['members.member_id'], ),
    sa.PrimaryKeyConstraint('member_id')
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_phone'), ['phone'], unique=False)

    op.create_table('outbox',
    sa.Column('outbox_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('outbox_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)

    op.create_table('parked_carts',
    sa.Column('cart_id', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('cart_id')
    )
    op.create_table('products',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_he', sa.String(length=120), nullable=True),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('barcode', sa.String(length=32), nullable=True),
    sa.Column('quick_pick', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('sku')
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_barcode'), ['barcode'], unique=False)

    op.create_table('program_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    with op.batch_alter_table('program_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_versions_loaded_at'), ['loaded_at'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('trusted_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )
    op.create_table('users',
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('cards',
    sa.Column('card_number', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=True),
    sa.Column('issued_at', sa.String(length=40), nullable=False),
    sa.Column('revoked_at', sa.String(length=40), nullable=True),
    sa.Column('revoked_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.member_id'], ),
    sa.PrimaryKeyConstraint('card_number'),
    sa.UniqueConstraint('member_id', 'serial')
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_member_id'), ['member_id'], unique=False)

    op.create_table('member_balances',
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('credits_total', sa.Integer(), nullable=False),
    sa.Column('debits_total', sa.Integer(), nullable=False),
    sa.Column('membership_code', sa.String(length=40), nullable=True),
    sa.Column('membership_expires', sa.String(length=40), nullable=True),
    sa.Column('last_birthday_year', sa.Integer(), nullable=True),
    sa.Column('sales_count', sa.Integer(), nullable=False),
    sa.Column('last_sale_at', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.member_id'], ),
    sa.PrimaryKeyConstraint('member_id')
    )
    op.create_table('member_stamps',
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('punch_card', sa.String(length=40), nullable=False),
    sa.Column('stamps', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.member_id'], ),
    sa.PrimaryKeyConstraint('member_id', 'punch_card')
    )
    op.create_table('sales',
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('refund_of', sa.String(length=36), nullable=True),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('cashier_id', sa.String(length=40), nullable=True),
    sa.Column('member_id', sa.String(length=24), nullable=True),
    sa.Column('program_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.Integer(), nullable=False),
    sa.Column('discount_total', sa.Integer(), nullable=False),
    sa.Column('redeemed_points', sa.Integer(), nullable=False),
    sa.Column('redeemed_value', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('points_earned', sa.Integer(), nullable=False),
    sa.Column('qualifying_spend', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.member_id'], ),
    sa.ForeignKeyConstraint(['refund_of'], ['sales.sale_id'], ),
    sa.PrimaryKeyConstraint('sale_id')
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_refund_of'), ['refund_of'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=24), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points_delta', sa.Integer(), nullable=False),
    sa.Column('stamps_delta', sa.Integer(), nullable=False),
    sa.Column('punch_card', sa.String(length=40), nullable=True),
    sa.Column('spend_delta', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('membership_code', sa.String(length=40), nullable=True),
    sa.Column('membership_days', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=True),
    sa.Column('reverses', sa.String(length=36), nullable=True),
    sa.Column('cashier_id', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('ref_code', sa.String(length=40), nullable=True),
    sa.Column('program_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.member_id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.sale_id'], ),
    sa.PrimaryKeyConstraint('entry_id'),
    sa.UniqueConstraint('terminal_id', 'seq')
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index('ix_ledger_kind_time', ['kind', 'created_at'], unique=False)
        batch_op.create_index('ix_ledger_member_time', ['member_id', 'created_at'], unique=False)

    op.create_table('sale_lines',
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('free_units', sa.Integer(), nullable=False),
    sa.Column('free_by_card', sa.Text(), nullable=False),
    sa.Column('percent_discount', sa.Integer(), nullable=False),
    sa.Column('redeemed_value', sa.Integer(), nullable=False),
    sa.Column('paid', sa.Integer(), nullable=False),
    sa.Column('stamps', sa.Text(), nullable=False),
    sa.Column('refund_line_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.sale_id'], ),
    sa.PrimaryKeyConstraint('sale_id', 'line_no')
    )
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def downgrade() -> None:
    for table in APPEND_ONLY:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table('sale_lines')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_member_time')
        batch_op.drop_index('ix_ledger_kind_time')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_sale_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_refund_of'))
        batch_op.drop_index(batch_op.f('ix_sales_member_id'))
        batch_op.drop_index(batch_op.f('ix_sales_created_at'))

    op.drop_table('sales')
    op.drop_table('member_stamps')
    op.drop_table('member_balances')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_member_id'))

    op.drop_table('cards')
    op.drop_table('users')
    op.drop_table('trusted_keys')
    op.drop_table('settings')
    with op.batch_alter_table('program_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_versions_loaded_at'))

    op.drop_table('program_versions')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_barcode'))

    op.drop_table('products')
    op.drop_table('parked_carts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_status'))

    op.drop_table('outbox')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_phone'))

    op.drop_table('members')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))

    op.drop_table('audit_log')
