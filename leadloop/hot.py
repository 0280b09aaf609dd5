"""Turning hot: the one place that decides a lead is hot, routes it and owes its alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.cards import NO_VIEW, CardView
from leadloop.context import Loop
from leadloop.messages import card_key, card_message, sla_messages
from leadloop.views import card_view
from leadloop.webhooks import lead_event
from leads.lead import Lead
from leads.lifecycle import BEFORE_SALES, SYSTEM, Move, Step, decide
from leads.model import Stage
from leads.routing import route
from storage.leads import audit_values, lock_hot_candidates, move_stage, record_audit, to_lead
from storage.nurture import end_enrolments
from storage.outbox import OutboxMessage, enqueue
from storage.tables import LeadRow

PROMOTE_BATCH = 500


def may_turn_hot(score: int, loop: Loop) -> bool:
    """Whether a lead with this score is hot enough (its stage decides the rest)."""
    return score >= loop.config.scoring.hot_threshold


def hot_move(lead: Lead, loop: Loop) -> Move | None:
    """The move to hot, if the lead's score reached the threshold before sales had it."""
    if not may_turn_hot(lead.score, loop):
        return None
    decision = decide(lead.stage, Step.TURN_HOT, SYSTEM, owner=lead.owner)
    return decision if isinstance(decision, Move) else None


def hot_columns(lead: Lead, loop: Loop, now: datetime) -> dict[str, Any]:
    """What turning hot sets besides the stage: when, and the channel it is routed to."""
    chosen = route(lead.facts(), loop.config.routing, loop.sales_channel)
    return {"hot_at": now, "route_channel": chosen.channel, "route_rule": chosen.rule_name}


async def turn_hot_if_due(session: AsyncSession, row: LeadRow, loop: Loop, now: datetime) -> bool:
    """Move a stored lead to hot when its score says so; queue its card and SLA ladder."""
    lead = to_lead(row)
    move = hot_move(lead, loop)
    if move is None:
        return False
    changes = hot_columns(lead, loop, now)
    moved = await move_stage(session, row.id, move, actor=SYSTEM.user, now=now, changes=changes)
    if moved is None:
        return False
    hot = to_lead(moved)
    if move.source == Stage.NURTURING:
        await end_enrolments(session, [hot.id], "hot", now)
    await record_audit(session, [hot_audit(hot, now)])
    await enqueue(session, hot_event(loop, hot, move.source, now), now)
    await enqueue(session, hot_alerts(hot, loop, now, await card_view(session, loop, hot)), now)
    return True


def hot_audit(lead: Lead, now: datetime) -> dict[str, Any]:
    """The audit row saying the lead turned hot and where it went."""
    return audit_values(lead.id, SYSTEM.user, "hot", {"channel": lead.route_channel}, now)


def hot_alerts(
    lead: Lead, loop: Loop, now: datetime, view: CardView = NO_VIEW
) -> list[OutboxMessage]:
    """The card of a lead that just turned hot, and its SLA ladder."""
    language = loop.channel_language
    card = card_message(lead, lead.route_channel, language, now=now, first=True, view=view)
    ladder = sla_messages(
        lead,
        loop.config.sla,
        language,
        channel=lead.route_channel,
        card=card_key(lead.id),
        since=now,
    )
    return [card, *ladder]


def hot_event(loop: Loop, lead: Lead, source: Stage, now: datetime) -> list[OutboxMessage]:
    """`lead.hot` for the CRMs that subscribed."""
    return lead_event(loop.config, "lead.hot", lead, source=source, actor=SYSTEM.user, at=now)


async def promote_hot(loop: Loop) -> int:
    """Turn every stored lead whose score reached the threshold hot, in batches."""
    promoted = 0
    while True:
        now = loop.now()
        async with loop.db.write() as session:
            rows = await lock_hot_candidates(
                session, BEFORE_SALES, loop.config.scoring.hot_threshold, PROMOTE_BATCH
            )
            for row in rows:
                promoted += await turn_hot_if_due(session, row, loop, now)
        if len(rows) < PROMOTE_BATCH:
            return promoted
