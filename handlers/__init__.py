"""Slack listeners: parse the request, call storage and domain, render, reply."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    actors,
    card_actions,
    events,
    lead_command,
    lead_modal,
    nurture_actions,
    outcome_forms,
)


def register_handlers(app: AsyncApp) -> None:
    """Attach every listener to `app`."""
    for module in (
        actors,
        lead_command,
        lead_modal,
        card_actions,
        outcome_forms,
        nurture_actions,
        events,
    ):
        module.register(app)
