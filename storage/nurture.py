"""Nurture rows: enrolments, and due steps claimed under a lease like the outbox's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.nurture import MAX_TITLE
from storage.tables import (
    NURTURE_ENROLMENTS,
    NURTURE_STEPS,
    LeadRow,
    NurtureEnrolmentRow,
    NurtureStepRow,
)
from storage.upsert import dialect_insert

DUE = "due"
SENT = "sent"  # the reminder is in the outbox; the step waits for Done
DONE = "done"
SNOOZED = "snoozed"
STOPPED = "stopped"
SKIPPED = "skipped"
WAITING = (DUE, SNOOZED)  # what the sweep claims once due_at has come
OPEN = (DUE, SNOOZED, SENT)  # steps still owed


@dataclass(frozen=True)
class NewStep:
    """A step to schedule: the lead's `seq`-th reminder, of step `step_index` of `plan`."""

    lead_id: int
    plan: str
    step_index: int
    step_title: str
    doer: str
    due_at: datetime


@dataclass(frozen=True)
class StepRecord:
    """A stored nurture step, detached from the session."""

    id: int
    lead_id: int
    plan: str
    seq: int
    step_index: int
    step_title: str
    doer: str
    state: str
    due_at: datetime
    attempts: int


_STEP_COLUMNS = (
    NurtureStepRow.id,
    NurtureStepRow.lead_id,
    NurtureStepRow.plan,
    NurtureStepRow.seq,
    NurtureStepRow.step_index,
    NurtureStepRow.step_title,
    NurtureStepRow.doer,
    NurtureStepRow.state,
    NurtureStepRow.due_at,
    NurtureStepRow.attempts,
)


def _record(row: Sequence[Any]) -> StepRecord:
    return StepRecord(*tuple(row))


async def enrol(session: AsyncSession, first_steps: Sequence[NewStep], now: datetime) -> None:
    """Enrol each step's lead in its plan (again, after a recycle) and schedule the step."""
    if not first_steps:
        return
    ids = [step.lead_id for step in first_steps]
    result = await session.execute(
        select(NurtureEnrolmentRow.lead_id, NurtureEnrolmentRow.seq).where(
            NurtureEnrolmentRow.lead_id.in_(ids)
        )
    )
    known = {int(lead_id): int(seq) for lead_id, seq in result}
    rows: list[dict[str, Any]] = [
        {
            "lead_id": step.lead_id,
            "plan": step.plan,
            "step_index": step.step_index,
            "seq": known.get(step.lead_id, 0) + 1,
            "enrolled_at": now,
            "ended_at": None,
            "end_reason": "",
        }
        for step in first_steps
    ]
    statement = dialect_insert(session, NurtureEnrolmentRow)
    statement = statement.on_conflict_do_update(
        index_elements=["lead_id"],
        set_={
            name: statement.excluded[name]
            for name in ("plan", "step_index", "seq", "enrolled_at", "ended_at", "end_reason")
        },
    )
    await session.execute(statement, rows)
    await _insert_steps(
        session, [(step, int(row["seq"])) for step, row in zip(first_steps, rows, strict=True)], now
    )


async def schedule_next(session: AsyncSession, step: NewStep, now: datetime) -> None:
    """Move the lead's enrolment to `step` and schedule it (a second call is harmless)."""
    seq = await session.scalar(
        update(NurtureEnrolmentRow)
        .where(NurtureEnrolmentRow.lead_id == step.lead_id, NurtureEnrolmentRow.ended_at.is_(None))
        .values(step_index=step.step_index, seq=NurtureEnrolmentRow.seq + 1)
        .returning(NurtureEnrolmentRow.seq)
    )
    if seq is not None:
        await _insert_steps(session, [(step, int(seq))], now)


async def _insert_steps(
    session: AsyncSession, steps: Sequence[tuple[NewStep, int]], now: datetime
) -> None:
    statement = dialect_insert(session, NurtureStepRow).on_conflict_do_nothing(
        index_elements=["lead_id", "plan", "seq"]
    )
    await session.execute(
        statement,
        [
            {
                "lead_id": step.lead_id,
                "plan": step.plan,
                "seq": seq,
                "step_index": step.step_index,
                "step_title": step.step_title[:MAX_TITLE],
                "doer": step.doer,
                "state": DUE,
                "due_at": step.due_at,
                "attempts": 0,
                "lease_owner": "",
                "lease_until": None,
                "done_by": "",
                "created_at": now,
            }
            for step, seq in steps
        ],
    )


async def end_enrolments(
    session: AsyncSession, lead_ids: Iterable[int], reason: str, now: datetime
) -> None:
    """End these leads' enrolments: their open steps are stopped, no reminder follows."""
    ids = list(set(lead_ids))
    if not ids:
        return
    await session.execute(
        update(NurtureStepRow)
        .where(NurtureStepRow.lead_id.in_(ids), NurtureStepRow.state.in_(OPEN))
        .values(state=STOPPED, lease_owner="", lease_until=None)
    )
    await session.execute(
        update(NurtureEnrolmentRow)
        .where(NurtureEnrolmentRow.lead_id.in_(ids), NurtureEnrolmentRow.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason[:32])
    )


async def ever_enrolled(session: AsyncSession, lead_ids: Iterable[int]) -> set[int]:
    """The leads among these that were enrolled in a plan at some time."""
    ids = list(set(lead_ids))
    if not ids:
        return set()
    found = await session.scalars(
        select(NurtureEnrolmentRow.lead_id).where(NurtureEnrolmentRow.lead_id.in_(ids))
    )
    return set(found)


async def claim_due_steps(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[StepRecord]:
    """Lease due steps whose lease (if any) ran out: one UPDATE over SKIP LOCKED rows, in
    `_claim_order`."""
    due = and_(
        NurtureStepRow.state.in_(WAITING),
        NurtureStepRow.due_at <= now,
        or_(NurtureStepRow.lease_until.is_(None), NurtureStepRow.lease_until < now),
    )
    chosen = (
        select(NurtureStepRow.id)
        .where(due)
        .order_by(NurtureStepRow.due_at, NurtureStepRow.doer, NurtureStepRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(NurtureStepRow)
        .where(NurtureStepRow.id.in_(chosen), due)
        .values(lease_owner=worker, lease_until=now + lease, attempts=NurtureStepRow.attempts + 1)
        .returning(*_STEP_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return sorted((_record(row) for row in result), key=_claim_order)


def _claim_order(step: StepRecord) -> tuple[datetime, str, int]:
    """Oldest first; steps due together are taken by doer, so each doer's come in one DM."""
    return (step.due_at, step.doer, step.id)


async def postpone(session: AsyncSession, worker: str, due: Sequence[tuple[int, datetime]]) -> None:
    """Give leased steps a later due time (the doer's working hours) and release them."""
    if not due:
        return
    await session.execute(
        update(NURTURE_STEPS)
        .where(
            NURTURE_STEPS.c.id == bindparam("b_id"),
            NURTURE_STEPS.c.lease_owner == bindparam("b_worker"),
        )
        .values(due_at=bindparam("b_due"), lease_owner="", lease_until=None)
        .execution_options(synchronize_session=False),
        [{"b_id": step_id, "b_worker": worker, "b_due": at} for step_id, at in due],
    )


async def mark_handed_over(
    session: AsyncSession, worker: str, ids: Sequence[int], now: datetime
) -> list[int]:
    """Steps this worker still leases become `sent`; returns those (others were taken over)."""
    if not ids:
        return []
    result = await session.execute(
        update(NurtureStepRow)
        .where(
            NurtureStepRow.id.in_(ids),
            NurtureStepRow.lease_owner == worker,
            NurtureStepRow.state.in_(WAITING),
        )
        .values(state=SENT, sent_at=now, lease_owner="", lease_until=None)
        .returning(NurtureStepRow.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(found) for found in result.scalars())


async def set_state(session: AsyncSession, ids: Sequence[int], state: str, *, worker: str) -> None:
    """Put the steps among these that `worker` leases in `state`, lease released."""
    if not ids:
        return
    await session.execute(
        update(NurtureStepRow)
        .where(NurtureStepRow.id.in_(ids), NurtureStepRow.lease_owner == worker)
        .values(state=state, lease_owner="", lease_until=None)
        .execution_options(synchronize_session=False)
    )


async def take_step(
    session: AsyncSession,
    step_id: int,
    *,
    from_states: Sequence[str],
    values: dict[str, Any],
) -> StepRecord | None:
    """Move one step out of `from_states` with `values`; None when it was not in them."""
    result = await session.execute(
        update(NurtureStepRow)
        .where(NurtureStepRow.id == step_id, NurtureStepRow.state.in_(from_states))
        .values(values)
        .returning(*_STEP_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    row = result.one_or_none()
    return None if row is None else _record(row)


async def steps_by_id(session: AsyncSession, ids: Iterable[int]) -> list[StepRecord]:
    """These steps, in id order."""
    wanted = list(set(ids))
    if not wanted:
        return []
    result = await session.execute(
        select(*_STEP_COLUMNS).where(NurtureStepRow.id.in_(wanted)).order_by(NurtureStepRow.id)
    )
    return [_record(row) for row in result]


async def steps_for(
    session: AsyncSession, doer: str, until: datetime, limit: int
) -> list[tuple[StepRecord, str, str]]:
    """The doer's open steps due before `until`, soonest first, with lead name and company."""
    result = await session.execute(
        select(*_STEP_COLUMNS, LeadRow.name, LeadRow.company)
        .join(LeadRow, LeadRow.id == NurtureStepRow.lead_id)
        .where(
            NurtureStepRow.doer == doer,
            NurtureStepRow.state.in_(OPEN),
            NurtureStepRow.due_at < until,
        )
        .order_by(NurtureStepRow.due_at, NurtureStepRow.id)
        .limit(limit)
    )
    width = len(_STEP_COLUMNS)
    return [(_record(row[:width]), str(row[width]), str(row[width + 1])) for row in result]


async def enrolment_columns(
    session: AsyncSession, low: int, high: int
) -> dict[int, tuple[str, int, datetime | None]]:
    """Active enrolments of leads with low <= id <= high: plan, step index, next due time."""
    step = NURTURE_STEPS
    enrolment = NURTURE_ENROLMENTS
    result = await session.execute(
        select(enrolment.c.lead_id, enrolment.c.plan, enrolment.c.step_index, step.c.due_at)
        .outerjoin(
            step,
            and_(
                step.c.lead_id == enrolment.c.lead_id,
                step.c.seq == enrolment.c.seq,
                step.c.state.in_(WAITING),
            ),
        )
        .where(
            enrolment.c.lead_id >= low,
            enrolment.c.lead_id <= high,
            enrolment.c.ended_at.is_(None),
        )
    )
    return {int(lead): (plan, int(index), due) for lead, plan, index, due in result}
