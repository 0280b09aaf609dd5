"""nurture: enrolments of leads in plans, and the due steps the nurture sweep claims

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nurture_enrolments",
        sa.Column("lead_id", _ID, nullable=False),
        sa.Column("plan", sa.String(length=100), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_nurture_enrolments_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_nurture_enrolments")),
    )
    op.create_table(
        "nurture_steps",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("lead_id", _ID, nullable=False),
        sa.Column("plan", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("step_title", sa.String(length=150), nullable=False),
        sa.Column("doer", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_nurture_steps_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurture_steps")),
        sa.UniqueConstraint("lead_id", "plan", "seq", name="uq_nurture_steps_lead_plan_seq"),
    )
    op.create_index("ix_nurture_steps_state_due_at", "nurture_steps", ["state", "due_at"])
    op.create_index(
        "ix_nurture_steps_doer_state_due_at", "nurture_steps", ["doer", "state", "due_at"]
    )
    op.create_index("ix_leads_owner_stage", "leads", ["owner", "stage"])


def downgrade() -> None:
    op.drop_index("ix_leads_owner_stage", table_name="leads")
    op.drop_index("ix_nurture_steps_doer_state_due_at", table_name="nurture_steps")
    op.drop_index("ix_nurture_steps_state_due_at", table_name="nurture_steps")
    op.drop_table("nurture_steps")
    op.drop_table("nurture_enrolments")
