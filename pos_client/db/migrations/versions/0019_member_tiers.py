"""Members by tier without a scan: each member's tier with the last day it holds (`member_tiers`) and members per
tier (`tier_counts`), the projection HQ keeps (`pos_client.reports.tiers`, the same code on both sides).

Triggers mark a member stale (a row in `member_tiers_stale`, a WITHOUT ROWID table: one page) in the statement
that changes the member's spend in `member_days` (a sale, a refund, a pulled entry, a rebase) or merges the
member away; the report recomputes marked rows before it counts.

An index on `members (enrolled_at, merged_into, member_id)` lets the members total, the new members and the first
enrolment read a range of members instead of all of them.

The backfill marks every member with spend, then recomputes them all with the report's own
catch-up (`pos_client.reports.tiers.catch_up`: the tier rule is Python, `rules.tier_until`, so this migration
calls it, as HQ's 0008 does) under the program in force; without a program they stay marked until one comes.

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

#: Mark the member stale. Not INSERT OR IGNORE: in a trigger the outer statement's conflict policy (the
#: ledger's upsert: ABORT) would win over the IGNORE.
_MARK = ("INSERT INTO member_tiers_stale (member_id) SELECT {m} "
         "WHERE NOT EXISTS (SELECT 1 FROM member_tiers_stale WHERE member_id = {m});")
TRIGGERS = {
    "member_days_tier_insert": f"AFTER INSERT ON member_days WHEN NEW.spend != 0 BEGIN {_MARK.format(m='NEW.member_id')} END",
    "member_days_tier_update": f"AFTER UPDATE OF spend ON member_days WHEN NEW.spend != OLD.spend "
                               f"BEGIN {_MARK.format(m='NEW.member_id')} END",
    "member_days_tier_delete": f"AFTER DELETE ON member_days WHEN OLD.spend != 0 BEGIN {_MARK.format(m='OLD.member_id')} END",
    # a record merged away (or back) is recounted
    "members_tier_merge": "AFTER UPDATE OF merged_into ON members WHEN NEW.merged_into IS NOT OLD.merged_into "
                          f"BEGIN {_MARK.format(m='NEW.member_id')} END",
}


def upgrade() -> None:
    op.create_table(
        "member_tiers",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("until", sa.String(length=10), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "tier_counts",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("version", "tier"),
    )
    op.create_table(
        "member_tiers_stale",
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO member_tiers_stale (member_id) SELECT DISTINCT member_id FROM member_days WHERE spend != 0")
    op.create_index("ix_member_tiers_until", "member_tiers", ["until"])
    op.create_index("ix_member_tiers_version_tier", "member_tiers", ["version", "tier"])
    # the members total, new members and the first enrolment by range, without reading every member
    op.create_index("ix_members_enrolled", "members", ["enrolled_at", "merged_into", "member_id"])
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    from pos_client.errors import KupaError
    from pos_client.reports.tiers import catch_up
    from pos_client.services.programs import program_at
    from pos_client.timeutil import utcnow

    session, now = Session(bind=op.get_bind()), utcnow()
    try:
        program = program_at(session, now)
    except KupaError:
        return  # no program yet: the rows stay pending, the first report after one comes counts them
    while catch_up(session, program, now, limit=10_000) == 10_000:
        pass
    session.flush()


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_members_enrolled", "members")
    op.drop_table("member_tiers_stale")
    op.drop_table("tier_counts")
    op.drop_table("member_tiers")
