"""Buttons on a nurture reminder: Done, Snooze and Stop nurture."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import refusal_message
from blocks.nurture import (
    NURTURE_DONE,
    NURTURE_SNOOZE,
    NURTURE_STOP,
    done_text,
    gone_text,
    snoozed_text,
    stopped_text,
)
from handlers.context import Services
from handlers.payloads import MAX_LEAD_ID, message_location, user_id
from leadloop.nurture import StepClick, StepOutcome, complete_step, snooze_step, stop_nurture
from leads.language import Language

log = logging.getLogger(__name__)
SNOOZE_ACTIONS = re.compile(rf"{NURTURE_SNOOZE}_\d+")
_VALUE = re.compile(r"(\d{1,18})(?::([0-9a-z]{1,8}))?")


def register(app: AsyncApp) -> None:
    """Attach the reminder's buttons."""
    app.action(NURTURE_DONE)(on_done)
    app.action(SNOOZE_ACTIONS)(on_snooze)
    app.action(NURTURE_STOP)(on_stop)


def _value(body: dict[str, Any]) -> tuple[int, str]:
    """(step id, snooze choice) from the button's value; (0, "") when malformed."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    raw = str(first.get("value", "")) if isinstance(first, dict) else ""
    found = _VALUE.fullmatch(raw.strip())
    if found is None or not 0 < int(found[1]) < MAX_LEAD_ID:
        return 0, ""
    return int(found[1]), found[2] or ""


async def _click(body: dict[str, Any], services: Services) -> tuple[StepClick, Language]:
    user = user_id(body)
    step_id, _choice = _value(body)
    click = StepClick(
        step_id=step_id, user=user, at=services.now(), is_admin=user in services.config.admins
    )
    return click, await services.people.language(user)


async def on_done(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Done: the touch is recorded, points added, the next step scheduled."""
    await ack()
    click, language = await _click(body, services)
    outcome = await complete_step(services.loop, click) if click.step_id else StepOutcome()
    if outcome.lead is None:
        await _tell(client, body, gone_text(language))
        return
    if outcome.became_hot:
        services.nudge_delivery()
    upcoming = outcome.next_step
    text = done_text(
        outcome.lead,
        outcome.title,
        language,
        became_hot=outcome.became_hot,
        next_title=upcoming.step_title if upcoming else "",
        next_at=upcoming.due_at if upcoming else None,
    )
    await _tell(client, body, text)


async def on_snooze(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Snooze: the reminder comes back later, inside the doer's working hours."""
    await ack()
    click, language = await _click(body, services)
    _step, choice = _value(body)
    outcome = StepOutcome()
    if click.step_id and choice:
        timezone = await services.people.timezone(click.user)
        outcome = await snooze_step(services.loop, click, choice, timezone)
    if outcome.lead is None or outcome.until is None:
        await _tell(client, body, gone_text(language))
        return
    await _tell(client, body, snoozed_text(outcome.lead, outcome.title, outcome.until, language))


async def on_stop(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Stop nurture: the lead leaves its plan; no more steps come."""
    await ack()
    click, language = await _click(body, services)
    outcome = await stop_nurture(services.loop, click) if click.step_id else StepOutcome()
    if outcome.refusal is not None:
        await _tell(client, body, str(refusal_message(outcome.refusal, language)["text"]))
    elif outcome.lead is None:
        await _tell(client, body, gone_text(language))
    else:
        await _tell(client, body, stopped_text(outcome.lead, language))


async def _tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """A private note to the clicker where they clicked."""
    channel, _ts = message_location(body)
    user = user_id(body)
    if not channel or not user:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as error:
        log.warning("ephemeral to %s in %s failed: %s", user, channel, error.response.get("error"))
