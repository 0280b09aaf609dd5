"""What listeners get from the composition root through Bolt's context."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from handlers.directory import Directory
from handlers.membership import Membership
from leadloop.capture import Captures
from leadloop.context import Loop
from leads.config import LeadbotConfig


class Services(Protocol):
    """The shared objects a listener may use; `context["services"]` holds one."""

    loop: Loop
    membership: Membership
    people: Directory
    captures: Captures

    @property
    def config(self) -> LeadbotConfig:
        """The rules file's settings."""
        ...

    def now(self) -> datetime:
        """The current time (injected, so tests control it)."""
        ...

    def nudge_delivery(self) -> None:
        """Ask the outbox to deliver what was just committed, without waiting for the sweep."""
        ...
