"""A small cache for answers fetched from Slack: fresh for a while, fetched once when shared."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")
Fetch = Callable[[], Awaitable[Value | None]]  # None: Slack would not say


class Lookups(Generic[Value]):
    """Answers kept `ttl` seconds; concurrent askers share one fetch; failures are not kept."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, Value]] = {}
        self._inflight: dict[str, asyncio.Future[Value | None]] = {}

    def peek(self, key: str) -> Value | None:
        """The cached answer if it is still fresh, without fetching."""
        hit = self._cache.get(key)
        if hit is not None and self._clock() - hit[0] < self._ttl:
            return hit[1]
        return None

    async def get(self, key: str, fetch: Fetch[Value]) -> Value | None:
        """A fresh cached answer, else fetch it (None when Slack would not say)."""
        hit = self.peek(key)
        if hit is not None:
            return hit
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[Value | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            fetched = await fetch()
            if fetched is not None:
                self._cache[key] = (self._clock(), fetched)
            future.set_result(fetched)
            return fetched
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._inflight[key]
