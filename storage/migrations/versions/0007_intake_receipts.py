"""web intake receipts by webhook-id; engagement kind and a once-only key on touches

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_receipts",
        sa.Column("hook", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("webhook_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hook", "source", "webhook_id", name=op.f("pk_intake_receipts")),
    )
    op.create_index(op.f("ix_intake_receipts_received_at"), "intake_receipts", ["received_at"], unique=False)
    # Plain ALTERs and a unique index, never a batch copy of `touches` (see 0003).
    op.add_column("touches", sa.Column("kind", sa.String(length=32), nullable=False, server_default=""))
    op.add_column("touches", sa.Column("once_key", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_touches_once_key"), "touches", ["once_key"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_touches_once_key"), table_name="touches")
    op.drop_column("touches", "once_key")
    op.drop_column("touches", "kind")
    op.drop_index(op.f("ix_intake_receipts_received_at"), table_name="intake_receipts")
    op.drop_table("intake_receipts")
