"""Receipt print jobs: `print_jobs`, append-only.

A receipt prints after its sale is committed; each attempt (printed or failed, with the refusal's message
code) is one row, so a printer that was off or out of paper leaves a trace the cashier reprints from, and a
second print of a sale is marked "copy". Triggers refuse UPDATE and DELETE.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("job_id", sa.String(length=36), primary_key=True),
        sa.Column("sale_id", sa.String(length=36), sa.ForeignKey("sales.sale_id"), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("printer", sa.String(length=300), nullable=False),
        sa.Column("copy", sa.Boolean(), nullable=False),
        sa.Column("drawer", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error_params", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('printed', 'failed')", name="ck_print_jobs_status"),
    )
    op.create_index("ix_print_jobs_sale", "print_jobs", ["sale_id", "created_at"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER print_jobs_no_{verb.lower()} BEFORE {verb} ON print_jobs "
                   "BEGIN SELECT RAISE(ABORT, 'print_jobs is append-only'); END")


def downgrade() -> None:
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS print_jobs_no_{verb}")
    op.drop_index("ix_print_jobs_sale", "print_jobs")
    op.drop_table("print_jobs")
