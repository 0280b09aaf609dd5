"""Per-person preferences and Events API delivery dedupe."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import SlackEventRow, UserPrefRow
from storage.upsert import insert_ignoring_conflict, upsert


async def current_event(session: AsyncSession, user_id: str) -> str:
    """The event this person is working at, or empty."""
    found = await session.scalar(
        select(UserPrefRow.current_event).where(UserPrefRow.user_id == user_id)
    )
    return found or ""


async def current_events(session: AsyncSession, user_ids: set[str]) -> dict[str, str]:
    """The current event of each of these people who has one."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(UserPrefRow.user_id, UserPrefRow.current_event).where(
            UserPrefRow.user_id.in_(user_ids)
        )
    )
    return {user: event for user, event in rows.all() if event}


async def set_current_event(
    session: AsyncSession, user_id: str, event: str, *, now: datetime
) -> None:
    """Set (or, with an empty name, clear) this person's current event."""
    await upsert(
        session,
        UserPrefRow,
        {"user_id": user_id, "current_event": event, "updated_at": now},
        key="user_id",
    )


async def first_delivery(session: AsyncSession, event_id: str, *, now: datetime) -> bool:
    """Remember an Events API event_id; False when it was seen before (a retry)."""
    inserted = await insert_ignoring_conflict(
        session,
        SlackEventRow,
        {"event_id": event_id[:64], "received_at": now},
        conflict_on="event_id",
    )
    return inserted is not None


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop event ids older than Slack's retry window; returns how many."""
    result = await session.execute(delete(SlackEventRow).where(SlackEventRow.received_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


EVENT_MEMORY = timedelta(hours=2)
