"""Buttons on the hot-lead card: Claim, Pass, and the deal outcomes."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.cards import (
    ACTION_STEPS,
    CHANGE_OUTCOME,
    CLAIM,
    LOST,
    MEETING,
    PASS,
    RECYCLE,
    WON,
)
from blocks.messages import Message, passed_message, refusal_message
from blocks.outcome_forms import OutcomeContext, change_form, lost_form, won_form
from handlers.context import Services
from handlers.payloads import action_id_of, click_of
from leadloop.cards import (
    Click,
    ClickOutcome,
    OutcomeForm,
    check_outcome,
    claim,
    pass_lead,
    record_outcome,
)
from leads.claiming import may_claim
from leads.lifecycle import Step

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    """Attach the card's buttons."""
    app.action(CLAIM)(on_claim)
    app.action(PASS)(on_pass)
    app.action(MEETING)(on_direct_outcome)
    app.action(RECYCLE)(on_direct_outcome)
    for action_id in (WON, LOST, CHANGE_OUTCOME):
        app.action(action_id)(on_outcome_form)


async def on_claim(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Make the clicker the owner, unless someone was first or they may not claim."""
    await ack()
    click = await _click(body, services)
    allowed = await _allowed_to_claim(client, services, click.user, click.channel)
    outcome = await claim(services.loop, replace(click, may_claim=allowed))
    await _answer(client, services, click, outcome)


async def on_pass(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Record a Pass and send the lead on where routing says, or leave it for the others."""
    await ack()
    click = await _click(body, services)
    outcome = await pass_lead(services.loop, click)
    await _answer(client, services, click, outcome)
    if outcome.done:
        note = passed_message(click.user, outcome.destination or None, click.language)
        await _tell(client, click, note)


async def on_direct_outcome(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Meeting booked and Nurture again need no form; only the owner or an admin may."""
    await ack()
    click = await _click(body, services)
    form = OutcomeForm(step=ACTION_STEPS[action_id_of(body)])
    outcome = await record_outcome(services.loop, click, form)
    await _answer(client, services, click, outcome)


async def on_outcome_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Won, Lost and Change outcome open their form, for the owner or an admin only."""
    await ack()
    click = await _click(body, services)
    step = ACTION_STEPS[action_id_of(body)]
    checked = await check_outcome(services.loop, click, step)
    if checked.refusal is not None or checked.lead is None:
        await _answer(client, services, click, checked)
        return
    lead = checked.lead
    context = OutcomeContext(lead.id, lead.stage, click.channel, click.ts)
    currency = services.config.outcomes.currency
    forms = {
        Step.WIN: lambda: won_form(lead, context, click.language, currency),
        Step.LOSE: lambda: lost_form(lead, context, click.language),
        Step.CHANGE_OUTCOME: lambda: change_form(lead, context, click.language, currency),
    }
    try:
        await client.views_open(trigger_id=body.get("trigger_id"), view=forms[step]())
    except SlackApiError as error:
        log.warning("views.open failed for lead %s: %s", lead.id, error.response.get("error"))


async def _click(body: dict[str, Any], services: Services) -> Click:
    user, lead_id, channel, ts = click_of(body)
    return Click(
        lead_id=lead_id,
        user=user,
        channel=channel,
        ts=ts,
        at=services.now(),
        language=await services.people.language(user),
        is_admin=user in services.config.admins,
    )


async def _answer(
    client: AsyncWebClient, services: Services, click: Click, outcome: ClickOutcome
) -> None:
    if outcome.done:
        services.nudge_delivery()
    elif outcome.refusal is not None:
        await _tell(client, click, refusal_message(outcome.refusal, click.language))


async def _allowed_to_claim(
    client: AsyncWebClient, services: Services, user: str, channel: str
) -> bool:
    policy = services.config.claim
    if user in policy.users or user in services.config.admins:
        return True
    channel_members = (
        await services.membership.channel_members(client, channel)
        if policy.mode == "channel_members" and channel
        else frozenset()
    )
    group_members = await services.membership.usergroup_members(client, policy.usergroups)
    return may_claim(user, policy, channel_members=channel_members, usergroup_members=group_members)


async def _tell(client: AsyncWebClient, click: Click, message: Message) -> None:
    """A private note to the clicker in the card's channel."""
    if not click.channel or not click.user:
        return
    try:
        await client.chat_postEphemeral(channel=click.channel, user=click.user, **message)
    except SlackApiError as error:
        log.warning(
            "ephemeral to %s in %s failed: %s",
            click.user,
            click.channel,
            error.response.get("error"),
        )
