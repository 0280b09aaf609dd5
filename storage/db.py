"""Engine and session factory for SQLite (embedded) and PostgreSQL (shared)."""

from __future__ import annotations

import asyncio
import fcntl
import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
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
SQLITE_BUSY_SECONDS = 30.0  # a writer of another process that holds the lock longer: an error
_WRITE = "leadbot_write"


class Database:
    """One engine and its sessions; `write()` and `read()` open short transactions."""

    def __init__(self, engine: AsyncEngine, *, writer_lock: Path | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer. Its busy handler lets waiters retry at random, so a long
        # sweep could starve captures; within this process, writers queue first come, first
        # served instead (asyncio.Lock is FIFO), and between processes (the capture process,
        # replicas on one host) they wait in the kernel on a lock file beside the database.
        # PostgreSQL writers lock rows, not the file.
        self._writers = asyncio.Lock() if self.is_sqlite else None
        self._between_processes = WriterLock(writer_lock) if writer_lock is not None else None
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
            if self._between_processes is None:
                yield
                return
            await self._between_processes.acquire()
            try:
                yield
            finally:
                self._between_processes.release()

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
        if self._between_processes is not None:
            self._between_processes.close()


class WriterLock:
    """An exclusive lock on a file, for one writer at a time across processes: a waiter
    sleeps in the kernel and wakes when the holder lets go."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._descriptor: int | None = None

    async def acquire(self) -> None:
        """Take the lock, waiting (off the event loop) while another process holds it."""
        if self._descriptor is None:
            self._descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        descriptor = self._descriptor
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        taken = asyncio.get_running_loop().run_in_executor(
            None, fcntl.flock, descriptor, fcntl.LOCK_EX
        )
        try:
            await asyncio.shield(taken)
        except asyncio.CancelledError:
            taken.add_done_callback(lambda _: self.release())  # taken later: let it go
            raise

    def release(self) -> None:
        """Let the next process's writer go."""
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (which releases the lock)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def check_database_url(url: str) -> str:
    """Return the URL if SQLAlchemy can parse it and its driver is supported, else raise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("is not a database URL like sqlite+aiosqlite:///leadbot.db") from None
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ValueError(f"driver must be one of {', '.join(SUPPORTED_DRIVERS)}")
    return url


def create_database(
    url: str, *, pool_size: int = 10, sqlite_busy_seconds: float = SQLITE_BUSY_SECONDS
) -> Database:
    """Build the engine for `url`, tuned for its dialect."""
    check_database_url(url)
    if make_url(url).drivername.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": sqlite_busy_seconds})
        _tune_sqlite(engine, busy_ms=round(sqlite_busy_seconds * 1000))
        return Database(engine, writer_lock=sqlite_writer_lock(url))
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )
    return Database(engine)


def sqlite_writer_lock(url: str) -> Path | None:
    """The lock file beside a SQLite database file; None for an in-memory database."""
    parsed = make_url(url)
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(database + "-writer.lock")


def _tune_sqlite(engine: AsyncEngine, *, busy_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={busy_ms}",
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
