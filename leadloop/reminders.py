"""Stale deals: reminders owed weeks after a claim, rendered when they are sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from blocks.messages import stale_manager_message, stale_owner_message
from leadloop.context import Loop, People
from leads.lifecycle import DECIDED_STAGES, OWNED_STAGES
from storage.leads import get_lead

STALE_OWNER, STALE_MANAGER = "stale_owner", "stale_manager"


async def render_stale(
    loop: Loop, people: People, intent: dict[str, Any], recipient: str
) -> dict[str, Any] | None:
    """The reminder for an open deal, in the recipient's language; None once it is decided
    or has changed hands (a reminder about someone else's lead helps no one)."""
    async with loop.db.read() as session:
        lead = await get_lead(session, int(intent.get("lead_id") or 0))
    if lead is None or lead.stage not in OWNED_STAGES or lead.stage in DECIDED_STAGES:
        return None
    if lead.owner != intent.get("owner") or lead.claimed_at is None:
        return None
    days = _days_since(lead.claimed_at, loop.now())
    language = await people.language(recipient)
    if intent.get("kind") == STALE_OWNER:
        message = stale_owner_message(lead, language, days=days)
    else:
        message = stale_manager_message(lead, language, days=days)
    return {**message, "channel": recipient, "unfurl_links": False}


def _days_since(moment: datetime, now: datetime) -> int:
    return max(int((now - moment).total_seconds() // 86_400), 0)
