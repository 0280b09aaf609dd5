"""Who may claim: channel and user-group membership from Slack, cached briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.lookups import Lookups

log = logging.getLogger(__name__)


class Membership:
    """Caches conversations.members and usergroups.users.list answers for `ttl` seconds."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._lookups: Lookups[frozenset[str]] = Lookups(ttl, clock)

    async def channel_members(self, client: AsyncWebClient, channel: str) -> frozenset[str]:
        """Everyone in `channel` (empty if Slack would not say)."""
        found = await self._lookups.get(
            f"channel:{channel}", partial(_all_members, client, channel)
        )
        return found or frozenset()

    async def usergroup_members(
        self, client: AsyncWebClient, groups: tuple[str, ...]
    ) -> frozenset[str]:
        """Everyone in any of `groups`."""
        found: set[str] = set()
        for group in groups:
            found |= (
                await self._lookups.get(f"group:{group}", partial(_group, client, group)) or set()
            )
        return frozenset(found)


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
