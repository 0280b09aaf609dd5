"""Who may claim: channel and user-group membership from Slack, cached briefly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
Fetch = Callable[[], Awaitable[frozenset[str] | None]]  # None: Slack would not say


class Membership:
    """Caches conversations.members and usergroups.users.list answers for `ttl` seconds."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._inflight: dict[str, asyncio.Future[frozenset[str]]] = {}

    async def channel_members(self, client: AsyncWebClient, channel: str) -> frozenset[str]:
        """Everyone in `channel` (empty if Slack would not say)."""
        return await self._cached(f"channel:{channel}", lambda: _all_members(client, channel))

    async def usergroup_members(
        self, client: AsyncWebClient, groups: tuple[str, ...]
    ) -> frozenset[str]:
        """Everyone in any of `groups`."""
        found: set[str] = set()
        for group in groups:
            found |= await self._cached(f"group:{group}", partial(_group, client, group))
        return frozenset(found)

    async def _cached(self, key: str, fetch: Fetch) -> frozenset[str]:
        """A fresh cached answer, else fetch it; a failed fetch is empty and not remembered."""
        hit = self._cache.get(key)
        if hit is not None and self._clock() - hit[0] < self._ttl:
            return hit[1]
        if key in self._inflight:
            return await asyncio.shield(self._inflight[key])
        future: asyncio.Future[frozenset[str]] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            fetched = await fetch()
            value = frozenset() if fetched is None else fetched
            if fetched is not None:
                self._cache[key] = (self._clock(), value)
            future.set_result(value)
            return value
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._inflight[key]


async def _all_members(client: AsyncWebClient, channel: str) -> frozenset[str] | None:
    members: set[str] = set()
    cursor = ""
    try:
        while True:
            page: Any = await client.conversations_members(
                channel=channel, cursor=cursor, limit=200
            )
            members.update(page.get("members", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor", "")
            if not cursor:
                return frozenset(members)
    except SlackApiError as error:
        log.warning("cannot list members of %s: %s", channel, error.response.get("error"))
        return None


async def _group(client: AsyncWebClient, group: str) -> frozenset[str] | None:
    try:
        answer: Any = await client.usergroups_users_list(usergroup=group)
    except SlackApiError as error:
        log.warning("cannot list user group %s: %s", group, error.response.get("error"))
        return None
    return frozenset(answer.get("users", []))
