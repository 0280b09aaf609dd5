"""Shared benchmark helpers: start leadbot or a bare Bolt app, fire signed requests, report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.app import create_app
from bot.server import EVENTS_PATH, build_web_app, set_aside_startup_objects
from bot.services import AppServices, build_services, utc_now
from bot.settings import load_settings
from leads.config import LeadbotConfig
from storage.migrate import migrate
from storage.tables import LeadRow
from workspace import requests as slack_requests
from workspace.fake_slack import FakeSlack

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
SALES = "C0SALES"
BOOTH = "C0BOOTH"
SAVED = "Saved a new lead"
SAME_PROCESS_NOTE = (
    "note: the load generator, both servers and the fake Slack share one process and event loop"
    " (2 cores), so absolute figures include client overhead; the ratio cancels most of it"
)


@dataclass
class RunningApp:
    """An HTTP app serving /slack/events on 127.0.0.1."""

    name: str
    server: TestServer
    services: AppServices | None = None

    @property
    def url(self) -> str:
        """The absolute URL of /slack/events."""
        return str(self.server.make_url(EVENTS_PATH))

    async def stop(self) -> None:
        """Stop serving (leadbot's cleanup also closes its services)."""
        await self.server.close()


@dataclass(frozen=True)
class Answer:
    """One HTTP request: status, body, and when it was sent and answered (monotonic)."""

    status: int
    text: str
    sent_at: float
    done_at: float
    error: str = ""

    @property
    def latency(self) -> float:
        """Seconds from sending to the full answer."""
        return self.done_at - self.sent_at


@dataclass
class LoadResult:
    """Answers of one load run and its wall time."""

    answers: list[Answer] = field(default_factory=list)
    elapsed: float = 0.0

    def ok(self, accept: Callable[[Answer], bool] | None = None) -> list[Answer]:
        """HTTP 200 answers (that `accept` also accepts, when given)."""
        return [a for a in self.answers if a.status == 200 and (accept is None or accept(a))]


async def start_leadbot(
    slack: FakeSlack,
    database_url: str,
    config: LeadbotConfig,
    *,
    clock: Callable[[], datetime] = utc_now,
    capture_process: bool = True,
) -> RunningApp:
    """The real leadbot HTTP app (as tests/harness.py builds it), migrated and serving;
    with `capture_process`, as `leadbot serve` runs by default: captures are written in a
    second process."""
    settings = load_settings(
        "serve",
        environ={
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.base_url,
            "DATABASE_URL": database_url,
            "LEADBOT_SALES_CHANNEL": SALES,
            "LEADBOT_CAPTURE_PROCESS": "on" if capture_process else "off",
        },
    )
    services = build_services(settings, config, clock=clock)
    await migrate(services.db)
    web_app = build_web_app(
        create_app(services, verified_by_server=True), services, run_scheduler=False
    )
    server = TestServer(web_app, host="127.0.0.1", port=0)
    await server.start_server()
    set_aside_startup_objects()  # as `leadbot serve` does once it listens
    return RunningApp("leadbot", server, services)


async def start_bare_bolt(slack: FakeSlack) -> RunningApp:
    """A bare Bolt app with the same secret and Slack client whose /lead only acks."""
    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=slack.base_url),
        signing_secret=SECRET,
        name="bare",
    )

    @app.command("/lead")
    async def just_ack(ack: AsyncAck) -> None:
        await ack()

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        headers: dict[str, str | Sequence[str]] = {
            key.lower(): value for key, value in request.headers.items()
        }
        bolt_request = AsyncBoltRequest(
            body=raw.decode("utf-8"), query=request.query_string, headers=headers
        )
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, handle)
    server = TestServer(web_app, host="127.0.0.1", port=0)
    await server.start_server()
    return RunningApp("bare bolt", server)


def client_session(concurrency: int) -> ClientSession:
    """An HTTP client allowing `concurrency` connections, with a generous timeout."""
    return ClientSession(
        connector=TCPConnector(limit=concurrency, force_close=False),
        timeout=ClientTimeout(total=60),
    )


async def post_signed(session: ClientSession, url: str, body: str) -> Answer:
    """POST a body signed as Slack would; never raises on transport errors."""
    headers = slack_requests.signed_headers(SECRET, body, timestamp=int(time.time()))
    sent_at = time.monotonic()
    try:
        async with session.post(url, data=body.encode(), headers=headers) as response:
            text = await response.text()
            return Answer(response.status, text, sent_at, time.monotonic())
    except (TimeoutError, OSError, ValueError) as error:  # aiohttp errors derive from these
        return Answer(0, "", sent_at, time.monotonic(), f"{type(error).__name__}: {error}")


async def fire(
    session: ClientSession, url: str, bodies: Sequence[str], concurrency: int
) -> LoadResult:
    """Send every body with at most `concurrency` requests in flight."""
    pending = iter(bodies)
    result = LoadResult()

    async def worker() -> None:
        for body in pending:
            result.answers.append(await post_signed(session, url, body))

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(bodies)))))
    result.elapsed = time.monotonic() - started
    return result


def command_body(text: str, *, user: str, channel: str = BOOTH) -> str:
    """The form body of `/lead <text>` typed by `user` in `channel`."""
    return slack_requests.slash_command(text, user_id=user, channel_id=channel)


async def stored_emails(services: AppServices, emails: Iterable[str]) -> set[str]:
    """Which of these (lower-case) emails have a lead row."""
    wanted = sorted({email.lower() for email in emails})
    found: set[str] = set()
    async with services.db.read() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = await session.scalars(
                select(LeadRow.email_key).where(LeadRow.email_key.in_(chunk))
            )
            found.update(str(row) for row in rows)
    return found
