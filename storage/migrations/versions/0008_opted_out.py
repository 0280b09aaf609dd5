"""when a lead refused contact or unsubscribed (leads.opted_out_at)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER, never a batch copy of `leads` (see 0003).
    op.add_column("leads", sa.Column("opted_out_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("leads", "opted_out_at")
