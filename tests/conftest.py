"""Fixtures: each storage test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from leads.config import LeadbotConfig
from tests.environment import is_setting_variable
from tests.harness import FakeClock, Leadbot
from workspace.fake_slack import FakeSlack

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")

# Property tests: a fixed seed and no example database in CI (CI=true), random locally.
# Tests that drive the HTTP app share one running leadbot across examples (function-scoped
# fixtures, on purpose) and keep to the profile's small number of examples.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")
StartLeadbot = Callable[..., Awaitable[Leadbot]]


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test runs without the developer's settings: no setting variable in the
    environment and an empty working directory, so no `.env` is found either."""
    for name in list(os.environ):
        if is_setting_variable(name):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True, scope="module")
def survivors_set_aside() -> Iterator[None]:
    """After each module, what outlived it is set aside from garbage collection. The suite's
    process grows to about a million objects, and a full collection over all of them (about
    1 s, more on a busy machine) could hold a request past the 3 s acknowledgement."""
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own on TEST_DATABASE_URL's server, dropped at the end,
    so that two runs at once (two checkouts, CI beside a developer) never wipe each other."""
    if not POSTGRES_URL:
        yield ""
        return
    server = make_url(POSTGRES_URL)
    private = server.set(database=f"{server.database}_run{os.getpid()}")
    asyncio.run(_create_database(server, private.database or ""))
    yield private.render_as_string(hide_password=False)
    asyncio.run(_drop_database(server, private.database or ""))


async def _create_database(server: URL, name: str) -> None:
    await _on_server(server, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')


async def _drop_database(server: URL, name: str) -> None:
    await _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _on_server(server: URL, *statements: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str
) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or this run's PostgreSQL schema wiped clean."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'leadbot.db'}"
        return
    if not postgres_url:
        pytest.skip("TEST_DATABASE_URL is not set; .ci/run sets it")
    await _reset_postgres(postgres_url)
    yield postgres_url


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack Web API, with the sales channel's members set up."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock starting on a Tuesday at 10:00 UTC."""
    return FakeClock()


@pytest.fixture
async def start_leadbot(
    database_url: str, slack: FakeSlack, clock: FakeClock
) -> AsyncIterator[StartLeadbot]:
    """Start leadbot with a given config; everything started is stopped afterwards."""
    started: list[Leadbot] = []

    async def start(config: LeadbotConfig | None = None) -> Leadbot:
        bot = Leadbot(database_url, slack, clock, config or LeadbotConfig())
        started.append(await bot.start())
        return bot

    yield start
    for bot in started:
        await bot.stop()


@pytest.fixture
async def leadbot(start_leadbot: StartLeadbot) -> Leadbot:
    """leadbot with the default rules."""
    return await start_leadbot()
