"""indexes for every query a person can trigger: recent leads, a lead's messages, stale rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_leads_captured_by_id", "leads", ["captured_by", "id"], unique=False)
    op.create_index("ix_leads_rules_version", "leads", ["rules_version"], unique=False)
    op.create_index("ix_outbox_lead_id_status", "outbox", ["lead_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_lead_id_status", table_name="outbox")
    op.drop_index("ix_leads_rules_version", table_name="leads")
    op.drop_index("ix_leads_captured_by_id", table_name="leads")
