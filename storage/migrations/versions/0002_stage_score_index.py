"""index leads by (stage, score) so hot promotion never scans the table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_stage")
        batch_op.create_index("ix_leads_stage_score", ["stage", "score"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_stage_score")
        batch_op.create_index("ix_leads_stage", ["stage"], unique=False)
