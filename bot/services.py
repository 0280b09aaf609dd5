"""The Services container: everything listeners and sweeps share, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.acks import EarlyAcks
from bot.capture_process import CaptureProcess, WriterSetup
from bot.settings import Settings
from handlers.directory import Directory
from handlers.membership import Membership
from leadloop.capture import Captures
from leadloop.context import Loop
from leadloop.delivery import LateRenderer, remember_delivery
from leads.config import LeadbotConfig
from scheduler.delivery import Deliverer
from scheduler.jobs import JobContext
from storage.db import Database, create_database

SLACK_TIMEOUT_SECONDS = 10
LISTENER_DRAIN_SECONDS = 5


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


@dataclass
class AppServices:
    """Shared objects; listeners receive this as `services`."""

    settings: Settings
    loop: Loop
    client: AsyncWebClient
    membership: Membership
    people: Directory
    deliverer: Deliverer
    captures: Captures
    listeners: EarlyAcks = field(default_factory=EarlyAcks)
    capture_process: CaptureProcess | None = None  # started by the web app and Socket Mode

    @property
    def config(self) -> LeadbotConfig:
        """The rules file's settings."""
        return self.loop.config

    @property
    def db(self) -> Database:
        """The database (for the composition root and tests)."""
        return self.loop.db

    @property
    def sales_channel(self) -> str:
        """Where hot cards go when no routing rule matches."""
        return self.loop.sales_channel

    def now(self) -> datetime:
        """The current time from the injected clock."""
        return self.loop.now()

    def nudge_delivery(self) -> None:
        """Deliver newly committed outbox rows now rather than at the next sweep."""
        self.deliverer.nudge()

    def job_context(self, *, by_hand: bool = False) -> JobContext:
        """What the sweeps need (`by_hand`: a person asked for it now)."""
        return JobContext(
            loop=self.loop, deliverer=self.deliverer, by_hand=by_hand, people=self.people
        )

    async def start_capture_process(self) -> None:
        """Write captures in a process of their own from now on (when configured)."""
        if self.capture_process is not None:
            await self.capture_process.start()

    async def close(self) -> None:
        """Finish listeners, captures and deliveries, then close connections."""
        await self.listeners.drain(LISTENER_DRAIN_SECONDS)
        await self.captures.close()
        if self.capture_process is not None:
            await self.capture_process.stop()
        await self.deliverer.close()
        await self.loop.db.dispose()


def build_services(
    settings: Settings, config: LeadbotConfig, *, clock: Callable[[], datetime] = utc_now
) -> AppServices:
    """Wire the database, the Slack client, the use cases and the outbox deliverer."""
    loop = Loop(
        db=create_database(settings.database_url),
        config=config,
        sales_channel=settings.leadbot_sales_channel,
        clock=clock,
        marketing_channel=settings.leadbot_marketing_channel,
    )
    client = AsyncWebClient(
        token=settings.bot_token(),
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[AsyncConnectionErrorRetryHandler()],
    )
    people = Directory(client, config.language)
    capture_process = (
        _capture_process(settings, config) if settings.leadbot_capture_process else None
    )
    deliverer = Deliverer(
        loop.db,
        client,
        config.delivery,
        clock,
        render=LateRenderer(loop, people).render,
        on_sent=partial(remember_delivery, loop),
        webhooks=config.webhooks,
    )
    return AppServices(
        settings=settings,
        loop=loop,
        client=client,
        membership=Membership(),
        people=people,
        deliverer=deliverer,
        captures=Captures(loop, capture_process),
        capture_process=capture_process,
    )


def _capture_process(settings: Settings, config: LeadbotConfig) -> CaptureProcess:
    return CaptureProcess(
        WriterSetup(
            database_url=settings.database_url,
            config=config,
            sales_channel=settings.leadbot_sales_channel,
            marketing_channel=settings.leadbot_marketing_channel,
            log_level=settings.log_level,
        )
    )
