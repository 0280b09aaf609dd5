"""The outbox rows a lead's lifecycle owes: its card, SLA steps, card updates and DMs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from blocks.cards import lead_card
from blocks.messages import escalation_message, owner_dm, reannounce_message
from leads.lead import Lead
from leads.sla import SlaPolicy, sla_due_times
from storage.outbox import ONLY_IF_UNCLAIMED, OutboxMessage


def card_key(lead_id: int) -> str:
    """Dedupe key of a lead's first card; thread replies hang off it."""
    return f"lead:{lead_id}:card"


def alert_messages(lead: Lead, sla: SlaPolicy, *, now: datetime) -> list[OutboxMessage]:
    """The card for a lead that just turned hot, and its SLA ladder."""
    card = OutboxMessage(
        key=card_key(lead.id),
        kind="card",
        method="chat.postMessage",
        channel=lead.route_channel,
        payload={**lead_card(lead), "unfurl_links": False, "unfurl_media": False},
        due_at=now,
        lead_id=lead.id,
    )
    return [card, *_sla_steps(lead, sla, now)]


def _sla_steps(lead: Lead, sla: SlaPolicy, now: datetime) -> list[OutboxMessage]:
    steps = []
    for step, due_at in sla_due_times(now, sla):
        if step == "reannounce":
            payload = reannounce_message(lead, sla.reannounce_after_minutes)
            channel, thread_of = lead.route_channel, card_key(lead.id)
        else:
            # The card is not posted yet, so name the channel it is routed to.
            routed = replace(lead, card_channel=lead.route_channel)
            payload = escalation_message(routed, sla.escalate_after_minutes)
            channel, thread_of = sla.escalate_to, ""
        steps.append(
            OutboxMessage(
                key=f"lead:{lead.id}:sla:{step}",
                kind=f"sla_{step}",
                method="chat.postMessage",
                channel=channel,
                payload=payload,
                due_at=due_at,
                lead_id=lead.id,
                thread_of=thread_of,
                only_if=ONLY_IF_UNCLAIMED,
            )
        )
    return steps


def card_update_message(
    lead: Lead,
    *,
    channel: str,
    ts: str,
    step: str,
    now: datetime,
    passed_by: tuple[str, ...] = (),
    moved_to: str = "",
) -> OutboxMessage:
    """Redraw the card in place for the lead's new state."""
    return OutboxMessage(
        key=f"lead:{lead.id}:card:{step}",
        kind="card_update",
        method="chat.update",
        channel=channel,
        payload={**lead_card(lead, passed_by=passed_by, moved_to=moved_to), "ts": ts},
        due_at=now,
        lead_id=lead.id,
        supersedes=True,
    )


def owner_dm_message(lead: Lead, *, now: datetime) -> OutboxMessage:
    """The new owner's DM with the lead's contact details."""
    owner = lead.owner or ""
    return OutboxMessage(
        key=f"lead:{lead.id}:owner:{owner}",
        kind="owner_dm",
        method="chat.postMessage",
        channel=owner,
        payload={**owner_dm(lead), "unfurl_links": False},
        due_at=now,
        lead_id=lead.id,
    )


def moved_card_message(lead: Lead, channel: str, *, now: datetime) -> OutboxMessage:
    """A fresh card for `channel` after someone passed the lead on to it."""
    return OutboxMessage(
        key=f"lead:{lead.id}:card:{channel}",
        kind="card",
        method="chat.postMessage",
        channel=channel,
        payload={**lead_card(lead), "unfurl_links": False, "unfurl_media": False},
        due_at=now,
        lead_id=lead.id,
    )
