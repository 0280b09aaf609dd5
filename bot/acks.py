"""Answer Slack the moment a listener acks; the listener finishes in the background.

Bolt's own way (`process_before_response=False`) polls for the ack every 10 ms, which puts a
floor under every answer and burns the event loop under load. With
`process_before_response=True`, Bolt waits for the listener's function instead, and
`EarlyAcks.wrap` makes that function return as soon as its `ack()` has been called.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

log = logging.getLogger("leadbot")
Listener = Callable[..., Awaitable[Any]]
ACK_TIMEOUT_SECONDS = 3.0  # Slack's limit; Bolt's own default too


def _settle(answered: asyncio.Future[None]) -> None:
    if not answered.done():
        answered.set_result(None)


class SignallingAck:
    """An `ack` that resolves a future once the real ack has answered."""

    def __init__(self, ack: AsyncAck, acked: asyncio.Future[None]) -> None:
        self._ack = ack
        self._acked = acked
        self.acked = False

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Acknowledge through Bolt's ack, then let the waiting request go."""
        answer = await self._ack(*args, **kwargs)
        self.acked = True
        _settle(self._acked)
        return answer


class EarlyAcks:
    """Runs listeners as tasks, answers at their ack, and keeps the tasks still running."""

    def __init__(self, ack_timeout: float = ACK_TIMEOUT_SECONDS) -> None:
        self._ack_timeout = ack_timeout
        self._running: set[asyncio.Task[Any]] = set()

    def install(self, app: AsyncApp) -> None:
        """Wrap every listener registered on `app` so far."""
        for listener in app._async_listeners:  # Bolt offers no public hook
            listener.ack_function = self.wrap(listener.ack_function)

    def wrap(self, function: Listener) -> Listener:
        """`function`, returning once it has acked (its error before the ack reaches Bolt)."""

        @functools.wraps(function)
        async def until_acked(**kwargs: Any) -> Any:
            loop = asyncio.get_running_loop()
            answered: asyncio.Future[None] = loop.create_future()  # acked, done or timed out
            ack = None
            if "ack" in kwargs:
                ack = kwargs["ack"] = SignallingAck(kwargs["ack"], answered)
            task = asyncio.ensure_future(function(**kwargs))
            task.add_done_callback(lambda _: _settle(answered))
            timer = loop.call_later(self._ack_timeout, _settle, answered)
            try:
                await answered
            finally:
                timer.cancel()
            if task.done() and not (ack and ack.acked):
                return task.result()  # returned or failed before acking: Bolt takes it from here
            self._running.add(task)
            task.add_done_callback(self._finished)
            return None

        return until_acked

    async def drain(self, seconds: float) -> None:
        """Wait up to `seconds` for listeners still working after their ack."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=seconds)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("listener failed after acknowledging", exc_info=error)
