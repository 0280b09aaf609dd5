"""Writers of two processes on one database take turns without failing: on SQLite they wait
on a lock file in the kernel instead of in SQLite's busy handler, which gives up."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from storage.db import Database, create_database
from storage.migrate import migrate

HOLD_SECONDS = 0.5
IMPATIENT_SECONDS = 0.05  # SQLite's own wait for the other process: far shorter than HOLD


def impatient(database_url: str) -> Database:
    """Another process's Database, whose SQLite busy handler gives up after 50 ms."""
    return create_database(database_url, sqlite_busy_seconds=IMPATIENT_SECONDS)


async def test_a_writer_waits_for_another_processes_long_write(database_url: str) -> None:
    holder = create_database(database_url)
    await migrate(holder)
    async with holder.write() as session:  # one row both write: PostgreSQL locks it
        await session.execute(
            text(
                "INSERT INTO user_prefs (user_id, current_event, updated_at)"
                " VALUES ('U1', '', CURRENT_TIMESTAMP)"
            )
        )
    waiter = impatient(database_url)
    order: list[str] = []
    holding = asyncio.Event()

    async def hold() -> None:
        async with holder.write() as session:
            await session.execute(
                text("UPDATE user_prefs SET current_event = 'x' WHERE user_id = 'U1'")
            )
            holding.set()
            await asyncio.sleep(HOLD_SECONDS)
            order.append("holder")

    async def wait_then_write() -> None:
        await holding.wait()
        async with waiter.write() as session:
            await session.execute(
                text("UPDATE user_prefs SET current_event = 'x' WHERE user_id = 'U1'")
            )
            order.append("waiter")

    try:
        await asyncio.gather(hold(), wait_then_write())
    finally:
        await waiter.dispose()
        await holder.dispose()
    assert order == ["holder", "waiter"]


async def test_a_chunked_writer_lets_another_processes_writer_in_between_chunks(
    database_url: str,
) -> None:
    sweep = create_database(database_url)
    await migrate(sweep)
    capture = create_database(database_url)
    order: list[str] = []
    first_chunk = asyncio.Event()

    async def chunked_sweep() -> None:
        for chunk in range(12):
            async with sweep.write() as session:
                await session.execute(text("UPDATE user_prefs SET current_event = 'sweep'"))
                first_chunk.set()
                await asyncio.sleep(0.05)
            order.append(f"chunk {chunk}")

    async def one_capture() -> None:
        await first_chunk.wait()
        async with capture.write() as session:
            await session.execute(text("UPDATE user_prefs SET current_event = 'capture'"))
        order.append("capture")

    try:
        await asyncio.gather(chunked_sweep(), one_capture())
    finally:
        await capture.dispose()
        await sweep.dispose()
    assert order.index("capture") <= 2, order  # in after the first chunk, not the last
