"""Buttons on the hot-lead card: Claim, Pass, and the deal outcomes."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.cards import CLAIM, OUTCOME_ACTIONS, PASS
from blocks.messages import (
    Message,
    claim_refused_message,
    claim_taken_message,
    not_owner_message,
    passed_message,
    text_message,
)
from handlers.context import Services
from handlers.payloads import click_of
from leads.claiming import may_claim, refusal_reason
from leads.lead import Lead
from leads.model import Stage
from leads.routing import pass_destination, route
from storage.alerts import card_update_message, moved_card_message
from storage.leads import claim_lead, passed_by, record_outcome, record_pass
from storage.outbox import enqueue

log = logging.getLogger(__name__)
STALE_BUTTON = "This button no longer matches a lead. It may have been deleted."


def register(app: AsyncApp) -> None:
    """Attach the card's buttons."""
    app.action(CLAIM)(on_claim)
    app.action(PASS)(on_pass)
    for action_id in OUTCOME_ACTIONS:
        app.action(action_id)(on_outcome)


async def on_claim(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Make the clicker the owner, unless someone was first or they may not claim."""
    await ack()
    user, lead_id, channel, ts = click_of(body)
    if not await _allowed_to_claim(client, services, user, channel):
        await _tell(
            client, channel, user, claim_refused_message(refusal_reason(services.config.claim))
        )
        return
    async with services.db.write() as session:
        result = await claim_lead(
            session, lead_id, user, card_channel=channel, card_ts=ts, now=services.now()
        )
    if result is None:
        await _tell(client, channel, user, text_message(STALE_BUTTON))
    elif result.won:
        services.nudge_delivery()
    elif result.lead.owner is not None:
        await _tell(client, channel, user, claim_taken_message(result.lead.owner))
    else:
        await _tell(client, channel, user, text_message("This lead is not open for claims."))


async def on_pass(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Record a Pass and send the lead on where routing says, or leave it for the others."""
    await ack()
    user, lead_id, channel, ts = click_of(body)
    now = services.now()
    async with services.db.write() as session:
        lead = await record_pass(session, lead_id, user, card_channel=channel, now=now)
        if lead is None or lead.owner is not None:
            destination = None
        else:
            destination = _pass_destination(lead, channel, services)
            who = await passed_by(session, lead_id)
            update = card_update_message(
                lead,
                channel=channel,
                ts=ts,
                step=f"pass:{user}",
                now=now,
                passed_by=who,
                moved_to=destination or "",
            )
            moved = [moved_card_message(lead, destination, now=now)] if destination else []
            await enqueue(session, [update, *moved], now)
    if lead is None:
        await _tell(client, channel, user, text_message(STALE_BUTTON))
    elif lead.owner is not None:
        await _tell(client, channel, user, claim_taken_message(lead.owner))
    else:
        services.nudge_delivery()
        await _tell(client, channel, user, passed_message(user, destination))


async def on_outcome(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Record Meeting booked, Won or Lost; only the owner or an admin may."""
    await ack()
    user, lead_id, channel, ts = click_of(body)
    stage = OUTCOME_ACTIONS[str(body["actions"][0].get("action_id"))]
    async with services.db.write() as session:
        lead, changed = await record_outcome(
            session,
            lead_id,
            user,
            stage,
            is_admin=user in services.config.admins,
            card_channel=channel,
            card_ts=ts,
            now=services.now(),
        )
    if changed:
        services.nudge_delivery()
    elif lead is None:
        await _tell(client, channel, user, text_message(STALE_BUTTON))
    elif lead.owner != user and user not in services.config.admins:
        await _tell(client, channel, user, not_owner_message(lead.owner))
    else:
        await _tell(client, channel, user, text_message(_already(lead.stage)))


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


def _pass_destination(lead: Lead, channel: str, services: Services) -> str | None:
    chosen = route(lead.facts(), services.config.routing, services.sales_channel)
    return pass_destination(channel, chosen, services.sales_channel)


def _already(stage: Stage) -> str:
    return f"This lead's outcome is already recorded as {stage.value}."


async def _tell(client: AsyncWebClient, channel: str, user: str, message: Message) -> None:
    """A private note to one person in the card's channel."""
    if not channel or not user:
        return
    try:
        await client.chat_postEphemeral(channel=channel, user=user, **message)
    except SlackApiError as error:
        log.warning("ephemeral to %s in %s failed: %s", user, channel, error.response.get("error"))
