"""Signed request bodies exactly as Slack sends them to the app (commands, actions, events)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0TEST"
TEAM_DOMAIN = "testteam"
APP_ID = "A0LEADBOT"
BOT_USER_ID = "U0BOT"
VERIFICATION_TOKEN = "verification-token"
COMMAND_RESPONSE_URL = "https://hooks.slack.com/commands/T0TEST/1/abc"
ACTION_RESPONSE_URL = "https://hooks.slack.com/actions/T0TEST/1/xyz"

_trigger_seq = itertools.count(1)


def sign(secret: str, body: str, timestamp: int) -> str:
    """Return the X-Slack-Signature value for `body` sent at `timestamp`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: str,
    *,
    timestamp: int,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """Return the headers Slack sends with `body`: timestamp, signature, content type."""
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(secret, body, timestamp),
        "Content-Type": content_type,
    }


def new_trigger_id() -> str:
    """Return a unique trigger_id shaped like Slack's."""
    return f"{next(_trigger_seq)}.{int(time.time())}.{secrets.token_hex(10)}"


def slash_command(
    text: str = "",
    *,
    user_id: str = "U0STAFF",
    channel_id: str = "C0BOOTH",
    command: str = "/lead",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    response_url: str = COMMAND_RESPONSE_URL,
) -> str:
    """Return the form-encoded body of a slash command invocation."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": _channel_name(channel_id),
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str,
    channel_id: str,
    message_ts: str,
    block_id: str = "actions",
    message: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> str:
    """Return the `payload=` body of a button click on a message."""
    payload = {
        **_interaction_envelope("block_actions", user_id, team_id),
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "message": message if message is not None else _minimal_message(message_ts),
        "state": {"values": {}},
        "response_url": ACTION_RESPONSE_URL,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": value, "emoji": True},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return _payload_body(payload)


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V0MODAL",
    team_id: str = TEAM_ID,
) -> str:
    """Return the `payload=` body of a modal submission with `values` as its state."""
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": f"{int(time.time())}.{view_id}",
        "title": {"type": "plain_text", "text": "Lead", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "B0BOT",
    }
    payload = {
        **_interaction_envelope("view_submission", user_id, team_id),
        "view": view,
        "response_urls": [],
    }
    return _payload_body(payload)


def interaction(
    kind: str,
    fields: dict[str, Any],
    *,
    user_id: str,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> str:
    """Return the `payload=` body of any interaction (block_actions, view_closed, ...):
    Slack's envelope for `user_id` with `fields` added."""
    payload = {**_interaction_envelope(kind, user_id, team_id), **fields}
    if trigger_id is not None:
        payload["trigger_id"] = trigger_id
    return _payload_body(payload)


def event_callback(event: dict[str, Any], *, event_id: str, team_id: str = TEAM_ID) -> str:
    """Return the JSON body of an Events API delivery wrapping `event`."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }
    return json.dumps(envelope)


def text_value(v: str | None) -> dict[str, Any]:
    """Return the view state of a plain_text_input holding `v`."""
    return {"type": "plain_text_input", "value": v}


def select_value(value: str | None, text: str = "") -> dict[str, Any]:
    """Return the view state of a static_select with `value` chosen (None: nothing chosen)."""
    option = None if value is None else _option(value, text or value)
    return {"type": "static_select", "selected_option": option}


def checkbox_values(values: list[str]) -> dict[str, Any]:
    """Return the view state of a checkboxes element with `values` ticked."""
    return {"type": "checkboxes", "selected_options": [_option(v, v) for v in values]}


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def _channel_name(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    return "privategroup" if channel_id.startswith("G") else channel_id.lower()


def _interaction_envelope(kind: str, user_id: str, team_id: str) -> dict[str, Any]:
    return {
        "type": kind,
        "user": {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": team_id,
        },
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": new_trigger_id(),
    }


def _minimal_message(ts: str) -> dict[str, Any]:
    return {"type": "message", "ts": ts, "user": BOT_USER_ID, "bot_id": "B0BOT", "text": ""}


def _payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
