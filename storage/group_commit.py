"""Group commit: work items that arrive together share one write transaction.

Each item in its own transaction costs a handful of round trips to the database, and with
SQLite's single writer they queue behind each other. Items that arrive while a batch is
being written are written together in the next one instead. If a batch fails, its items
are written again one at a time (a lost race on a unique key is retried once), so one bad
item never sinks the others.

A batch may be written elsewhere (a capture process: bot/capture_process.py) while that is
available; it writes with the same function in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

log = logging.getLogger(__name__)
Item = TypeVar("Item")
Result = TypeVar("Result")
WriteBatch = Callable[[AsyncSession, Sequence[Item]], Awaitable[Sequence[Result]]]
MAX_BATCH = 100


Given_contra = TypeVar("Given_contra", contravariant=True)
Written_co = TypeVar("Written_co", covariant=True)


class Elsewhere(Protocol[Given_contra, Written_co]):
    """Somewhere else that writes a batch in a transaction of its own, when available."""

    @property
    def available(self) -> bool:
        """Whether batches go there now (else they are written here)."""
        ...

    async def write(self, items: Sequence[Given_contra]) -> Sequence[Written_co]:
        """Write the batch and commit; IntegrityError when a unique key was taken."""
        ...


@dataclass
class _Job(Generic[Item, Result]):
    item: Item
    done: asyncio.Future[Result] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[Item, Result]):
    """Writes items with `write_batch(session, items) -> results`, batching concurrent ones."""

    def __init__(
        self,
        db: Database,
        write_batch: WriteBatch[Item, Result],
        *,
        max_batch: int = MAX_BATCH,
        elsewhere: Elsewhere[Item, Result] | None = None,
    ) -> None:
        self._db = db
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._elsewhere = elsewhere
        self._queue: list[_Job[Item, Result]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Write one item; returns its result once its transaction has committed."""
        job: _Job[Item, Result] = _Job(item)
        self._queue.append(job)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(job.done)

    async def close(self) -> None:
        """Wait until every queued item is written."""
        if self._worker is not None:
            await asyncio.gather(self._worker, return_exceptions=True)

    async def _drain(self) -> None:
        while self._queue:
            jobs = self._queue[: self._max_batch]
            self._queue = self._queue[self._max_batch :]
            try:
                results = await self._write([job.item for job in jobs])
            except Exception:
                log.warning("a batch of %d writes failed; writing them one by one", len(jobs))
                await self._write_each(jobs)
                continue
            for job, result in zip(jobs, results, strict=True):
                job.done.set_result(result)

    async def _write(self, items: list[Item]) -> Sequence[Result]:
        if self._elsewhere is not None and self._elsewhere.available:
            return await self._elsewhere.write(items)
        async with self._db.write() as session:
            return await self._write_batch(session, items)

    async def _write_each(self, jobs: list[_Job[Item, Result]]) -> None:
        for job in jobs:
            try:
                [result] = await self._write_alone(job.item)
            except Exception as error:
                job.done.set_exception(error)
            else:
                job.done.set_result(result)

    async def _write_alone(self, item: Item) -> Sequence[Result]:
        try:
            return await self._write([item])
        except IntegrityError:  # another process inserted the same key first: now we merge
            return await self._write([item])
