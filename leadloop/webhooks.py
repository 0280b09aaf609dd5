"""Outbound webhooks: the outbox rows that hand a lead event to each subscribed endpoint."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from leads.config import WEBHOOK_EVENTS, LeadbotConfig
from leads.lead import Lead
from leads.model import Stage
from storage.outbox import OutboxMessage

WEBHOOK: Final = "webhook"  # the outbox method (and kind) of a webhook delivery


def webhook_messages(
    config: LeadbotConfig,
    event_type: str,
    body: Mapping[str, Any],
    *,
    lead_id: int,
    now: datetime,
    discriminator: str,
) -> list[OutboxMessage]:
    """One outbox row per endpoint subscribed to `event_type`; `body` is the event's data.

    `discriminator` tells this event from the lead's other events of the same type (the
    stage-history step, say), so an event is owed once however often the caller runs.
    """
    if event_type not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    text = event_json(event_type, body, now)
    return [
        _message(webhook.url, event_type, text, lead_id=lead_id, now=now, which=discriminator)
        for webhook in config.webhooks
        if webhook.wants(event_type)
    ]


def event_json(event_type: str, data: Mapping[str, Any], now: datetime) -> str:
    """The event as Standard Webhooks recommends: `{"type", "timestamp", "data"}`."""
    stamp = now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    event = {"type": event_type, "timestamp": stamp, "data": dict(data)}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def endpoint_tag(url: str) -> str:
    """A short, stable name for an endpoint that does not spell out its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _message(
    url: str, event_type: str, text: str, *, lead_id: int, now: datetime, which: str
) -> OutboxMessage:
    tag = endpoint_tag(url)
    return OutboxMessage(
        key=f"lead:{lead_id}:webhook:{event_type}:{tag}:{which}",
        kind=WEBHOOK,
        method=WEBHOOK,
        channel=f"{WEBHOOK}:{tag}",  # webhooks are not paced; this only names the endpoint
        # The body is kept as text, so every retry sends (and signs) the very same bytes.
        payload={"webhook_id": f"msg_{uuid.uuid4().hex}", "url": url, "body": text},
        due_at=now,
        lead_id=lead_id,
    )


def lead_event(
    config: LeadbotConfig,
    event_type: str,
    lead: Lead,
    *,
    source: Stage | None,
    actor: str,
    at: datetime,
) -> list[OutboxMessage]:
    """A lead's stage change for CRMs: the lead, the change, who made it and when."""
    if not config.webhooks:
        return []
    decision = lead.decision
    change: dict[str, Any] = {
        "from": source.value if source is not None else None,
        "to": lead.stage.value,
        "by": actor,
        "at": at.astimezone(UTC).isoformat(),
    }
    if decision is not None and decision.stage == lead.stage:
        change |= {
            "deal_value": decision.value,
            "lost_reason": decision.reason.value if decision.reason else None,
            "lost_detail": decision.detail or None,
        }
    body = {"lead": _lead_json(lead), "change": change}
    which = f"{lead.stage.value}:{int(at.timestamp() * 1000)}"
    return webhook_messages(config, event_type, body, lead_id=lead.id, now=at, discriminator=which)


def _lead_json(lead: Lead) -> dict[str, Any]:
    profile = lead.profile
    return {
        "id": lead.id,
        "name": profile.name,
        "company": profile.company,
        "email": profile.email,
        "phone": profile.phone,
        "title": profile.title,
        "source": profile.source.value if profile.source else None,
        "event": profile.event,
        "interest": profile.interest.value if profile.interest else None,
        "score": lead.score,
        "stage": lead.stage.value,
        "owner": lead.owner,
        "region": lead.region,
        "captured_by": lead.captured_by,
        "created_at": lead.created_at.isoformat(),
        "hot_at": lead.hot_at.isoformat() if lead.hot_at else None,
        "claimed_at": lead.claimed_at.isoformat() if lead.claimed_at else None,
    }
