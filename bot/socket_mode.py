"""Socket Mode: the Bolt app connected to Slack over a WebSocket, sweeps in-process."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable

from bot.app import create_app
from bot.server import set_aside_startup_objects
from bot.services import AppServices
from scheduler.runner import Sweeps


async def connect_socket_mode(
    services: AppServices, app_token: str, url: str
) -> Callable[[], Awaitable[None]]:
    """Start the sweeps and connect to the Socket Mode `url`; return what stops both and
    closes `services`."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(create_app(services, socket_mode=True), app_token)
    handler.client.wss_uri = url  # the URL already asked for; connect uses it first
    await services.start_capture_process()
    sweeps = Sweeps(services.job_context())
    sweeps.start()
    services.nudge_delivery()
    await handler.connect_async()  # type: ignore[no-untyped-call]
    set_aside_startup_objects()

    async def stop() -> None:
        await sweeps.stop()
        await handler.close_async()  # type: ignore[no-untyped-call]
        await services.close()
        gc.unfreeze()

    return stop
