"""What a person keeps for themselves: their current event, their recent leads."""

from __future__ import annotations

from dataclasses import dataclass

from leadloop.context import Loop
from leads.lead import Lead
from storage.leads import recent_leads
from storage.prefs import current_event, first_delivery, set_current_event


@dataclass(frozen=True)
class Home:
    """What the Home tab shows a person."""

    event: str
    recent: list[Lead]


async def event_of(loop: Loop, user: str) -> str:
    """The event this person is working at, or empty."""
    async with loop.db.read() as session:
        return await current_event(session, user)


async def set_event(loop: Loop, user: str, event: str) -> None:
    """Set (or, with an empty name, clear) this person's current event."""
    async with loop.db.write() as session:
        await set_current_event(session, user, event, now=loop.now())


async def home(loop: Loop, user: str) -> Home:
    """The person's current event and the leads they captured last."""
    async with loop.db.read() as session:
        return Home(await current_event(session, user), await recent_leads(session, user))


async def first_time_seen(loop: Loop, event_id: str) -> bool:
    """Remember an Events API event id; False when Slack is retrying one already handled."""
    async with loop.db.write() as session:
        return await first_delivery(session, event_id, now=loop.now())
