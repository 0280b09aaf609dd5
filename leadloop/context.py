"""What every use case needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from leads.config import LeadbotConfig
from leads.language import Language
from storage.db import Database


class People(Protocol):
    """Who people are in Slack: the language to speak to them in."""

    async def language(self, user: str) -> Language:
        """The person's language (their Slack locale, else the rules file's)."""
        ...

    async def timezone(self, user: str) -> str:
        """The person's IANA time zone (Slack's `tz`); empty when unknown."""
        ...

    def known_language(self, user: str) -> Language:
        """The language already known for this person, without asking Slack."""
        ...


@dataclass(frozen=True)
class Loop:
    """The database, the rules and the clock the use cases run with."""

    db: Database
    config: LeadbotConfig
    sales_channel: str
    clock: Callable[[], datetime]
    marketing_channel: str = ""  # the weekly digest goes here; empty: no digest

    def now(self) -> datetime:
        """The current time (injected, so tests and the demo control it)."""
        return self.clock()

    @property
    def channel_language(self) -> Language:
        """The language of messages posted to channels."""
        return self.config.language
