"""`/lead`: open the form, capture from one line, set the current event, or explain."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import (
    capture_message,
    event_cleared_message,
    event_message,
    event_set_message,
    help_message,
    invalid_capture_message,
    text_message,
)
from blocks.modal import ModalContext, lead_modal
from handlers.context import Services
from leads.commands import (
    ClearEvent,
    OpenModal,
    QuickCapture,
    SetEvent,
    ShowEvent,
    ShowHelp,
    parse_command,
)
from leads.model import LeadDraft
from leads.parsing import parse_quick_capture, unescape_slack
from leads.validation import LIMITS, clean_text, normalize_draft, validate_draft
from storage.leads import Capture
from storage.prefs import current_event, set_current_event

COMMAND = "/lead"
log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the /lead command."""
    app.command(COMMAND)(on_lead_command)


async def on_lead_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Dispatch on what the text after /lead asks for."""
    user = str(command.get("user_id", ""))
    match parse_command(str(command.get("text") or "")):
        case OpenModal():
            await ack()
            await _open_modal(client, services, command, user)
        case ShowHelp():
            await ack(**help_message())
        case ShowEvent():
            async with services.db.read() as session:
                event = await current_event(session, user)
            await ack(**event_message(event))
        case SetEvent(name=name):
            await ack(**await _set_event(services, user, name))
        case ClearEvent():
            async with services.db.write() as session:
                await set_current_event(session, user, "", now=services.now())
            await ack(**event_cleared_message())
        case QuickCapture(text=text):
            await ack(**await _quick_capture(services, command, user, text))


async def _open_modal(
    client: AsyncWebClient, services: Services, command: dict[str, Any], user: str
) -> None:
    async with services.db.read() as session:
        event = await current_event(session, user)
    draft = LeadDraft().with_capture_defaults(event)
    context = ModalContext(channel_id=str(command.get("channel_id", "")))
    try:
        await client.views_open(
            trigger_id=command.get("trigger_id"), view=lead_modal(draft=draft, context=context)
        )
    except SlackApiError as error:
        log.warning("views.open failed for %s: %s", user, error.response.get("error"))


async def _set_event(services: Services, user: str, name: str) -> dict[str, Any]:
    event = clean_text(name)
    if len(event) > LIMITS["event"]:
        return text_message(f"Keep the event name under {LIMITS['event']} characters.")
    async with services.db.write() as session:
        await set_current_event(session, user, event, now=services.now())
    return event_set_message(event)


async def _quick_capture(
    services: Services, command: dict[str, Any], user: str, text: str
) -> dict[str, Any]:
    parsed = normalize_draft(unescape_slack(parse_quick_capture(text)))
    errors = validate_draft(parsed)
    if errors:
        return invalid_capture_message(errors)
    capture = Capture(
        draft=parsed,
        captured_by=user,
        channel_id=str(command.get("channel_id", "")),
        via="quick",
        at_current_event=True,
    )
    result = await services.captures.capture(capture, now=services.now())
    if result.became_hot:
        services.nudge_delivery()
    return capture_message(result.lead, created=result.created, became_hot=result.became_hot)
