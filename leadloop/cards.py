"""The card's buttons as use cases: claim, pass, and the deal outcomes; redrawing the card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.cards import lead_card
from leadloop.context import Loop
from leadloop.messages import (
    WHILE_UNCLAIMED,
    card_key,
    card_message,
    card_update,
    owner_dm_message,
    sla_messages,
)
from leads.language import Language
from leads.lead import Lead
from leads.lifecycle import Actor, Move, Refusal, Step, decide, stage_refusal
from leads.routing import pass_destination, route
from storage.leads import (
    audit_values,
    get_lead,
    has_passed,
    move_stage,
    passed_by,
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
        passed = await passed_by(session, row.id)
        claimed = to_lead(row)
        owed = [
            *_redraws(loop, row, "claimed", click, passed),
            owner_dm_message(claimed, click.language, now=click.at, passed_by=passed),
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
        await _audit(
            session, lead.id, click, "passed", {"channel": click.channel, "to": destination}
        )
        changes = {"route_channel": destination} if destination else {}
        row = await move_stage(
            session, lead.id, move, actor=click.user, now=click.at, changes=changes
        )
        if row is None:
            return await _lost_race(session, click, Step.PASS)
        passed = await passed_by(session, row.id)
        owed = _redraws(loop, row, f"pass:{click.user}", click, passed, moved_to=destination)
        if destination:
            await cancel_conditional(session, row.id, WHILE_UNCLAIMED)
            owed.extend(_moved_card(loop, to_lead(row), destination, click.at))
        await enqueue(session, owed, click.at)
    return ClickOutcome(to_lead(row), destination=destination)


async def record_outcome(loop: Loop, click: Click, step: Step) -> ClickOutcome:
    """Meeting booked, Won or Lost: only the owner or an admin, only from the right stage."""
    async with loop.db.write() as session:
        found = await _decide(session, loop, click, step)
        if not isinstance(found, tuple):
            return found
        lead, move = found
        row = await move_stage(session, lead.id, move, actor=click.user, now=click.at)
        if row is None:
            return await _lost_race(session, click, step)
        passed = await passed_by(session, row.id)
        await enqueue(session, _redraws(loop, row, move.target.value, click, passed), click.at)
        await _audit(session, row.id, click, "outcome", {"stage": move.target.value})
    return ClickOutcome(to_lead(row))


async def redraw_card(
    session: AsyncSession, loop: Loop, row: LeadRow, *, step: str, now: datetime
) -> None:
    """Show the lead's current values on its card, posted or still waiting to be posted."""
    lead = to_lead(row)
    passed = await passed_by(session, row.id)
    if row.card_ts:
        update = card_update(
            lead,
            loop.channel_language,
            channel=row.card_channel,
            ts=row.card_ts,
            step=step,
            now=now,
            passed_by=passed,
        )
        await enqueue(session, [update], now)
        return
    payload = {
        **lead_card(lead, loop.channel_language, passed_by=passed),
        "unfurl_links": False,
        "unfurl_media": False,
    }
    await replace_pending_payload(session, card_key(row.id), payload)


async def _decide(
    session: AsyncSession, loop: Loop, click: Click, step: Step
) -> tuple[Lead, Move] | ClickOutcome:
    lead = await get_lead(session, click.lead_id) if click.lead_id else None
    if lead is None:
        return ClickOutcome(None, GONE)
    if _clicked_left_behind_card(lead, click, step):
        return ClickOutcome(lead, Refusal("moved", {"channel": lead.route_channel}))
    decision = decide(lead.stage, step, click.actor, owner=lead.owner)
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
    loop: Loop,
    row: LeadRow,
    step: str,
    click: Click,
    passed: tuple[str, ...],
    *,
    moved_to: str = "",
) -> list[OutboxMessage]:
    """Redraw the clicked card, and the lead's current card when that is another one."""
    lead = to_lead(row)
    cards = {(click.channel, click.ts)} if click.channel and click.ts else set()
    if row.card_ts and not moved_to:
        cards.add((row.card_channel, row.card_ts))
    return [
        card_update(
            lead,
            loop.channel_language,
            channel=channel,
            ts=ts,
            step=step,
            now=click.at,
            passed_by=passed,
            moved_to=moved_to if channel == click.channel else "",
        )
        for channel, ts in sorted(cards)
    ]


def _moved_card(loop: Loop, lead: Lead, channel: str, now: datetime) -> list[OutboxMessage]:
    """The card and SLA ladder of a lead passed on to `channel`."""
    language = loop.channel_language
    card = card_message(lead, channel, language, now=now, first=False)
    ladder = sla_messages(
        lead, loop.config.sla, language, channel=channel, card=card.key, since=now
    )
    return [card, *ladder]


async def _audit(
    session: AsyncSession, lead_id: int, click: Click, action: str, detail: dict[str, str]
) -> None:
    await record_audit(session, [audit_values(lead_id, click.user, action, detail, click.at)])
