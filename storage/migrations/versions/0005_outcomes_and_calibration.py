"""deal outcomes on leads (value, lost reason, when), and what calibration learned

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (("outcome", 8), ("lost_reason", 16), ("outcome_by", 32))
_TIME_COLUMNS = ("outcome_at", "meeting_at", "won_at", "lost_at")


def upgrade() -> None:
    # Plain ALTERs, never a batch copy of `leads` (see 0003).
    for name, length in _TEXT_COLUMNS:
        op.add_column("leads", sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
    op.add_column("leads", sa.Column("lost_detail", sa.Text(), nullable=False, server_default=""))
    op.add_column("leads", sa.Column("deal_value", sa.Float(), nullable=True))
    for name in _TIME_COLUMNS:
        op.add_column("leads", sa.Column(name, sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("calibration", sa.Float(), nullable=False, server_default="0"))
    op.create_table(
        "calibration",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=150), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("digest_points", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "value", name=op.f("pk_calibration")),
    )
    op.create_index("ix_leads_created_at", "leads", ["created_at"], unique=False)
    op.create_index("ix_audit_action_lead_id", "audit", ["action", "lead_id"], unique=False)
    op.create_index("ix_leads_source_event_created_at", "leads", ["source", "event", "created_at"])
    op.create_index(
        "ix_leads_hot_report",
        "leads",
        ["created_at", "source", "event", "outcome", "lost_reason", "deal_value", "hot_at",
         "claimed_at", "id"],
        sqlite_where=sa.text("hot_at IS NOT NULL"),
        postgresql_where=sa.text("hot_at IS NOT NULL"),
    )
    op.create_index("ix_stage_history_to_stage_lead_id", "stage_history", ["to_stage", "lead_id"])
    _backfill_outcomes()


def _backfill_outcomes() -> None:
    """Leads decided before this version: their outcome from the stage history."""
    bind = op.get_bind()
    for stage in ("meeting", "won", "lost"):
        bind.execute(
            sa.text(
                f"UPDATE leads SET {stage}_at = (SELECT max(created_at) FROM stage_history h"
                f" WHERE h.lead_id = leads.id AND h.to_stage = '{stage}')"
                f" WHERE EXISTS (SELECT 1 FROM stage_history h WHERE h.lead_id = leads.id"
                f" AND h.to_stage = '{stage}')"
            )
        )
    bind.execute(sa.text("UPDATE leads SET outcome = stage, outcome_by = coalesce(owner, ''),"
                         " outcome_at = coalesce(won_at, lost_at) WHERE stage IN ('won', 'lost')"))


def downgrade() -> None:
    op.drop_index("ix_stage_history_to_stage_lead_id", table_name="stage_history")
    op.drop_index("ix_leads_hot_report", table_name="leads")
    op.drop_index("ix_leads_source_event_created_at", table_name="leads")
    op.drop_index("ix_audit_action_lead_id", table_name="audit")
    op.drop_index("ix_leads_created_at", table_name="leads")
    op.drop_table("calibration")
    for name in ("calibration", "lost_detail", "deal_value", *_TIME_COLUMNS):
        op.drop_column("leads", name)
    for name, _ in _TEXT_COLUMNS:
        op.drop_column("leads", name)
