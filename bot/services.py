"""The Services container: everything listeners and sweeps share, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from handlers.membership import Membership
from leads.config import LeadbotConfig
from scheduler.delivery import Deliverer
from scheduler.jobs import JobContext
from storage.capture_batch import CaptureWriter
from storage.db import Database, create_database

SLACK_TIMEOUT_SECONDS = 10


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


@dataclass
class AppServices:
    """Shared objects; listeners receive this as `services`."""

    settings: Settings
    config: LeadbotConfig
    db: Database
    client: AsyncWebClient
    membership: Membership
    deliverer: Deliverer
    captures: CaptureWriter
    clock: Callable[[], datetime]
    sales_channel: str

    def now(self) -> datetime:
        """The current time from the injected clock."""
        return self.clock()

    def nudge_delivery(self) -> None:
        """Deliver newly committed outbox rows now rather than at the next sweep."""
        self.deliverer.nudge()

    def job_context(self) -> JobContext:
        """What the sweeps need."""
        return JobContext(
            db=self.db,
            config=self.config,
            sales_channel=self.sales_channel,
            clock=self.clock,
            deliverer=self.deliverer,
        )

    async def close(self) -> None:
        """Finish captures and deliveries, then close connections."""
        await self.captures.close()
        await self.deliverer.close()
        await self.db.dispose()


def build_services(
    settings: Settings, config: LeadbotConfig, *, clock: Callable[[], datetime] = utc_now
) -> AppServices:
    """Wire the database, the Slack client and the outbox deliverer from settings."""
    db = create_database(settings.database_url)
    client = AsyncWebClient(
        token=settings.bot_token(),
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[AsyncConnectionErrorRetryHandler()],
    )
    return AppServices(
        settings=settings,
        config=config,
        db=db,
        client=client,
        membership=Membership(),
        deliverer=Deliverer(db, client, config.delivery, clock),
        captures=CaptureWriter(db, config=config, sales_channel=settings.leadbot_sales_channel),
        clock=clock,
        sales_channel=settings.leadbot_sales_channel,
    )
