"""`/lead`: open the form, capture from one line, set the current event, or explain."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, assert_never

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import (
    capture_message,
    event_cleared_message,
    event_message,
    event_set_message,
    event_too_long_message,
    help_message,
    invalid_capture_message,
    not_yet_message,
)
from blocks.modal import ModalContext, lead_modal
from blocks.nurture import mine_message
from blocks.reports import counting_message, stats_message, stats_usage
from handlers.context import Services
from handlers.payloads import text_of
from leadloop.capture import CaptureRequest
from leadloop.nurture import my_open_leads, my_tasks
from leadloop.reports import funnel_of
from leadloop.staff import event_of, set_event
from leads.commands import (
    Admin,
    ClearEvent,
    Find,
    OpenModal,
    QuickCapture,
    SetEvent,
    ShowEvent,
    ShowHelp,
    ShowMine,
    ShowStats,
    parse_command,
)
from leads.funnel import period
from leads.language import Language
from leads.model import LeadDraft
from leads.parsing import parse_quick_capture, unescape_slack
from leads.validation import LIMITS, clean_text, normalize_draft, validate_draft

COMMAND = "/lead"
log = logging.getLogger(__name__)
Reply = dict[str, Any]


def register(app: AsyncApp) -> None:
    """Attach the /lead command."""
    app.command(COMMAND)(on_lead_command)


async def on_lead_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """Dispatch on what the text after /lead asks for, answering in the person's language."""
    user = text_of(command.get("user_id"))
    language = await services.people.language(user)
    match parse_command(text_of(command.get("text"))):
        case OpenModal():
            await ack()
            await _open_modal(client, services, command, user, language)
        case ShowHelp():
            await ack(**help_message(language))
        case ShowEvent():
            await ack(**event_message(await event_of(services.loop, user), language))
        case SetEvent(name=name):
            await ack(**await _set_event(services, user, name, language))
        case ClearEvent():
            await set_event(services.loop, user, "")
            await ack(**event_cleared_message(language))
        case QuickCapture(text=text):
            await ack(**await _quick_capture(services, command, user, text, language))
        case ShowStats(period=name):
            await _stats(ack, respond, services, name, language)
        case Find():
            await ack(**not_yet_message("find", language))
        case ShowMine():
            await ack(**await _mine(services, user, language))
        case Admin():
            await ack(**not_yet_message("admin", language))
        case unknown:
            assert_never(unknown)


async def _stats(
    ack: AsyncAck, respond: AsyncRespond, services: Services, name: str, language: Language
) -> None:
    """Answer with the funnel at once, or say it is counting and answer by response_url."""
    chosen = period(name, now=services.now(), timezone=services.config.timezone)
    if chosen is None:
        await ack(**stats_usage(language))
        return
    counting = asyncio.ensure_future(funnel_of(services.loop, chosen))
    await asyncio.wait({counting}, timeout=services.config.reports.reply_within_seconds)
    currency = services.config.outcomes.currency
    if counting.done():
        await ack(**stats_message(counting.result(), language, currency))
        return
    await ack(**counting_message(language))
    message = stats_message(await counting, language, currency)
    await respond(**message, response_type="ephemeral", replace_original=True)


async def _mine(services: Services, user: str, language: Language) -> Reply:
    """One's nurture tasks due this week and one's own open leads, privately."""
    tasks = await my_tasks(services.loop, user, services.now())
    leads = await my_open_leads(services.loop, user)
    return mine_message(tasks, leads, language)


async def _open_modal(
    client: AsyncWebClient,
    services: Services,
    command: dict[str, Any],
    user: str,
    language: Language,
) -> None:
    draft = LeadDraft().with_capture_defaults(await event_of(services.loop, user))
    context = ModalContext(channel_id=text_of(command.get("channel_id")))
    try:
        await client.views_open(
            trigger_id=command.get("trigger_id"),
            view=lead_modal(draft=draft, context=context, language=language),
        )
    except SlackApiError as error:
        log.warning("views.open failed for %s: %s", user, error.response.get("error"))


async def _set_event(services: Services, user: str, name: str, language: Language) -> Reply:
    event = clean_text(name)
    if len(event) > LIMITS["event"]:
        return event_too_long_message(LIMITS["event"], language)
    await set_event(services.loop, user, event)
    return event_set_message(event, language)


async def _quick_capture(
    services: Services, command: dict[str, Any], user: str, text: str, language: Language
) -> Reply:
    parsed = normalize_draft(unescape_slack(parse_quick_capture(text)))
    errors = validate_draft(parsed)
    if errors:
        return invalid_capture_message(errors, language)
    request = CaptureRequest(
        draft=parsed,
        captured_by=user,
        channel_id=text_of(command.get("channel_id")),
        via="quick",
        at=services.now(),
        language=language,
        at_current_event=True,
    )
    outcome = await services.captures.capture(request)
    if outcome.became_hot or outcome.owner_told:
        services.nudge_delivery()
    return capture_message(
        outcome.lead,
        language,
        created=outcome.created,
        became_hot=outcome.became_hot,
        owner_told=outcome.owner_told,
    )
