"""What listeners get from the composition root through Bolt's context."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from handlers.membership import Membership
from leads.config import LeadbotConfig
from storage.capture_batch import CaptureWriter
from storage.db import Database


class Services(Protocol):
    """The shared objects a listener may use; `context["services"]` holds one."""

    db: Database
    config: LeadbotConfig
    sales_channel: str
    membership: Membership
    captures: CaptureWriter

    def now(self) -> datetime:
        """The current time (injected, so tests control it)."""
        ...

    def nudge_delivery(self) -> None:
        """Ask the outbox to deliver what was just committed, without waiting for the sweep."""
        ...
