"""The card's buttons as use cases: claim, pass, deal outcomes and their corrections."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.cards import CardView, lead_card
from leadloop.context import Loop
from leadloop.messages import (
    WHILE_UNCLAIMED,
    WHILE_UNDECIDED,
    card_key,
    card_message,
    card_update,
    intent_message,
    owner_dm_message,
    sla_messages,
)
from leadloop.nurture import enrol_if_eligible
from leadloop.reminders import STALE_MANAGER, STALE_OWNER
from leadloop.views import card_view
from leadloop.webhooks import lead_event
from leads.language import Language
from leads.lead import Lead
from leads.lifecycle import Actor, Move, Refusal, Step, decide, stage_refusal
from leads.model import Stage
from leads.outcomes import RECYCLABLE, LostReason
from leads.routing import pass_destination, route
from storage.leads import (
    audit_values,
    get_lead,
    has_passed,
    move_stage,
    record_audit,
    to_lead,
)
from storage.outbox import OutboxMessage, cancel_conditional, enqueue, replace_pending_payload
from storage.tables import LeadRow

GONE = Refusal("gone")


@dataclass(frozen=True)
class Click:
    """A button pressed on a lead's card: by whom, where, and what we know of their rights."""

    lead_id: int
    user: str
    channel: str
    ts: str
    at: datetime
    language: Language = "en"  # the clicker's
    is_admin: bool = False
    may_claim: bool = True

    @property
    def actor(self) -> Actor:
        """The clicker as the lifecycle sees them."""
        return Actor(self.user, is_admin=self.is_admin, may_claim=self.may_claim)


@dataclass(frozen=True)
class OutcomeForm:
    """An outcome to record: the step, and what the Won, Lost or Change outcome form said."""

    step: Step
    target: Stage | None = None  # Change outcome: the outcome it changes to
    value: float | None = None
    reason: LostReason | None = None
    detail: str = ""
    expected: Stage | None = None  # the stage the form was opened in


@dataclass(frozen=True)
class ClickOutcome:
    """What a click did: the lead afterwards, or why nothing happened."""

    lead: Lead | None
    refusal: Refusal | None = None
    destination: str = ""  # where a Pass sent the lead (empty: it stays in this channel)

    @property
    def done(self) -> bool:
        """Whether the click changed the lead."""
        return self.refusal is None


async def claim(loop: Loop, click: Click) -> ClickOutcome:
    """Make the clicker the owner: one conditional UPDATE from hot, so only one click wins."""
    async with loop.db.write() as session:
        found = await _decide(session, loop, click, Step.CLAIM)
        if not isinstance(found, tuple):
            return found
        lead, move = found
        changes = {"owner": click.user, "claimed_at": click.at}
        row = await move_stage(
            session, lead.id, move, actor=click.user, now=click.at, changes=changes
        )
        if row is None:
            return await _lost_race(session, click, Step.CLAIM)
        await cancel_conditional(session, row.id, WHILE_UNCLAIMED)
        claimed = to_lead(row)
        view = await card_view(session, loop, claimed)
        owed = [
            *_redraws(loop, row, "claimed", click, view),
            owner_dm_message(claimed, click.language, now=click.at, view=view),
            *stale_deal_reminders(loop, claimed, click.at),
            *lead_event(
                loop.config,
                "lead.claimed",
                claimed,
                source=move.source,
                actor=click.user,
                at=click.at,
            ),
        ]
        await enqueue(session, owed, click.at)
        await _audit(session, row.id, click, "claimed", {"channel": click.channel})
    return ClickOutcome(claimed)


async def pass_lead(loop: Loop, click: Click) -> ClickOutcome:
    """Record a Pass; send the whole lead on where routing says, or leave it to the others."""
    async with loop.db.write() as session:
        found = await _decide(session, loop, click, Step.PASS)
        if not isinstance(found, tuple):
            return found
        lead, move = found
        chosen = route(lead.facts(), loop.config.routing, loop.sales_channel)
        destination = pass_destination(click.channel, chosen, loop.sales_channel) or ""
        if await has_passed(session, lead.id, click.user):
            return ClickOutcome(lead, destination=destination)
        detail = {"channel": click.channel, "to": destination}
        await _audit(session, lead.id, click, "passed", detail)
        changes = {"route_channel": destination} if destination else {}
        row = await move_stage(
            session, lead.id, move, actor=click.user, now=click.at, changes=changes
        )
        if row is None:
            return await _lost_race(session, click, Step.PASS)
        passed = to_lead(row)
        view = await card_view(session, loop, passed, moved_to=destination)
        owed = _redraws(loop, row, f"pass:{click.user}", click, view)
        if destination:
            await cancel_conditional(session, row.id, WHILE_UNCLAIMED)
            stay = replace(view, moved_to="")
            owed.extend(_moved_card(loop, passed, destination, click.at, stay))
        await enqueue(session, owed, click.at)
    return ClickOutcome(passed, destination=destination)


async def check_outcome(loop: Loop, click: Click, step: Step) -> ClickOutcome:
    """Whether the clicker may record this outcome now, before a form is opened for it."""
    async with loop.db.read() as session:
        found = await _decide(session, loop, click, step, target=Stage.WON)
    return found if isinstance(found, ClickOutcome) else ClickOutcome(found[0])


async def record_outcome(loop: Loop, click: Click, form: OutcomeForm) -> ClickOutcome:
    """Meeting booked, Won, Lost, a correction or Nurture again: only the owner or an admin,
    only from the stage the form was opened in."""
    async with loop.db.write() as session:
        found = await _decide(session, loop, click, form.step, target=form.target)
        if not isinstance(found, tuple):
            return found
        lead, move = found
        refused = _form_refusal(lead, form)
        if refused is not None:
            return ClickOutcome(lead, refused)
        columns = _decision_columns(move, form, click)
        row = await move_stage(
            session,
            lead.id,
            move,
            actor=click.user,
            now=click.at,
            reason=columns.get("lost_reason", ""),
            value=columns.get("deal_value"),
            changes=columns,
        )
        if row is None:
            return await _lost_race(session, click, form.step)
        if move.target in (Stage.WON, Stage.LOST, Stage.RECYCLED):
            await cancel_conditional(session, row.id, WHILE_UNDECIDED)
        if move.target == Stage.RECYCLED:
            await enrol_if_eligible(session, loop, row.id, click.at)
        decided = to_lead(row)
        view = await card_view(session, loop, decided)
        step_key = f"{move.target.value}:{int(click.at.timestamp() * 1000)}"
        event = "lead.recycled" if move.target == Stage.RECYCLED else "lead.outcome"
        owed = [
            *_redraws(loop, row, step_key, click, view),
            *lead_event(
                loop.config, event, decided, source=move.source, actor=click.user, at=click.at
            ),
        ]
        await enqueue(session, owed, click.at)
        detail = {"stage": move.target.value, "from": move.source.value}
        await _audit(session, row.id, click, "outcome", detail)
    return ClickOutcome(decided)


def _form_refusal(lead: Lead, form: OutcomeForm) -> Refusal | None:
    if form.expected is not None and lead.stage != form.expected:
        return stage_refusal(lead.stage, form.step, lead.owner)
    decision = lead.decision
    if form.step == Step.RECYCLE and (decision is None or decision.reason not in RECYCLABLE):
        return Refusal("not_recyclable")
    return None


def _decision_columns(move: Move, form: OutcomeForm, click: Click) -> dict[str, Any]:
    """The lead's outcome columns after `move` (the card and the export read them)."""
    target, at = move.target, click.at
    if target == Stage.RECYCLED:
        return {}
    decided = target != Stage.CLAIMED  # Claimed: a correction back to "no outcome yet"
    columns: dict[str, Any] = {
        "outcome": target.value if decided else "",
        "outcome_by": click.user if decided else "",
        "outcome_at": at if decided else None,
        "deal_value": form.value if target == Stage.WON else None,
        "lost_reason": form.reason.value if target == Stage.LOST and form.reason else "",
        "lost_detail": form.detail.strip() if target == Stage.LOST else "",
        "won_at": at if target == Stage.WON else None,
        "lost_at": at if target == Stage.LOST else None,
    }
    if target == Stage.MEETING:
        columns["meeting_at"] = at
    return columns


def stale_deal_reminders(loop: Loop, lead: Lead, claimed_at: datetime) -> list[OutboxMessage]:
    """A claimed lead left without an outcome: its owner is reminded once, then the manager."""
    settings = loop.config.outcomes
    owed = []
    if settings.remind_owner_after_days and lead.owner:
        due = claimed_at + timedelta(days=settings.remind_owner_after_days)
        owed.append(_reminder(lead, STALE_OWNER, lead.owner, due))
        manager = loop.config.manager
        if settings.remind_manager_after_days and manager:
            later = due + timedelta(days=settings.remind_manager_after_days)
            owed.append(_reminder(lead, STALE_MANAGER, manager, later))
    return owed


def _reminder(lead: Lead, kind: str, to: str, due: datetime) -> OutboxMessage:
    intent = {"kind": kind, "lead_id": lead.id, "owner": lead.owner or ""}
    message = intent_message(
        f"lead:{lead.id}:{kind}:{lead.owner}", to, intent, now=due, lead_id=lead.id
    )
    return replace(message, only_if=WHILE_UNDECIDED)


async def redraw_card(
    session: AsyncSession, loop: Loop, row: LeadRow, *, step: str, now: datetime
) -> None:
    """Show the lead's current values on its card, posted or still waiting to be posted."""
    lead = to_lead(row)
    view = await card_view(session, loop, lead)
    if row.card_ts:
        update = card_update(
            lead,
            loop.channel_language,
            channel=row.card_channel,
            ts=row.card_ts,
            step=step,
            now=now,
            view=view,
        )
        await enqueue(session, [update], now)
        return
    payload = {
        **lead_card(lead, loop.channel_language, view),
        "unfurl_links": False,
        "unfurl_media": False,
    }
    await replace_pending_payload(session, card_key(row.id), payload)


async def _decide(
    session: AsyncSession, loop: Loop, click: Click, step: Step, *, target: Stage | None = None
) -> tuple[Lead, Move] | ClickOutcome:
    lead = await get_lead(session, click.lead_id) if click.lead_id else None
    if lead is None:
        return ClickOutcome(None, GONE)
    if _clicked_left_behind_card(lead, click, step):
        return ClickOutcome(lead, Refusal("moved", {"channel": lead.route_channel}))
    decision = decide(lead.stage, step, click.actor, owner=lead.owner, target=target)
    if isinstance(decision, Refusal):
        return ClickOutcome(lead, _in_policy_words(decision, loop))
    return lead, decision


def _clicked_left_behind_card(lead: Lead, click: Click, step: Step) -> bool:
    """A Claim or Pass on the card a Pass left behind (its buttons were not yet removed)."""
    return (
        step in (Step.CLAIM, Step.PASS)
        and lead.owner is None
        and bool(lead.route_channel)
        and bool(click.channel)
        and click.channel != lead.route_channel
    )


def _in_policy_words(refusal: Refusal, loop: Loop) -> Refusal:
    if refusal.code == "may_not_claim" and loop.config.claim.mode == "list":
        return Refusal("may_not_claim_list")
    return refusal


async def _lost_race(session: AsyncSession, click: Click, step: Step) -> ClickOutcome:
    """Someone else moved the lead between our read and our UPDATE: explain the new state."""
    session.expire_all()
    lead = await get_lead(session, click.lead_id)
    if lead is None:
        return ClickOutcome(None, GONE)
    return ClickOutcome(lead, stage_refusal(lead.stage, step, lead.owner))


def _redraws(
    loop: Loop, row: LeadRow, step: str, click: Click, view: CardView
) -> list[OutboxMessage]:
    """Redraw the clicked card, and the lead's current card when that is another one."""
    lead = to_lead(row)
    cards = {(click.channel, click.ts)} if click.channel and click.ts else set()
    if row.card_ts and not view.moved_to:
        cards.add((row.card_channel, row.card_ts))
    here = replace(view, moved_to="")
    return [
        card_update(
            lead,
            loop.channel_language,
            channel=channel,
            ts=ts,
            step=step,
            now=click.at,
            view=view if channel == click.channel else here,
        )
        for channel, ts in sorted(cards)
    ]


def _moved_card(
    loop: Loop, lead: Lead, channel: str, now: datetime, view: CardView
) -> list[OutboxMessage]:
    """The card and SLA ladder of a lead passed on to `channel`."""
    language = loop.channel_language
    card = card_message(lead, channel, language, now=now, first=False, view=view)
    ladder = sla_messages(
        lead, loop.config.sla, language, channel=channel, card=card.key, since=now
    )
    return [card, *ladder]


async def _audit(
    session: AsyncSession, lead_id: int, click: Click, action: str, detail: dict[str, str]
) -> None:
    await record_audit(session, [audit_values(lead_id, click.user, action, detail, click.at)])
