"""Reading the few fields listeners need from Slack payloads, tolerating odd shapes."""

from __future__ import annotations

from typing import Any, NamedTuple

MAX_LEAD_ID = 2**62


def text_of(value: Any) -> str:
    """`value` when it is a string; empty for a missing, null or other value."""
    return value if isinstance(value, str) else ""


def user_id(body: dict[str, Any]) -> str:
    """The acting user's ID, or empty."""
    user = body.get("user")
    return text_of(user.get("id")) if isinstance(user, dict) else text_of(body.get("user_id"))


def action_lead_id(body: dict[str, Any]) -> int:
    """The lead id carried in the first action's value; 0 when absent or malformed."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return 0
    value = text_of(actions[0].get("value"))
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < MAX_LEAD_ID else 0


def action_id_of(body: dict[str, Any]) -> str:
    """The action id of the first action (Bolt routed the request by it)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return text_of(first.get("action_id")) if isinstance(first, dict) else ""


def message_location(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, ts) of the message a button was clicked on; empty strings when unknown."""
    container = body.get("container")
    if isinstance(container, dict) and container.get("type") == "message":
        return text_of(container.get("channel_id")), text_of(container.get("message_ts"))
    channel = body.get("channel")
    message = body.get("message")
    return (
        text_of(channel.get("id")) if isinstance(channel, dict) else "",
        text_of(message.get("ts")) if isinstance(message, dict) else "",
    )


class Click(NamedTuple):
    """Who clicked which lead's button, on which message."""

    user: str
    lead_id: int
    channel: str
    ts: str


def click_of(body: dict[str, Any]) -> Click:
    """The click a block_actions payload describes (empty or 0 where it says nothing)."""
    channel, ts = message_location(body)
    return Click(user_id(body), action_lead_id(body), channel, ts)
