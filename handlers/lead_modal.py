"""The New lead / Edit lead modal: validate, store, then acknowledge; a DM confirms."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks import catalogue as say
from blocks.messages import EDIT, field_errors
from blocks.modal import (
    NEW_LEAD_CALLBACK,
    ModalContext,
    draft_from_state,
    fits_in_modal,
    lead_modal,
)
from handlers.context import Services
from handlers.payloads import action_lead_id, message_location, user_id
from leadloop.capture import CaptureRequest
from leadloop.edit import EditRequest, edit_lead, lead_to_edit
from leads.language import Language
from leads.model import LeadDraft
from leads.validation import normalize_draft, validate_draft

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the modal submission and the Edit button."""
    app.view(NEW_LEAD_CALLBACK)(on_submit)
    app.action(EDIT)(on_edit)


async def on_submit(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """Store the submitted lead, or answer inline errors and store nothing."""
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    user = user_id(body)
    language = await services.people.language(user)
    draft = normalize_draft(draft_from_state(values))
    errors = validate_draft(draft)
    if errors:
        await ack(response_action="errors", errors=field_errors(errors, language))
        return
    context = ModalContext.decode(str(view.get("private_metadata") or ""))
    if context.lead_id:
        problems = await _edit(services, context, draft, user, language)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
    else:
        await _capture(services, draft, user, context.channel_id, language)
    await ack()
    services.nudge_delivery()


async def on_edit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Open the lead in the modal so its capturer can correct it."""
    await ack()
    lead_id = action_lead_id(body)
    lead = await lead_to_edit(services.loop, lead_id) if lead_id else None
    if lead is None:
        return
    user = user_id(body)
    channel, _ = message_location(body)
    append = not fits_in_modal(lead.profile.notes)
    context = ModalContext(channel_id=channel, lead_id=lead.id, append_notes=append)
    view = lead_modal(
        draft=lead.profile, context=context, language=await services.people.language(user)
    )
    try:
        await client.views_open(trigger_id=body.get("trigger_id"), view=view)
    except SlackApiError as error:
        log.warning(
            "views.open failed for the edit of lead %s: %s", lead_id, error.response.get("error")
        )


async def _capture(
    services: Services, draft: LeadDraft, user: str, channel_id: str, language: Language
) -> None:
    request = CaptureRequest(
        draft=draft.with_capture_defaults(""),  # the form was prefilled with the event
        captured_by=user,
        channel_id=channel_id,
        via="modal",
        at=services.now(),
        language=language,
        confirm_by_dm=True,
    )
    await services.captures.capture(request)


async def _edit(
    services: Services, context: ModalContext, draft: LeadDraft, user: str, language: Language
) -> dict[str, str]:
    """Save the edit; the inline errors to show, if any."""
    request = EditRequest(
        lead_id=context.lead_id,
        draft=draft,
        user=user,
        at=services.now(),
        language=language,
        append_notes=context.append_notes,
    )
    outcome = await edit_lead(services.loop, request)
    if outcome is None:
        return {"name": say.LEAD_GONE(language)}
    if isinstance(outcome, dict):
        return field_errors(outcome, language)
    return {}
