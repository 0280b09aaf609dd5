"""What delivery needs to know about leads: where a card landed, and messages rendered late."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
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


@dataclass(frozen=True)
class Intent:
    """A message stored as an intent, being rendered: its row, what it stored, and the loop."""

    delivery: Delivery
    values: Mapping[str, Any]  # the stored intent, `kind` included
    loop: Loop
    people: People


# Renders one kind of intent into Web API arguments (a file upload's include `content`
# bytes); None when it has nothing left to say.
RenderIntent = Callable[[Intent], Awaitable[dict[str, Any] | None]]


async def render_recaptured(intent: Intent) -> dict[str, Any] | None:
    """The owner's notice that their lead was captured again, in the owner's language."""
    values, delivery = intent.values, intent.delivery
    async with intent.loop.db.read() as session:
        lead = await get_lead(session, int(values.get("lead_id") or 0))
    if lead is None:
        return None
    language = await intent.people.language(delivery.channel)
    message = recaptured_message(
        lead,
        language,
        capturer=str(values.get("capturer", "")),
        event=str(values.get("event", "")),
        note=str(values.get("note", "")),
    )
    return {**message, "channel": delivery.channel, "unfurl_links": False}


# Every kind of intent leadbot stores; a new kind adds its renderer here.
INTENT_RENDERERS: Mapping[str, RenderIntent] = MappingProxyType({RECAPTURED: render_recaptured})


class LateRenderer:
    """Renders messages stored as intents, in the recipient's language, with today's data."""

    def __init__(
        self,
        loop: Loop,
        people: People,
        renderers: Mapping[str, RenderIntent] = INTENT_RENDERERS,
    ) -> None:
        self._loop = loop
        self._people = people
        self._renderers = dict(renderers)

    async def render(self, delivery: Delivery) -> dict[str, Any] | None:
        """The Web API arguments for an intent, or None when it has nothing left to say."""
        values = delivery.payload.get("intent")
        kind = values.get("kind") if isinstance(values, dict) else None
        render = self._renderers.get(kind) if isinstance(kind, str) else None
        if render is None or not isinstance(values, dict):
            log.warning("dropping %s: unknown intent %r", delivery.key, values)
            return None
        return await render(Intent(delivery, values, self._loop, self._people))
