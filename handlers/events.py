"""Events API: drop Slack's retries of events already handled; publish the Home tab."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import home_view
from handlers.context import Services
from storage.leads import recent_leads
from storage.prefs import current_event, first_delivery


def register(app: AsyncApp) -> None:
    """Attach the event dedupe middleware and the app_home_opened listener."""
    app.middleware(drop_redelivered_events)
    app.event("app_home_opened")(on_home_opened)


async def drop_redelivered_events(
    body: dict[str, Any],
    context: dict[str, Any],
    next: Callable[[], Awaitable[None]],
) -> BoltResponse | None:
    """Answer 200 to an event_id already seen, so a retry does nothing twice."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    services: Services | None = context.get("services")
    if isinstance(event_id, str) and event_id and services is not None:
        async with services.db.write() as session:
            first = await first_delivery(session, event_id, now=services.now())
        if not first:
            return BoltResponse(status=200, body="")
    await next()
    return None


async def on_home_opened(event: dict[str, Any], client: AsyncWebClient, services: Services) -> None:
    """Show the person's current event and recent leads on the Home tab."""
    if event.get("tab") != "home":
        return
    user = str(event.get("user", ""))
    async with services.db.read() as session:
        current = await current_event(session, user)
        recent = await recent_leads(session, user)
    await client.views_publish(user_id=user, view=home_view(current, recent))
