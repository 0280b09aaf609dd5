"""The transactional outbox: every Slack message the system owes, claimed under a lease."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import ChannelPaceRow, OutboxRow, UtcDateTime
from storage.upsert import dialect_insert, upsert

PENDING = "pending"
SENT = "sent"
DEAD = "dead"
CANCELLED = "cancelled"
PACED_METHODS = frozenset({"chat.postMessage"})
CANDIDATES_PER_CLAIM = 200
PARENT_WAIT = timedelta(seconds=1)


@dataclass(frozen=True)
class OutboxMessage:
    """A Slack call to make later; `key` makes writing it twice harmless."""

    key: str
    kind: str
    method: str
    channel: str
    payload: dict[str, Any]
    due_at: datetime
    lead_id: int | None = None  # the subject: its pending messages can be cancelled together
    thread_of: str = ""
    only_if: str = ""  # a condition the sender cancels with cancel_conditional()
    supersedes: bool = False  # cancel the subject's pending messages of this kind to this channel


@dataclass(frozen=True)
class Delivery:
    """An outbox row leased to one worker, ready to send."""

    id: int
    key: str
    kind: str
    method: str
    channel: str
    payload: dict[str, Any]
    lead_id: int | None
    thread_ts: str
    attempts: int

    def arguments(self) -> dict[str, Any]:
        """The Web API arguments: payload plus channel and thread."""
        arguments = {**self.payload, "channel": self.channel}
        if self.thread_ts:
            arguments["thread_ts"] = self.thread_ts
        return arguments


async def enqueue(session: AsyncSession, messages: Sequence[OutboxMessage], now: datetime) -> None:
    """Write messages in the caller's transaction; a key already present is left alone."""
    if not messages:
        return
    for message in messages:
        if message.supersedes:
            await _cancel_superseded(session, message)
    statement = dialect_insert(session, OutboxRow).on_conflict_do_nothing(
        index_elements=["dedupe_key"]
    )
    await session.execute(statement, [_row_values(message, now) for message in messages])


def _row_values(message: OutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": message.key,
        "kind": message.kind,
        "method": message.method,
        "channel": message.channel,
        "payload": message.payload,
        "lead_id": message.lead_id,
        "thread_of": message.thread_of,
        "only_if": message.only_if,
        "due_at": message.due_at,
        "created_at": now,
    }


async def is_owed(session: AsyncSession, key: str) -> bool:
    """Whether a message with this dedupe key was ever written (sent or not)."""
    found = await session.scalar(select(OutboxRow.id).where(OutboxRow.dedupe_key == key))
    return found is not None


async def _cancel_superseded(session: AsyncSession, message: OutboxMessage) -> None:
    """Cancel older pending versions of `message` (a stale card redraw must not land last)."""
    await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.lead_id == message.lead_id,
            OutboxRow.kind == message.kind,
            OutboxRow.channel == message.channel,
            OutboxRow.dedupe_key != message.key,
            OutboxRow.status == PENDING,
        )
        .values(status=CANCELLED)
    )


async def claim_due(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, pace: timedelta
) -> list[Delivery]:
    """Lease due rows: at most one post per channel whose pacing allows it, all updates."""
    rows = await _due_rows(session, now)
    parents = await _parent_ts(session, rows)
    ready = [
        row
        for row in rows
        if row.status == PENDING and (not row.thread_of or parents.get(row.thread_of))
    ]
    for row in rows:
        if row.status == PENDING and row not in ready:
            row.due_at = now + PARENT_WAIT  # its parent message is not posted yet
    chosen = await _apply_pacing(session, ready, now, pace)
    if not chosen:
        return []
    # Built before the UPDATE, which also bumps `attempts` on the loaded rows in Python.
    deliveries = [_delivery(row, parents.get(row.thread_of, "")) for row in chosen]
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_([row.id for row in chosen]))
        .values(lease_owner=worker, lease_until=now + lease, attempts=OutboxRow.attempts + 1)
    )
    return deliveries


async def mark_sent(session: AsyncSession, delivery: Delivery, *, ts: str, now: datetime) -> None:
    """Record success and the message ts (thread replies and updates find it by key)."""
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == delivery.id)
        .values(status=SENT, sent_at=now, result_ts=ts, lease_owner="", lease_until=None)
    )


async def mark_cancelled(session: AsyncSession, delivery: Delivery) -> None:
    """Drop a leased message that no longer needs sending."""
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == delivery.id)
        .values(status=CANCELLED, lease_owner="", lease_until=None)
    )


async def mark_failed(
    session: AsyncSession,
    delivery: Delivery,
    *,
    error: str,
    retry_at: datetime | None,
    now: datetime,
) -> None:
    """Release the lease and schedule a retry, or give up when `retry_at` is None."""
    values: dict[str, Any] = {"last_error": error[:300], "lease_owner": "", "lease_until": None}
    if retry_at is None:
        values["status"] = DEAD
    else:
        values["due_at"] = retry_at
    await session.execute(update(OutboxRow).where(OutboxRow.id == delivery.id).values(values))


async def hold_channel(session: AsyncSession, channel: str, until: datetime) -> None:
    """Post nothing more to `channel` before `until` (after Slack said Retry-After)."""
    await upsert(session, ChannelPaceRow, {"channel": channel, "next_at": until}, key="channel")


async def cancel_conditional(session: AsyncSession, subject_id: int, condition: str) -> None:
    """Cancel a subject's pending messages that were owed only while `condition` held."""
    await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.lead_id == subject_id,
            OutboxRow.only_if == condition,
            OutboxRow.status == PENDING,
        )
        .values(status=CANCELLED)
    )


async def replace_pending_payload(session: AsyncSession, key: str, payload: dict[str, Any]) -> bool:
    """Give a message not yet sent a new payload; False when it is sent or unknown."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.dedupe_key == key, OutboxRow.status == PENDING)
        .values(payload=payload)
    )
    return bool(getattr(result, "rowcount", 0))


async def next_due(session: AsyncSession) -> datetime | None:
    """When a pending row can next be sent (due, paced and unleased), or None when idle."""
    paced = and_(OutboxRow.method.in_(PACED_METHODS), ChannelPaceRow.next_at > OutboxRow.due_at)
    ready_at = case((paced, ChannelPaceRow.next_at), else_=OutboxRow.due_at)
    leased = and_(OutboxRow.lease_until.is_not(None), OutboxRow.lease_until > ready_at)
    effective = case((leased, OutboxRow.lease_until), else_=ready_at)
    query = (
        select(func.min(type_coerce(effective, UtcDateTime)))
        .select_from(OutboxRow)
        .outerjoin(ChannelPaceRow, ChannelPaceRow.channel == OutboxRow.channel)
        .where(OutboxRow.status == PENDING)
    )
    return (await session.execute(query)).scalar()


async def _due_rows(session: AsyncSession, now: datetime) -> list[OutboxRow]:
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.status == PENDING,
            OutboxRow.due_at <= now,
            or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now),
        )
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(CANDIDATES_PER_CLAIM)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def _parent_ts(session: AsyncSession, rows: list[OutboxRow]) -> dict[str, str]:
    """Sent parents' ts by key; children of parents that will never be sent are cancelled."""
    keys = {row.thread_of for row in rows if row.thread_of}
    if not keys:
        return {}
    result = await session.execute(
        select(OutboxRow.dedupe_key, OutboxRow.status, OutboxRow.result_ts).where(
            OutboxRow.dedupe_key.in_(keys)
        )
    )
    parents = {key: (status, ts) for key, status, ts in result}
    for row in rows:
        status = parents.get(row.thread_of, (PENDING, ""))[0] if row.thread_of else PENDING
        if status in (DEAD, CANCELLED):
            row.status = CANCELLED
    await session.flush()
    return {key: ts for key, (status, ts) in parents.items() if status == SENT and ts}


async def _apply_pacing(
    session: AsyncSession, rows: list[OutboxRow], now: datetime, pace: timedelta
) -> list[OutboxRow]:
    paced_channels = {row.channel for row in rows if row.method in PACED_METHODS}
    if not paced_channels:
        return rows
    result = await session.execute(
        select(ChannelPaceRow)
        .where(ChannelPaceRow.channel.in_(paced_channels))
        .order_by(ChannelPaceRow.channel)  # one lock order for every replica: no deadlocks
        .with_for_update()
    )
    blocked_until = {pace_row.channel: pace_row.next_at for pace_row in result.scalars()}
    chosen: list[OutboxRow] = []
    taken: set[str] = set()
    for row in rows:
        if row.method not in PACED_METHODS:
            chosen.append(row)
        elif row.channel not in taken and blocked_until.get(row.channel, now) <= now:
            taken.add(row.channel)
            chosen.append(row)
    for channel in sorted(taken):
        await hold_channel(session, channel, next_slot(blocked_until.get(channel), now, pace))
    return chosen


def next_slot(previous: datetime | None, now: datetime, pace: timedelta) -> datetime:
    """The channel's next free slot: keep the cadence when a post was a little late.

    Anchoring on `now` alone would push every later post back by each delay; up to a tenth
    of the pace of lateness is absorbed, so gaps stay at least 0.9 x pace.
    """
    if previous is None or previous + pace <= now:
        return now + pace
    return max(now + pace * 0.9, previous + pace)


def _delivery(row: OutboxRow, thread_ts: str) -> Delivery:
    return Delivery(
        id=row.id,
        key=row.dedupe_key,
        kind=row.kind,
        method=row.method,
        channel=row.channel,
        payload=row.payload,
        lead_id=row.lead_id,
        thread_ts=thread_ts,
        attempts=row.attempts + 1,
    )


async def purge_sent_before(session: AsyncSession, cutoff: datetime) -> int:
    """Delete rows delivered (or cancelled) before `cutoff`; returns how many."""
    result = await session.execute(
        delete(OutboxRow).where(
            OutboxRow.status.in_((SENT, CANCELLED)), OutboxRow.created_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
