"""What delivery needs to know about leads: where a card landed, and messages rendered late."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.messages import recaptured_message
from leadloop.context import Loop, People
from leadloop.messages import RECAPTURED
from storage.leads import get_lead, set_card
from storage.outbox import Delivery

log = logging.getLogger(__name__)


async def remember_card(session: AsyncSession, delivery: Delivery, ts: str) -> None:
    """A posted card is remembered on its lead, so later changes redraw it in place."""
    if delivery.kind == "card" and delivery.lead_id is not None and ts:
        await set_card(session, delivery.lead_id, delivery.channel, ts)


class LateRenderer:
    """Renders messages stored as intents, in the recipient's language, with today's data."""

    def __init__(self, loop: Loop, people: People) -> None:
        self._loop = loop
        self._people = people

    async def render(self, delivery: Delivery) -> dict[str, Any] | None:
        """The Web API arguments for an intent, or None when it has nothing left to say."""
        intent = delivery.payload.get("intent")
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
