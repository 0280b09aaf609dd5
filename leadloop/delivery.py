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
from leadloop.digest import DIGEST, render_digest
from leadloop.messages import RECAPTURED
from leadloop.nurture import NURTURE, render_reminders
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


async def render_stale_deal(intent: Intent) -> dict[str, Any] | None:
    """A reminder about a deal left open, to its owner or the manager."""
    recipient = intent.delivery.channel
    return await render_stale(intent.loop, intent.people, dict(intent.values), recipient)


async def render_weekly_digest(intent: Intent) -> dict[str, Any] | None:
    """Last week's funnel: the chart, with the summary as its comment."""
    return await render_digest(intent.loop, dict(intent.values), intent.delivery.channel)


async def render_nurture(intent: Intent) -> dict[str, Any] | None:
    """A doer's nurture reminders, with today's lead data, in the doer's language."""
    recipient = intent.delivery.channel
    return await render_reminders(intent.loop, intent.people, dict(intent.values), recipient)


# Every kind of intent leadbot stores; a new kind adds its renderer here.
INTENT_RENDERERS: Mapping[str, RenderIntent] = MappingProxyType(
    {
        RECAPTURED: render_recaptured,
        STALE_OWNER: render_stale_deal,
        STALE_MANAGER: render_stale_deal,
        DIGEST: render_weekly_digest,
        NURTURE: render_nurture,
    }
)


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
