"""Who people are in Slack: their language and time zone, from `users.info`, cached."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.lookups import Lookups
from leads.language import Language, language_of_locale

log = logging.getLogger(__name__)
LOCALE_TTL_SECONDS = 3600.0  # people travel and change settings; an hour is fresh enough
LOOKUP_TIMEOUT_SECONDS = 1.0  # a reply must not wait on Slack longer than this


class Directory:
    """People's languages (their Slack locale when leadbot speaks it, else the default) and
    time zones (`tz`, else empty), from one cached `users.info` per person."""

    def __init__(
        self,
        client: AsyncWebClient,
        default: Language,
        *,
        ttl: float = LOCALE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._default = default
        self._profiles: Lookups[tuple[str, str]] = Lookups(ttl, clock)

    async def language(self, user: str) -> Language:
        """The person's language; the default when Slack does not answer in time."""
        if not user:
            return self._default
        profile = await self._profiles.get(user, partial(self._fetch_profile, user))
        return self._language(profile[0] if profile else None)

    async def timezone(self, user: str) -> str:
        """The person's IANA time zone (`users.info` `tz`); empty when Slack does not say."""
        if not user:
            return ""
        profile = await self._profiles.get(user, partial(self._fetch_profile, user))
        return profile[1] if profile else ""

    def known_language(self, user: str) -> Language:
        """The language already known for this person, without asking Slack."""
        profile = self._profiles.peek(user)
        return self._language(profile[0] if profile else None)

    def _language(self, locale: str | None) -> Language:
        return (language_of_locale(locale) if locale else None) or self._default

    async def _fetch_profile(self, user: str) -> tuple[str, str] | None:
        try:
            answer: Any = await asyncio.wait_for(
                self._client.users_info(user=user, include_locale=True), LOOKUP_TIMEOUT_SECONDS
            )
        except SlackApiError as error:
            log.info("users.info for %s failed: %s", user, error.response.get("error"))
            return None
        except (TimeoutError, ClientError, OSError) as error:
            log.info("users.info for %s failed: %s", user, type(error).__name__)
            return None
        found = answer.get("user") or {}
        locale, tz = found.get("locale"), found.get("tz")
        return (locale if isinstance(locale, str) else "", tz if isinstance(tz, str) else "")
