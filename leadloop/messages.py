"""The outbox rows a lead's lifecycle owes: its card, SLA steps, card updates and DMs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from blocks.cards import CardView, lead_card
from blocks.messages import Message, escalation_message, owner_dm, reannounce_message
from leads.language import Language
from leads.lead import Lead
from leads.sla import SlaPolicy, sla_due_times
from storage.outbox import OutboxMessage

WHILE_UNCLAIMED = "unclaimed"  # SLA steps are owed only while nobody has claimed the lead
WHILE_UNDECIDED = "undecided"  # stale-deal reminders, only while the deal has no outcome
RECAPTURED = "recaptured"
FILE_UPLOAD = "files.upload_v2"  # the outbox method of a file shared through Slack's upload flow
_NO_UNFURL = {"unfurl_links": False, "unfurl_media": False}


def card_key(lead_id: int, channel: str = "") -> str:
    """Dedupe key of a lead's card (its first, or the one posted to `channel` after a Pass)."""
    return f"lead:{lead_id}:card" + (f":{channel}" if channel else "")


def card_message(
    lead: Lead, channel: str, language: Language, *, now: datetime, first: bool, view: CardView
) -> OutboxMessage:
    """Post the lead's card to `channel`."""
    return OutboxMessage(
        key=card_key(lead.id, "" if first else channel),
        kind="card",
        method="chat.postMessage",
        channel=channel,
        payload={**lead_card(lead, language, view), **_NO_UNFURL},
        due_at=now,
        lead_id=lead.id,
    )


def sla_messages(
    lead: Lead,
    sla: SlaPolicy,
    language: Language,
    *,
    channel: str,
    card: str,
    since: datetime,
) -> list[OutboxMessage]:
    """The SLA ladder of a card in `channel` (dedupe key `card`): re-announce, then escalate."""
    steps = []
    suffix = "" if card == card_key(lead.id) else f":{channel}"
    for step, due_at in sla_due_times(since, sla):
        if step == "reannounce":
            payload = reannounce_message(lead, sla.reannounce_after_minutes, language)
            target, thread_of = channel, card
        else:
            payload = escalation_message(lead, sla.escalate_after_minutes, channel, language)
            target, thread_of = sla.escalate_to, ""
        steps.append(
            OutboxMessage(
                key=f"lead:{lead.id}:sla:{step}{suffix}",
                kind=f"sla_{step}",
                method="chat.postMessage",
                channel=target,
                payload=payload,
                due_at=due_at,
                lead_id=lead.id,
                thread_of=thread_of,
                only_if=WHILE_UNCLAIMED,
            )
        )
    return steps


def card_update(
    lead: Lead,
    language: Language,
    *,
    channel: str,
    ts: str,
    step: str,
    now: datetime,
    view: CardView,
) -> OutboxMessage:
    """Redraw a card in place for the lead's new state; a newer redraw cancels this one."""
    return OutboxMessage(
        key=f"lead:{lead.id}:card:{channel}:{ts}:{step}",
        kind="card_update",
        method="chat.update",
        channel=channel,
        payload={**lead_card(lead, language, view), "ts": ts},
        due_at=now,
        lead_id=lead.id,
        supersedes=True,
    )


def owner_dm_message(
    lead: Lead, language: Language, *, now: datetime, view: CardView
) -> OutboxMessage:
    """The new owner's DM with the lead's contact details."""
    owner = lead.owner or ""
    payload = owner_dm(lead, language, view)
    return direct_message(f"lead:{lead.id}:owner:{owner}", owner, payload, now=now, lead_id=lead.id)


def intent_message(
    key: str, user: str, intent: dict[str, Any], *, now: datetime, lead_id: int | None
) -> OutboxMessage:
    """A DM rendered when it is sent, in the language and with the data of that moment."""
    return direct_message(key, user, {"intent": intent}, now=now, lead_id=lead_id)


def direct_message(
    key: str, user: str, payload: Message, *, now: datetime, lead_id: int | None
) -> OutboxMessage:
    """A DM to `user` (rendered, or an intent the deliverer renders at send time)."""
    return OutboxMessage(
        key=key,
        kind="dm",
        method="chat.postMessage",
        channel=user,
        payload={**payload, "unfurl_links": False},
        due_at=now,
        lead_id=lead_id,
    )


def upload_message(
    key: str, channel: str, intent: dict[str, Any], *, now: datetime, lead_id: int | None = None
) -> OutboxMessage:
    """A file shared to `channel`: an intent whose renderer makes the bytes when it is sent."""
    return OutboxMessage(
        key=key,
        kind="upload",
        method=FILE_UPLOAD,
        channel=channel,
        payload={"intent": intent},
        due_at=now,
        lead_id=lead_id,
    )
