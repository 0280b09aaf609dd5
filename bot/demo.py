"""`leadbot demo`: the real bot (app, handlers, storage, sweeps) wired to the local Slack
workspace, which serves the page people use it from."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from pydantic import SecretStr

from bot.app import create_app
from bot.config import parse_config
from bot.demo_seed import SeedClock, Seeded, seed_history
from bot.errors import StartupError
from bot.preflight import open_socket_mode_url, prepare_database
from bot.server import EVENTS_PATH, build_web_app
from bot.services import AppServices, build_services
from bot.settings import Settings
from bot.socket_mode import connect_socket_mode
from leads.config import LeadbotConfig
from scheduler.jobs import run_job
from workspace.directory import (
    EXPO,
    MANAGER,
    MARKETING,
    REP_1,
    REP_2,
    SALES,
    SALES_JAPAN,
    STAFFER,
)
from workspace.fake_slack import FakeSlack
from workspace.local import LocalWorkspace
from workspace.page import add_page_routes

DEFAULT_PORT = 8000
DEMO_TOKEN = "xoxb-demo-workspace"
DEMO_APP_TOKEN = "xapp-demo-workspace"
# The slash command as the app manifest declares it (tests/unit check they agree).
COMMANDS = [
    {
        "command": "/lead",
        "description": "Log a lead (form or one line), or set the event you are working at",
        "usage_hint": "[Name, Company, email, phone, hot|warm|cold] | event <name> | help",
    }
]
DEMO_RULES = f"""
language: en
routing:
  - name: japan
    channel: {SALES_JAPAN.id}
    region: JP
  - name: expo
    channel: {EXPO.id}
    event: "Tokyo Expo*"
sla:
  reannounce_after_minutes: 15
  escalate_after_minutes: 60
  escalate_to: {MANAGER.id}
  business_hours:
    always_open: true
admins: [{MANAGER.id}]
outcomes:
  manager: {MANAGER.id}
nurture:
  working_hours:
    start: "00:00"
    end: "23:59"
    days: [mon, tue, wed, thu, fri, sat, sun]
  plans:
    - name: trade-show-follow-up
      segment: {{source: [event], interest: [warm, cold]}}
      steps:
        - {{after: 1d, action: email, title: Thank-you email with the brochure,
           content: "https://example.com/brochure.pdf", doer: capturer, points: 5}}
        - {{after: 3d, action: call, title: "Call: questions on the brochure",
           doer: capturer, points: 10}}
        - {{after: 14d, action: invite, title: Invitation to the next seminar,
           content: "https://example.com/seminars", doer: capturer, points: 5}}
    - name: web-follow-up
      segment: {{source: [web, inbound]}}
      steps:
        - {{after: 1d, action: material, title: Case study for their industry,
           content: "https://example.com/case-studies", doer: {REP_1.id}}}
        - {{after: 4d, action: call, title: "Call: offer a demo", doer: {REP_1.id}, points: 10}}
"""


@dataclass
class SpeedClock:
    """Real time, running `speed` times faster from the moment it was made."""

    speed: float = 1.0
    started: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))
    _origin: float = dataclasses.field(default_factory=time.monotonic)

    def __call__(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.started + timedelta(seconds=elapsed)


@dataclass(frozen=True)
class DemoOptions:
    """What `leadbot demo` was asked for."""

    port: int = DEFAULT_PORT
    seed: bool = False
    speed: float = 1.0
    database: Path | None = None  # None: a fresh file in a temporary folder
    socket_mode: bool = False  # the bot connects over Socket Mode instead of serving HTTP


@dataclass
class RunningDemo:
    """The workspace page and the bot behind it, both on 127.0.0.1."""

    slack: FakeSlack
    workspace: LocalWorkspace
    services: AppServices
    stop: Callable[[], Awaitable[None]]  # stops the bot and closes its services
    seeded: Seeded | None

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://127.0.0.1:{self.slack.port}/"


def japanese_font() -> Path | None:
    """IPAexGothic, which matplotlib-fontja ships for the digest chart, if it is there."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "fonts" / "ipaexg.ttf"


def demo_rules(speed: float = 1.0) -> LeadbotConfig:
    """The demo's rules file: routed channels, SLA steps at any hour, a manager; sweeps that
    look at the clock run `speed` times as often (never more than once a second)."""
    config = parse_config(DEMO_RULES, source="<demo rules>")
    sweeps = config.sweeps
    faster = {
        name: max(1.0, getattr(sweeps, name) / speed)
        for name in ("rescore_seconds", "digest_seconds", "nurture_seconds")
    }
    return dataclasses.replace(config, sweeps=dataclasses.replace(sweeps, **faster))


def demo_settings(slack: FakeSlack, database: Path, secret: str) -> Settings:
    """Settings pointing the bot at the local workspace and the demo database."""
    return Settings(
        slack_bot_token=SecretStr(DEMO_TOKEN),
        slack_signing_secret=SecretStr(secret),
        slack_app_token=SecretStr(DEMO_APP_TOKEN),
        slack_api_url=slack.base_url,
        database_url=f"sqlite+aiosqlite:///{database}",
        leadbot_sales_channel=SALES.id,
        leadbot_marketing_channel=MARKETING.id,
        leadbot_capture_process=False,  # one process: the demo's clock runs at its own speed
    )


@contextlib.asynccontextmanager
async def running_demo(options: DemoOptions) -> AsyncIterator[RunningDemo]:
    """Start the workspace and the bot; stop both on the way out."""
    with contextlib.ExitStack() as folders:
        database = (
            options.database
            or Path(folders.enter_context(tempfile.TemporaryDirectory(prefix="leadbot-demo-")))
            / "leadbot-demo.db"
        )
        secret = secrets.token_hex(16)
        slack = FakeSlack()
        workspace = LocalWorkspace(
            slack, app_url="", signing_secret=secret, socket_mode=options.socket_mode
        )
        try:
            await slack.start(
                port=options.port,
                routes=lambda app: add_page_routes(
                    app, workspace, COMMANDS, japanese_font=japanese_font()
                ),
            )
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise StartupError(
                f"cannot listen on 127.0.0.1:{options.port} ({reason}); choose another with --port"
            ) from None
        try:
            demo = await _start_bot(slack, workspace, options, database, secret)
            try:
                yield demo
            finally:
                await demo.stop()
        finally:
            await workspace.close()
            await slack.close()


async def _start_bot(
    slack: FakeSlack,
    workspace: LocalWorkspace,
    options: DemoOptions,
    database: Path,
    secret: str,
) -> RunningDemo:
    settings = demo_settings(slack, database, secret)
    config = demo_rules(options.speed)
    services = build_services(settings, config, clock=SpeedClock(options.speed))
    try:
        await prepare_database(services.db, settings.database_url)
        seeded = await _seed(services) if options.seed else None
    except BaseException:
        await services.close()
        raise
    if options.socket_mode:
        stop = await _connect_over_socket_mode(services, slack)
    else:
        stop = await _serve_http(services, workspace)
    if seeded is not None:
        stop = _with_first_digest(services, stop)
    return RunningDemo(slack, workspace, services, stop, seeded)


def _with_first_digest(
    services: AppServices, stop: Callable[[], Awaitable[None]]
) -> Callable[[], Awaitable[None]]:
    """Post last week's digest (chart included) to #marketing now, not at the first sweep."""

    async def digest() -> None:
        await run_job("digest", services.job_context())
        services.nudge_delivery()

    task = asyncio.get_running_loop().create_task(digest())

    async def stop_too() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await stop()

    return stop_too


async def _serve_http(
    services: AppServices, workspace: LocalWorkspace
) -> Callable[[], Awaitable[None]]:
    """The bot's HTTP server (with its sweeps) on an ephemeral port of 127.0.0.1."""
    runner = web.AppRunner(
        build_web_app(create_app(services, verified_by_server=True), services),
        access_log=None,
        shutdown_timeout=1.0,
    )
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    workspace.app_url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
    return runner.cleanup  # closes the services too


async def _connect_over_socket_mode(
    services: AppServices, slack: FakeSlack
) -> Callable[[], Awaitable[None]]:
    """The bot as `leadbot socket` runs it: connected to the workspace, sweeps in-process."""
    url = await open_socket_mode_url(DEMO_APP_TOKEN, slack.base_url)
    stop = await connect_socket_mode(services, DEMO_APP_TOKEN, url)
    await slack.wait_for_socket()
    return stop


async def _seed(services: AppServices) -> Seeded:
    end = services.now()
    clock = SeedClock(end)
    loop = dataclasses.replace(services.loop, clock=clock)
    return await seed_history(loop, clock, end=end, reps=(REP_1.id, REP_2.id), staff=STAFFER.id)


async def run_demo(options: DemoOptions, until_stopped: Callable[[], Awaitable[None]]) -> int:
    """Run the demo until `until_stopped` returns; print where to open it."""
    if options.speed <= 0:
        raise StartupError("--speed must be a positive number, such as 1 or 60")
    async with running_demo(options) as demo:
        if demo.seeded is not None:
            s = demo.seeded
            print(
                f"seeded {s.leads} leads over twelve weeks: {s.hot} hot, {s.claimed} claimed,"
                f" {s.won} won, {s.lost} lost, {s.nurture_steps_done} nurture steps done",
                flush=True,
            )
        if options.speed != 1:
            print(f"the bot's clock runs {options.speed:g} times faster", flush=True)
        if options.socket_mode:
            print("the bot is connected over Socket Mode", flush=True)
        print(f"Open {demo.url}", flush=True)
        await until_stopped()
    return 0
