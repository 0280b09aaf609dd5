"""The New lead / Edit lead modal: validate, store, then acknowledge, then confirm."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import EDIT, capture_message, text_message
from blocks.modal import NEW_LEAD_CALLBACK, ModalContext, draft_from_state, lead_modal
from handlers.context import Services
from handlers.payloads import action_lead_id, user_id
from leads.model import LeadDraft
from leads.validation import normalize_draft, validate_draft
from storage.leads import (
    Capture,
    CaptureResult,
    edit_lead,
    email_taken_by_other,
    get_lead,
)
from storage.outbox import OutboxMessage, enqueue

log = logging.getLogger(__name__)
EMAIL_TAKEN = "Another lead already has this email; log a touch on it with /lead instead."


def register(app: AsyncApp) -> None:
    """Attach the modal submission and the Edit button."""
    app.view(NEW_LEAD_CALLBACK)(on_submit)
    app.action(EDIT)(on_edit)


async def on_submit(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """Store the submitted lead, or answer inline errors and store nothing."""
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    draft = normalize_draft(draft_from_state(values))
    errors = validate_draft(draft)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    context = ModalContext.decode(str(view.get("private_metadata") or ""))
    user = user_id(body)
    if context.lead_id:
        result = await _edit(services, context.lead_id, draft, user)
    else:
        result = await _capture(services, draft, user, context.channel_id)
    if isinstance(result, dict):
        await ack(response_action="errors", errors=result)
        return
    await ack()
    services.nudge_delivery()


async def on_edit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Open the lead in the modal so its capturer can correct it."""
    await ack()
    lead_id = action_lead_id(body)
    async with services.db.read() as session:
        lead = await get_lead(session, lead_id) if lead_id else None
    if lead is None:
        return
    channel = str((body.get("channel") or {}).get("id", ""))
    view = lead_modal(draft=lead.profile, context=ModalContext(channel_id=channel, lead_id=lead.id))
    try:
        await client.views_open(trigger_id=body.get("trigger_id"), view=view)
    except SlackApiError as error:
        log.warning(
            "views.open failed for the edit of lead %s: %s", lead_id, error.response.get("error")
        )


async def _capture(
    services: Services, draft: LeadDraft, user: str, channel_id: str
) -> CaptureResult:
    now = services.now()
    capture = Capture(
        draft=draft.with_capture_defaults(""),  # the form was prefilled with the event
        captured_by=user,
        channel_id=channel_id,
        via="modal",
    )
    return await services.captures.capture(
        capture, now=now, follow_ups=lambda result: [_confirmation(result, user, now)]
    )


async def _edit(
    services: Services, lead_id: int, draft: LeadDraft, user: str
) -> CaptureResult | dict[str, str] | None:
    now = services.now()
    async with services.db.write() as session:
        if draft.email and await email_taken_by_other(session, draft.email, lead_id):
            return {"email": EMAIL_TAKEN}
        result = await edit_lead(
            session,
            lead_id,
            draft.with_capture_defaults(""),
            user=user,
            config=services.config,
            sales_channel=services.sales_channel,
            now=now,
        )
        if result is not None:
            await enqueue(session, [_confirmation(result, user, now, edited=True)], now)
    return result


def _confirmation(
    result: CaptureResult, user: str, now: datetime, *, edited: bool = False
) -> OutboxMessage:
    lead = result.lead
    if edited:
        payload = text_message(f"Saved your changes to lead #{lead.id}.")
        step = f"edit:{int(now.timestamp() * 1000)}"
    else:
        payload = capture_message(lead, created=result.created, became_hot=result.became_hot)
        step = f"touch:{lead.touch_count}"
    return OutboxMessage(
        key=f"lead:{lead.id}:confirm:{step}",
        kind="confirmation",
        method="chat.postMessage",
        channel=user,
        payload=payload,
        due_at=now,
        lead_id=lead.id,
    )
