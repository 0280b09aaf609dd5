"""The Bolt app factory: middleware, listeners and the one error handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from blocks.catalogue import SORRY
from bot.services import AppServices
from handlers import register_handlers
from handlers.payloads import user_id

log = logging.getLogger("leadbot")


def create_app(services: AppServices, *, socket_mode: bool = False) -> AsyncApp:
    """A Bolt app whose listeners get `services` through the context."""
    app = AsyncApp(
        client=services.client,
        signing_secret=services.settings.signing_secret() or None,
        request_verification_enabled=not socket_mode,
        name="leadbot",
        logger=logging.getLogger("leadbot.bolt"),
    )

    @app.middleware
    async def inject_services(
        context: dict[str, Any],
        next: Callable[[], Awaitable[None]],
    ) -> None:
        context["services"] = services
        await next()

    register_handlers(app)

    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Log every listener failure once; tell the person plainly, never answer 500."""
        kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
        log.error("listener failed on %s", kind, exc_info=error)
        sorry = SORRY(services.people.known_language(user_id(body)))
        if kind == "view_submission":
            payload = {"response_action": "errors", "errors": {"name": sorry}}
            return BoltResponse(status=200, body=json.dumps(payload))
        if kind == "slash_command":
            return BoltResponse(status=200, body=f":warning: {sorry}")
        return BoltResponse(status=200, body="")

    app.error(on_error)
    return app
