"""Web intake receipts: the first answer to each `webhook-id`, so a retry changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import IntakeReceiptRow


@dataclass(frozen=True)
class Answer:
    """An HTTP status and its JSON body."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Receipt:
    """Which request: the hook (leads or engagement), the source and the `webhook-id`."""

    hook: str
    source: str
    webhook_id: str


async def answered(session: AsyncSession, receipt: Receipt) -> Answer | None:
    """The answer given the first time this `webhook-id` reached this hook and source."""
    row = await session.scalar(
        select(IntakeReceiptRow).where(
            IntakeReceiptRow.hook == receipt.hook,
            IntakeReceiptRow.source == receipt.source,
            IntakeReceiptRow.webhook_id == receipt.webhook_id,
        )
    )
    return None if row is None else Answer(row.status, dict(row.answer))


async def remember_answer(
    session: AsyncSession, receipt: Receipt, answer: Answer, now: datetime
) -> None:
    """Store the answer to this `webhook-id` (IntegrityError if another request was first)."""
    await session.execute(
        insert(IntakeReceiptRow).values(
            hook=receipt.hook,
            source=receipt.source,
            webhook_id=receipt.webhook_id,
            status=answer.status,
            answer=answer.body,
            received_at=now,
        )
    )
