"""What delivery needs to know about leads: where a card landed, and messages rendered late."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.messages import recaptured_message
from leadloop.context import Loop, People
from leadloop.messages import RECAPTURED
from leadloop.reminders import STALE_MANAGER, STALE_OWNER, render_stale
from leads.lifecycle import SYSTEM
from storage.leads import audit_values, get_lead, record_audit, set_card
from storage.outbox import Delivery
from storage.reports import SLA_BREACH

log = logging.getLogger(__name__)


async def remember_delivery(loop: Loop, session: AsyncSession, delivery: Delivery, ts: str) -> None:
    """A posted card is remembered on its lead, so later changes redraw it in place; a
    re-announce that went out is an SLA breach, which reports count."""
    if delivery.lead_id is None:
        return
    if delivery.kind == "card" and ts:
        await set_card(session, delivery.lead_id, delivery.channel, ts)
    elif delivery.kind == "sla_reannounce":
        detail = {"key": delivery.key}
        breach = audit_values(delivery.lead_id, SYSTEM.user, SLA_BREACH, detail, loop.now())
        await record_audit(session, [breach])


class LateRenderer:
    """Renders messages stored as intents, in the recipient's language, with today's data."""

    def __init__(self, loop: Loop, people: People) -> None:
        self._loop = loop
        self._people = people

    async def render(self, delivery: Delivery) -> dict[str, Any] | None:
        """The Web API arguments for an intent, or None when it has nothing left to say."""
        intent = delivery.payload.get("intent")
        if isinstance(intent, dict) and intent.get("kind") in (STALE_OWNER, STALE_MANAGER):
            return await render_stale(self._loop, self._people, intent, delivery.channel)
        if not isinstance(intent, dict) or intent.get("kind") != RECAPTURED:
            log.warning("dropping %s: unknown intent %r", delivery.key, intent)
            return None
        async with self._loop.db.read() as session:
            lead = await get_lead(session, int(intent.get("lead_id") or 0))
        if lead is None:
            return None
        language = await self._people.language(delivery.channel)
        message = recaptured_message(
            lead,
            language,
            capturer=str(intent.get("capturer", "")),
            event=str(intent.get("event", "")),
            note=str(intent.get("note", "")),
        )
        return {**message, "channel": delivery.channel, "unfurl_links": False}
