"""Events API: drop Slack's retries of events already handled; publish the Home tab."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import home_view
from handlers.context import Services
from handlers.payloads import text_of
from leadloop.staff import first_time_seen, home


def register(app: AsyncApp) -> None:
    """Attach the event dedupe middleware and the app_home_opened listener."""
    app.use(DropRedeliveredEvents())
    app.event("app_home_opened")(on_home_opened)


class DropRedeliveredEvents(AsyncMiddleware):
    """Answers 200 to an event_id already seen, so a Slack retry does nothing twice.

    A middleware class, so that commands and clicks pass through it at no cost.
    """

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Stop a redelivered event here; let everything else through."""
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        services: Services | None = req.context.get("services")
        redelivered = (
            isinstance(event_id, str)
            and bool(event_id)
            and services is not None
            and not await first_time_seen(services.loop, event_id)
        )
        return BoltResponse(status=200, body="") if redelivered else await next()


async def on_home_opened(event: dict[str, Any], client: AsyncWebClient, services: Services) -> None:
    """Show the person's current event and recent leads on the Home tab."""
    if event.get("tab") != "home":
        return
    user = text_of(event.get("user"))
    if not user:
        return
    shown = await home(services.loop, user)
    language = await services.people.language(user)
    await client.views_publish(user_id=user, view=home_view(shown.event, shown.recent, language))
