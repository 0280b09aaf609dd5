"""Engine and session factory for SQLite (embedded) and PostgreSQL (shared)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE = "leadbot_write"


class Database:
    """One engine and its sessions; `write()` and `read()` open short transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer. Its busy handler lets waiters retry at random, so a long
        # sweep could starve captures; within this process, writers queue first come, first
        # served instead (asyncio.Lock is FIFO). PostgreSQL writers lock rows, not the file.
        self._writers = asyncio.Lock() if self.is_sqlite else None
        self._winding_down = False

    @property
    def winding_down(self) -> bool:
        """Whether long, chunked work should stop at its next chunk (shutdown has begun)."""
        return self._winding_down

    def wind_down(self) -> None:
        """Ask long, chunked work to stop between chunks rather than be cancelled mid-statement."""
        self._winding_down = True

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that may write; BEGIN IMMEDIATE on SQLite; commits on success."""
        async with self._turn(), self._sessions() as session:
            await session.connection(execution_options={_WRITE: True})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if self._writers is None:
            yield
            return
        async with self._writers:
            yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction that never takes SQLite's write lock."""
        async with self._sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def check_database_url(url: str) -> str:
    """Return the URL if SQLAlchemy can parse it and its driver is supported, else raise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("is not a database URL like sqlite+aiosqlite:///leadbot.db") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ValueError(f"driver must be one of {', '.join(SUPPORTED_DRIVERS)}")
    return url


def create_database(url: str, *, pool_size: int = 10) -> Database:
    """Build the engine for `url`, tuned for its dialect."""
    check_database_url(url)
    if make_url(url).drivername.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _tune_sqlite(engine)
    else:
        engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
    return Database(engine)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        _ensure_power_function(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ensure_power_function(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT power(2.0, 1.0)")
    except Exception:  # SQLite built without math functions
        dbapi_connection.create_function("power", 2, math.pow, deterministic=True)
    finally:
        cursor.close()
