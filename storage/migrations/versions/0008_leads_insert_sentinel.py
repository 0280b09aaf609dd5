"""leads.insert_sentinel: new leads' ids come back from one multi-row INSERT on SQLite too

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER (nullable, no default): never a batch copy of `leads`.
    op.add_column("leads", sa.Column("insert_sentinel", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("insert_sentinel")
