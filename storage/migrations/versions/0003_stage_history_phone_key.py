"""stage history table, phone key for same-person matching, outcome_at folded into history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from leads.identity import phone_key

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC_DATETIME = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "stage_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("lead_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=False),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_stage_history_lead_id_leads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_history")),
    )
    op.create_index(op.f("ix_stage_history_lead_id"), "stage_history", ["lead_id"], unique=False)
    op.create_index("ix_stage_history_to_stage_created_at", "stage_history", ["to_stage", "created_at"], unique=False)
    # Plain ALTERs, never a batch copy of `leads`: on SQLite a copy drops the old table, and
    # with foreign keys on that deletes every touch, history and outbox row (ON DELETE CASCADE).
    op.add_column("leads", sa.Column("phone_key", sa.String(length=40), nullable=False, server_default=""))
    op.create_index(op.f("ix_leads_phone_key"), "leads", ["phone_key"], unique=False)
    _backfill_history()
    _backfill_phone_keys()
    op.drop_column("leads", "outcome_at")  # SQLite 3.35+ drops a column in place


def _backfill_history() -> None:
    """Each existing lead's past as stage changes: created, turned hot, claimed, decided."""
    leads = sa.table(
        "leads",
        sa.column("id"),
        sa.column("stage"),
        sa.column("owner"),
        sa.column("captured_by"),
        sa.column("created_at"),
        sa.column("hot_at"),
        sa.column("claimed_at"),
        sa.column("outcome_at"),
    )
    history = sa.table(
        "stage_history",
        sa.column("lead_id"),
        sa.column("from_stage"),
        sa.column("to_stage"),
        sa.column("actor"),
        sa.column("reason"),
        sa.column("created_at"),
    )
    bind = op.get_bind()
    rows = []
    for lead in bind.execute(sa.select(leads)).mappings():
        steps = [("", "new", lead["captured_by"], lead["created_at"])]
        if lead["hot_at"] is not None:
            steps.append(("new", "hot", "leadbot", lead["hot_at"]))
        if lead["claimed_at"] is not None:
            steps.append(("hot", "claimed", lead["owner"] or "", lead["claimed_at"]))
        if lead["stage"] in ("meeting", "won", "lost") and lead["outcome_at"] is not None:
            steps.append(("claimed", lead["stage"], lead["owner"] or "", lead["outcome_at"]))
        rows.extend(
            {"lead_id": lead["id"], "from_stage": source, "to_stage": target, "actor": actor,
             "reason": "backfilled", "created_at": at}
            for source, target, actor, at in steps
        )
    if rows:
        op.bulk_insert(history, rows)


def _backfill_phone_keys() -> None:
    leads = sa.table("leads", sa.column("id"), sa.column("phone"), sa.column("phone_key"))
    bind = op.get_bind()
    found = bind.execute(sa.select(leads.c.id, leads.c.phone).where(leads.c.phone != "")).all()
    for lead_id, phone in found:
        bind.execute(leads.update().where(leads.c.id == lead_id).values(phone_key=phone_key(phone)))


def downgrade() -> None:
    op.add_column("leads", sa.Column("outcome_at", sa.DateTime(), nullable=True))
    op.drop_index(op.f("ix_leads_phone_key"), table_name="leads")
    op.drop_column("leads", "phone_key")
    op.drop_index("ix_stage_history_to_stage_created_at", table_name="stage_history")
    op.drop_index(op.f("ix_stage_history_lead_id"), table_name="stage_history")
    op.drop_table("stage_history")
