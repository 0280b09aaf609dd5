"""Requests that do not say who acts, or where, change nothing and get a harmless answer.

Slack always names the user (and, for a slash command or a click on a message, the
channel); a payload without them, or with null or non-string values, is not acted on.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from blocks.catalogue import NO_ACTOR
from handlers.context import Services
from handlers.payloads import text_of, user_id

INTERACTIVE: Final = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
    }
)


def register(app: AsyncApp) -> None:
    """Attach the check in front of every listener."""
    app.use(RequireActor())


class RequireActor(AsyncMiddleware):
    """Answers a request with no usable user or channel at once; lets the rest through."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Stop a request that names no actor here."""
        body = req.body
        if not lacks_actor(body):
            return await next()
        services: Services | None = req.context.get("services")
        if "command" in body:
            language = services.people.known_language("") if services is not None else "en"
            return BoltResponse(status=200, body=NO_ACTOR(language))
        if body.get("type") == "block_suggestion":
            return BoltResponse(status=200, body=json.dumps({"options": []}))
        return BoltResponse(status=200, body="")


def lacks_actor(body: dict[str, Any]) -> bool:
    """Whether a command, interaction or event fails to name who acts (or where)."""
    if "command" in body:
        return not (text_of(body.get("user_id")) and text_of(body.get("channel_id")))
    kind = body.get("type")
    if kind in INTERACTIVE:
        return not user_id(body) or _bad_channel(body)
    if kind == "event_callback":
        return not isinstance(body.get("event"), dict)
    return False


def _bad_channel(body: dict[str, Any]) -> bool:
    """A click on a message must say which channel; any channel given must be an ID."""
    container = body.get("container")
    if (
        isinstance(container, dict)
        and container.get("type") == "message"
        and not text_of(container.get("channel_id"))
    ):
        return True
    channel = body.get("channel")
    return "channel" in body and not (isinstance(channel, dict) and text_of(channel.get("id")))
