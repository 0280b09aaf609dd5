"""The Bolt app factory: middleware, listeners and the one error handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_app_logger
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from blocks.catalogue import SORRY
from bot.services import AppServices
from handlers import register_handlers
from handlers.payloads import user_id

log = logging.getLogger("leadbot")


class ServicesMiddleware(AsyncMiddleware):
    """Puts the Services container in every request's context, where listeners find it.

    A middleware class, not a function: Bolt calls it directly, without building keyword
    arguments for it on every request.
    """

    def __init__(self, services: AppServices) -> None:
        self._services = services

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Set `context["services"]`, then carry on."""
        req.context["services"] = self._services
        return await next()


class LeadbotBolt(AsyncApp):
    """Bolt's app, with one Web API client for every request.

    Bolt builds a new client per request (reading the proxy environment each time) so that
    a listener may swap its token; leadbot has one bot token and never swaps it.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._request_logger = get_bolt_app_logger(self.name, base_logger=self._base_logger)

    def _init_context(self, req: AsyncBoltRequest) -> None:
        req.context["logger"] = self._request_logger
        req.context["token"] = self._token
        req.context["client"] = self._async_client
        req.context["listener_runner"] = self.listener_runner


def create_app(
    services: AppServices, *, socket_mode: bool = False, verified_by_server: bool = False
) -> AsyncApp:
    """A Bolt app whose listeners get `services` through the context.

    Bolt checks signatures itself unless the requests carry none (Socket Mode) or reach it
    only through `bot.server`, which has verified each one on its raw bytes
    (`verified_by_server`).
    """
    app = LeadbotBolt(
        client=services.client,
        signing_secret=services.settings.signing_secret() or None,
        request_verification_enabled=not (socket_mode or verified_by_server),
        name="leadbot",
        process_before_response=True,  # with EarlyAcks: answered at the ack, no polling
        logger=logging.getLogger("leadbot.bolt"),
    )

    app.use(ServicesMiddleware(services))
    register_handlers(app)
    services.listeners.install(app)

    async def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None
    ) -> BoltResponse | None:
        """Log every failure once; tell the person plainly, never answer 500.

        After the acknowledgement (`response` is None) the answer has gone: only the log.
        """
        kind = _kind(body)
        log.error("listener failed on %s", kind, exc_info=error)
        if response is None:
            return None
        sorry = SORRY(services.people.known_language(user_id(body)))
        if kind == "view_submission":
            payload = {"response_action": "errors", "errors": {"name": sorry}}
            return BoltResponse(status=200, body=json.dumps(payload))
        if kind == "slash_command":
            return BoltResponse(status=200, body=f":warning: {sorry}")
        return BoltResponse(status=200, body="")

    app.error(on_error)
    return app


def _kind(body: dict[str, Any]) -> str:
    """The request's kind for the log: its payload type, a slash command, or unknown."""
    kind = body.get("type")
    if isinstance(kind, str) and kind:
        return kind
    return "slash_command" if "command" in body else "unknown"
