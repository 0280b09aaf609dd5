"""Nurture: enrol leads in plans, sweep due steps to their doers, and Done / Snooze / Stop.

Due steps are rows (storage/nurture.py) claimed under a lease, like the outbox's. The sweep
claims them in one short transaction, looks up each doer's time zone outside any
transaction, then in a second one hands every step that is inside its doer's working hours
to the outbox as one intent per doer (rendered when sent, so it shows today's data in the
doer's language) and gives the others their working-hours due time. A sweep that dies
between the two loses nothing: the lease runs out and another sweep takes the steps.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.nurture import MAX_REMINDERS_PER_MESSAGE, Reminder, Task, reminder_message
from leadloop.context import Loop, People
from leadloop.hot import turn_hot_if_due
from leadloop.messages import intent_message
from leads.checks import USER_OR_CHANNEL_ID
from leads.lead import Lead
from leads.lifecycle import SYSTEM, Actor, Move, Refusal, Step, decide
from leads.model import Stage
from leads.nurture import (
    NurtureFacts,
    Plan,
    PlanStep,
    deliverable_at,
    doer_of,
    first_matching_plan,
    plan_named,
    snoozed_until,
    step_allowed,
)
from leads.scoring import NURTURE_STEP_KIND, decayed, event_reason
from storage.leads import (
    audit_values,
    get_lead,
    leads_by_id,
    lock_lead,
    move_stage,
    open_leads_of,
    reason_json,
    record_audit,
    record_touches,
    to_lead,
)
from storage.nurture import (
    DONE,
    OPEN,
    SENT,
    SKIPPED,
    SNOOZED,
    STOPPED,
    NewStep,
    StepRecord,
    claim_due_steps,
    end_enrolments,
    enrol,
    mark_handed_over,
    postpone,
    schedule_next,
    set_state,
    steps_by_id,
    steps_for,
    take_step,
)
from storage.outbox import OutboxMessage, enqueue

NURTURE: Final = "nurture"  # the outbox intent of a reminder DM
CLAIM_BATCH: Final = 500
LEASE: Final = timedelta(minutes=2)
ENROLLABLE: Final = frozenset({Stage.NEW, Stage.RECYCLED})
WEEK: Final = timedelta(days=7)


def facts_of(lead: Lead) -> NurtureFacts:
    """What a plan's segment and consent rules look at in a lead."""
    profile = lead.profile
    return NurtureFacts(
        interest=profile.interest,
        source=profile.source,
        event=profile.event,
        region=lead.region,
        product=profile.product,
        score=lead.score,
        consent=profile.consent,
        opted_out=profile.opted_out,
    )


def _is_user(doer: str) -> bool:
    return USER_OR_CHANNEL_ID.fullmatch(doer) is not None and doer[0] in "UW"


def _allowed_from(plan: Plan, index: int, lead: Lead, loop: Loop) -> int | None:
    """The first step at or after `index` the lead may get (consent), or None."""
    facts = facts_of(lead)
    for found in range(index, len(plan.steps)):
        if step_allowed(plan.steps[found], facts, loop.config.nurture):
            return found
    return None


def _new_step(lead: Lead, plan: Plan, index: int, after: datetime) -> NewStep:
    step = plan.steps[index]
    return NewStep(
        lead_id=lead.id,
        plan=plan.name,
        step_index=index,
        step_title=step.title,
        doer=doer_of(step, capturer=lead.captured_by, owner=lead.owner),
        due_at=after + step.delay,
    )


def first_step(lead: Lead, loop: Loop, now: datetime) -> NewStep | None:
    """The first step of the first plan the lead matches, when it may be enrolled at all."""
    if lead.stage not in ENROLLABLE:
        return None
    plan = first_matching_plan(loop.config.nurture.plans, facts_of(lead))
    if plan is None:
        return None
    index = _allowed_from(plan, 0, lead, loop)
    return None if index is None else _new_step(lead, plan, index, now)


async def enrol_if_eligible(session: AsyncSession, loop: Loop, lead_id: int, now: datetime) -> str:
    """Enrol a stored lead that is new or recycled (not hot) in the first plan it matches,
    in the caller's transaction: stage `nurturing` with its history, the first step owed.
    Returns the plan's name, or "" when it was not enrolled."""
    row = await lock_lead(session, lead_id)
    if row is None:
        return ""
    lead = to_lead(row)
    step = first_step(lead, loop, now)
    decision = decide(lead.stage, Step.ENROL, SYSTEM, owner=lead.owner)
    if step is None or not isinstance(decision, Move):
        return ""
    if await move_stage(session, lead.id, decision, actor=SYSTEM.user, now=now) is None:
        return ""
    await enrol(session, [step], now)
    return step.plan


# --- the sweep --------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """What one nurture sweep did."""

    reminded: int  # steps handed to the outbox
    messages: int  # DMs they make
    postponed: int  # steps that wait for their doer's working hours
    dropped: int  # steps of leads no longer nurturing, or no longer allowed


class NurtureSweep:
    """Claims due steps under a lease and owes one DM per doer; safe in any number of
    processes at once."""

    def __init__(
        self, loop: Loop, people: People | None, *, worker: str = "", lease: timedelta = LEASE
    ) -> None:
        self._loop = loop
        self._people = people
        self._worker = worker or f"nurture-{uuid.uuid4().hex[:8]}"
        self._lease = lease

    async def run(self) -> SweepResult:
        """Sweep until no due step is left unclaimed."""
        total = SweepResult(0, 0, 0, 0)
        while claimed := await self.claim():
            done = await self.hand_over(claimed)
            total = SweepResult(
                *(a + b for a, b in zip(astuple(total), astuple(done), strict=True))
            )
            if len(claimed) < CLAIM_BATCH:
                break
        return total

    async def claim(self, limit: int = CLAIM_BATCH) -> list[StepRecord]:
        """Lease up to `limit` due steps (phase one, its own short transaction)."""
        now = self._loop.now()
        async with self._loop.db.write() as session:
            return await claim_due_steps(
                session, worker=self._worker, now=now, lease=self._lease, limit=limit
            )

    async def hand_over(self, claimed: Sequence[StepRecord]) -> SweepResult:
        """Owe reminders for the claimed steps inside working hours; postpone the rest."""
        now = self._loop.now()
        zones = {doer: await self._timezone(doer) for doer in {step.doer for step in claimed}}
        settings = self._loop.config.nurture
        ready, later = [], []
        placed: dict[tuple[datetime, str], datetime] = {}  # steps due together: placed once
        for step in claimed:
            key = (step.due_at, zones[step.doer])
            if key not in placed:
                placed[key] = deliverable_at(
                    step.due_at,
                    key[1],
                    settings.working_hours,
                    settings.holidays,
                    fallback_timezone=self._loop.config.timezone,
                )
            at = placed[key]
            if at <= now:
                ready.append(step)
            else:
                later.append((step.id, at))
        async with self._loop.db.write() as session:
            await postpone(session, self._worker, later)
            sendable, dropped = await self._check_leads(session, ready, now)
            sent = set(await mark_handed_over(session, self._worker, [s.id for s in sendable], now))
            messages = _reminder_messages([s for s in sendable if s.id in sent], now)
            await enqueue(session, messages, now)
        return SweepResult(len(sent), len(messages), len(later), dropped)

    async def _timezone(self, doer: str) -> str:
        if self._people is None or not _is_user(doer):
            return self._loop.config.timezone
        return await self._people.timezone(doer) or self._loop.config.timezone

    async def _check_leads(
        self, session: AsyncSession, steps: Sequence[StepRecord], now: datetime
    ) -> tuple[list[StepRecord], int]:
        """Steps whose lead still nurtures in that plan and may get the step; the others are
        stopped (lead moved on) or skipped (consent, or the step left the plan)."""
        sendable: list[StepRecord] = []
        stopped: list[int] = []
        skipped: list[tuple[StepRecord, Lead, Plan, int | None]] = []
        leads = await leads_by_id(session, [step.lead_id for step in steps])
        for step in steps:
            lead = leads.get(step.lead_id)
            plan = plan_named(self._loop.config.nurture.plans, step.plan)
            if lead is None or lead.stage != Stage.NURTURING or plan is None:
                stopped.append(step.id)
                continue
            found = _find_step(plan, step)
            if found is None or not step_allowed(
                plan.steps[found], facts_of(lead), self._loop.config.nurture
            ):
                skipped.append((step, lead, plan, found))
                continue
            sendable.append(step)
        await set_state(session, stopped, STOPPED, worker=self._worker)
        await set_state(session, [step.id for step, *_ in skipped], SKIPPED, worker=self._worker)
        for step, lead, plan, found in skipped:  # passed over: the plan goes on after it
            await _continue(session, self._loop, lead, plan, _following(step, found), now=now)
        return sendable, len(stopped) + len(skipped)


def _find_step(plan: Plan, step: StepRecord) -> int | None:
    """Where the stored step is in the plan as the rules file says now (found by title, so
    editing other steps keeps progress); None when it was removed."""
    if step.step_index < len(plan.steps) and plan.steps[step.step_index].title == step.step_title:
        return step.step_index
    titles = [candidate.title for candidate in plan.steps]
    return titles.index(step.step_title) if step.step_title in titles else None


def _following(step: StepRecord, found: int | None) -> int:
    """The plan index after a stored step found at `found`; a removed step's own index."""
    return step.step_index if found is None else found + 1


async def _continue(
    session: AsyncSession, loop: Loop, lead: Lead, plan: Plan, index: int, *, now: datetime
) -> NewStep | None:
    """Schedule the plan's step `index` (or the next allowed one); at the plan's end the
    enrolment ends and the lead is back to new."""
    allowed = _allowed_from(plan, index, lead, loop)
    if allowed is None:
        await end_enrolments(session, [lead.id], "completed", now)
        decision = decide(lead.stage, Step.STOP_NURTURE, SYSTEM, owner=lead.owner)
        if isinstance(decision, Move):
            await move_stage(
                session, lead.id, decision, actor=SYSTEM.user, now=now, reason="plan_completed"
            )
        return None
    step = _new_step(lead, plan, allowed, now)
    await schedule_next(session, step, now)
    return step


def _reminder_messages(steps: Sequence[StepRecord], now: datetime) -> list[OutboxMessage]:
    """One DM intent per doer (split past the per-message limit), keyed by its steps.

    Written round-robin (every doer's first DM, then every second one ...): the outbox takes
    one post per channel at a time, so a doer with many DMs holds up nobody else's.
    """
    by_doer: dict[str, list[StepRecord]] = defaultdict(list)
    for step in steps:
        by_doer[step.doer].append(step)
    rounds: list[list[OutboxMessage]] = []
    for doer, owed in sorted(by_doer.items()):
        for number, start in enumerate(range(0, len(owed), MAX_REMINDERS_PER_MESSAGE)):
            if number == len(rounds):
                rounds.append([])
            rounds[number].append(
                _reminder_message(doer, owed[start : start + MAX_REMINDERS_PER_MESSAGE], now)
            )
    return [message for messages in rounds for message in messages]


def _reminder_message(doer: str, chunk: Sequence[StepRecord], now: datetime) -> OutboxMessage:
    """The DM intent for these steps of one doer, keyed by the steps and their attempts."""
    ids = [step.id for step in chunk]
    tag = ",".join(f"{step.id}.{step.attempts}" for step in chunk)
    digest = hashlib.sha256(tag.encode()).hexdigest()[:20]
    intent = {"kind": NURTURE, "steps": ids}
    return intent_message(f"nurture:{doer}:{digest}", doer, intent, now=now, lead_id=None)


# --- rendering at send time -------------------------------------------------------------


async def render_reminders(
    loop: Loop, people: People, intent: dict[str, Any], recipient: str
) -> dict[str, Any] | None:
    """The reminder DM for the steps still waiting for Done, with each lead as it is now, in
    the recipient's language; None when none is left."""
    ids = [int(found) for found in intent.get("steps") or [] if str(found).isdigit()]
    reminders = []
    async with loop.db.read() as session:
        steps = await steps_by_id(session, ids)
        leads = await leads_by_id(session, [step.lead_id for step in steps])
    for step in steps:
        reminder = _reminder(loop, step, leads.get(step.lead_id))
        if reminder is not None:
            reminders.append(reminder)
    if not reminders:
        return None
    language = await people.language(recipient) if _is_user(recipient) else loop.channel_language
    message = reminder_message(reminders, language, loop.config.nurture.snooze_choices)
    return {**message, "channel": recipient, "unfurl_links": False}


def _reminder(loop: Loop, step: StepRecord, lead: Lead | None) -> Reminder | None:
    if step.state != SENT:
        return None
    plan = plan_named(loop.config.nurture.plans, step.plan)
    if lead is None or lead.stage != Stage.NURTURING or plan is None:
        return None
    found = _find_step(plan, step)
    if found is None:
        return None
    planned: PlanStep = plan.steps[found]
    return Reminder(
        step_id=step.id,
        lead=lead,
        action=planned.action.value,
        title=planned.title,
        content=planned.content,
        plan=plan.name,
        number=found + 1,
        total=len(plan.steps),
    )


# --- the buttons ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepClick:
    """A click on a reminder's button."""

    step_id: int
    user: str
    at: datetime
    is_admin: bool = False


@dataclass(frozen=True)
class StepOutcome:
    """What a click did; `lead` None: the step was not open (a repeat or stale click)."""

    lead: Lead | None = None
    title: str = ""
    became_hot: bool = False
    next_step: NewStep | None = None
    until: datetime | None = None
    refusal: Refusal | None = None


async def complete_step(loop: Loop, click: StepClick) -> StepOutcome:
    """Done: record the touch, add the step's points (the lead may turn hot and be alerted
    at once), and schedule the next step."""
    async with loop.db.write() as session:
        step = await take_step(
            session,
            click.step_id,
            from_states=(SENT, SNOOZED),
            values={"state": DONE, "done_at": click.at, "done_by": click.user},
        )
        if step is None:
            return StepOutcome()
        row = await lock_lead(session, step.lead_id)
        plan = plan_named(loop.config.nurture.plans, step.plan)
        if row is None:
            return StepOutcome()
        found = _find_step(plan, step) if plan is not None else None
        points = plan.steps[found].points if plan is not None and found is not None else 0
        await _record_done(session, row.id, click, step, points)
        if points:
            _add_engagement(row, points, loop, click.at)
        lead = to_lead(row)
        if await turn_hot_if_due(session, row, loop, click.at):
            return StepOutcome(to_lead(row), step.step_title, became_hot=True)
        if plan is None or lead.stage != Stage.NURTURING:
            return StepOutcome(lead, step.step_title)
        upcoming = await _continue(session, loop, lead, plan, _following(step, found), now=click.at)
        return StepOutcome(lead, step.step_title, next_step=upcoming)


async def _record_done(
    session: AsyncSession, lead_id: int, click: StepClick, step: StepRecord, points: int
) -> None:
    await record_touches(
        session,
        [
            {
                "lead_id": lead_id,
                "captured_by": click.user,
                "channel_id": "",
                "via": NURTURE,
                "source": "",
                "event": "",
                "interest": "",
                "notes": step.step_title,
                "kind": NURTURE_STEP_KIND,
                "points": float(points),
                "created_at": click.at,
            }
        ],
    )
    detail = {"plan": step.plan, "step": step.step_index + 1, "points": points}
    await record_audit(
        session, [audit_values(lead_id, click.user, "nurture_done", detail, click.at)]
    )


def _add_engagement(row: Any, points: int, loop: Loop, now: datetime) -> None:
    """Engagement decayed to now plus the step's points; the score follows."""
    at = now.timestamp()
    half_life = loop.config.scoring.half_life_seconds
    row.engagement = decayed(row.engagement, row.engagement_at, at, half_life) + points
    row.engagement_at = at
    row.score = round(row.fit + row.engagement)
    reason = reason_json(event_reason(NURTURE_STEP_KIND, points))
    row.reasons = [*list(row.reasons or []), reason]


async def snooze_step(loop: Loop, click: StepClick, choice: str, timezone: str) -> StepOutcome:
    """Snooze: the reminder comes back after `choice`, inside the doer's working hours."""
    settings = loop.config.nurture
    if choice not in settings.snooze_choices:
        return StepOutcome()
    until = snoozed_until(
        click.at,
        choice,
        timezone,
        settings.working_hours,
        settings.holidays,
        fallback_timezone=loop.config.timezone,
    )
    async with loop.db.write() as session:
        step = await take_step(
            session,
            click.step_id,
            from_states=(SENT,),
            values={"state": SNOOZED, "due_at": until, "lease_owner": "", "lease_until": None},
        )
        if step is None:
            return StepOutcome()
        lead = await get_lead(session, step.lead_id)
        detail = {"plan": step.plan, "step": step.step_index + 1, "choice": choice}
        await record_audit(
            session, [audit_values(step.lead_id, click.user, "nurture_snoozed", detail, click.at)]
        )
    return StepOutcome(lead, step.step_title, until=until)


async def stop_nurture(loop: Loop, click: StepClick) -> StepOutcome:
    """Stop nurture: the lead leaves its plan (back to new) and no more steps come."""
    async with loop.db.write() as session:
        found = await steps_by_id(session, [click.step_id])
        step = found[0] if found else None
        if step is None or step.state not in OPEN:
            return StepOutcome()
        row = await lock_lead(session, step.lead_id)
        if row is None:
            return StepOutcome()
        lead = to_lead(row)
        actor = Actor(user=click.user, is_admin=click.is_admin)
        decision = decide(lead.stage, Step.STOP_NURTURE, actor, owner=lead.owner)
        if isinstance(decision, Refusal):
            return StepOutcome(lead, refusal=decision)
        moved = await move_stage(
            session, lead.id, decision, actor=click.user, now=click.at, reason="stop_nurture"
        )
        if moved is None:
            return StepOutcome()
        await end_enrolments(session, [lead.id], "stopped", click.at)
        detail = {"plan": step.plan, "step": step.step_index + 1}
        await record_audit(
            session, [audit_values(lead.id, click.user, "nurture_stopped", detail, click.at)]
        )
        return StepOutcome(to_lead(moved), step.step_title)


# --- /lead mine -------------------------------------------------------------------------


async def my_tasks(loop: Loop, user: str, now: datetime, limit: int = 20) -> list[Task]:
    """The person's open nurture steps due within a week, soonest first."""
    async with loop.db.read() as session:
        found = await steps_for(session, user, now + WEEK, limit)
    tasks = []
    for step, name, company in found:
        plan = plan_named(loop.config.nurture.plans, step.plan)
        index = _find_step(plan, step) if plan is not None else None
        action = plan.steps[index].action.value if plan is not None and index is not None else ""
        tasks.append(Task(step.due_at, action, step.step_title, name, company))
    return tasks


async def my_open_leads(loop: Loop, user: str, limit: int = 20) -> list[Lead]:
    """The person's own open leads: claimed or with a meeting, not yet won or lost."""
    async with loop.db.read() as session:
        return await open_leads_of(session, user, (Stage.CLAIMED, Stage.MEETING), limit)
