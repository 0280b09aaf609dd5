"""Group commit for captures: concurrent captures share one transaction and a few statements.

Each capture in its own transaction costs a handful of round trips to the database; with
SQLite's single writer they queue behind each other. Captures that arrive together are
written together instead: one SELECT for the batch's emails, one multi-row INSERT for new
leads, one executemany each for touches and audit rows. If a batch fails, its captures are
written again one by one through `capture_lead`, so one bad capture never sinks the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from storage.db import Database
from storage.leads import (
    Capture,
    CaptureResult,
    capture_lead,
    maybe_turn_hot,
    merge_touch,
    new_lead_values,
    to_lead,
    touch_rows,
)
from storage.outbox import OutboxMessage, enqueue
from storage.prefs import current_events
from storage.tables import AUDIT, TOUCHES, LeadRow

log = logging.getLogger(__name__)
FollowUps = Callable[[CaptureResult], Sequence[OutboxMessage]]
MAX_BATCH = 100


@dataclass
class _Job:
    capture: Capture
    now: datetime
    follow_ups: FollowUps | None
    done: asyncio.Future[CaptureResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class CaptureWriter:
    """Stores captures, batching the ones that arrive while a batch is being written."""

    def __init__(self, db: Database, *, config: LeadbotConfig, sales_channel: str) -> None:
        self._db = db
        self._config = config
        self._sales_channel = sales_channel
        self._queue: list[_Job] = []
        self._worker: asyncio.Task[None] | None = None

    async def capture(
        self, capture: Capture, *, now: datetime, follow_ups: FollowUps | None = None
    ) -> CaptureResult:
        """Store one capture (and the outbox rows `follow_ups` derives); returns once committed."""
        job = _Job(capture, now, follow_ups)
        self._queue.append(job)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._drain())
        return await asyncio.shield(job.done)

    async def close(self) -> None:
        """Wait until every queued capture is written."""
        if self._worker is not None:
            await asyncio.gather(self._worker, return_exceptions=True)

    async def _drain(self) -> None:
        while self._queue:
            jobs, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                async with self._db.write() as session:
                    results = await self._write_batch(session, jobs)
            except Exception:
                log.warning("a batch of %d captures failed; writing them one by one", len(jobs))
                await self._write_each(jobs)
                continue
            for job, result in zip(jobs, results, strict=True):
                job.done.set_result(result)

    async def _write_batch(self, session: AsyncSession, jobs: list[_Job]) -> list[CaptureResult]:
        await _apply_current_events(session, jobs)
        rows = await self._locked_rows(session, jobs)
        planned: list[tuple[_Job, LeadRow, bool]] = []
        for job in jobs:
            email = job.capture.draft.email
            row = rows.get(email) if email else None
            if row is None:
                row = LeadRow(**new_lead_values(job.capture, self._config, job.now))
                session.add(row)
                rows[email or f"#{id(job)}"] = row
                planned.append((job, row, True))
            else:
                merge_touch(row, job.capture.draft, self._config, job.now)
                planned.append((job, row, False))
        await session.flush()  # inserts the new leads (multi-row) and assigns their ids
        await self._record_touches(session, planned)
        return await self._finish(session, planned)

    async def _locked_rows(self, session: AsyncSession, jobs: list[_Job]) -> dict[str, LeadRow]:
        emails = {job.capture.draft.email for job in jobs if job.capture.draft.email}
        if not emails:
            return {}
        found = await session.scalars(
            select(LeadRow).where(LeadRow.email_key.in_(emails)).with_for_update()
        )
        return {row.email_key or "": row for row in found}

    async def _record_touches(
        self, session: AsyncSession, planned: list[tuple[_Job, LeadRow, bool]]
    ) -> None:
        touches, audits = [], []
        for job, row, created in planned:
            touch, audit = touch_rows(
                row.id, job.capture, self._config, created=created, now=job.now
            )
            touches.append(touch)
            audits.append(audit)
        await session.execute(insert(TOUCHES), touches)
        await session.execute(insert(AUDIT), audits)

    async def _finish(
        self, session: AsyncSession, planned: list[tuple[_Job, LeadRow, bool]]
    ) -> list[CaptureResult]:
        hot: dict[int, bool] = {}
        for job, row, _ in reversed(planned):  # a lead's last capture in the batch decides
            if row.id not in hot:
                hot[row.id] = await maybe_turn_hot(
                    session, row, self._config, self._sales_channel, job.now
                )
        results = []
        for job, row, created in planned:
            result = CaptureResult(to_lead(row), created=created, became_hot=hot.pop(row.id, False))
            if job.follow_ups is not None:
                await enqueue(session, job.follow_ups(result), job.now)
            results.append(result)
        return results

    async def _write_each(self, jobs: list[_Job]) -> None:
        for job in jobs:
            try:
                async with self._db.write() as session:
                    await _apply_current_events(session, [job])
                    result = await capture_lead(
                        session,
                        job.capture,
                        config=self._config,
                        sales_channel=self._sales_channel,
                        now=job.now,
                    )
                    if job.follow_ups is not None:
                        await enqueue(session, job.follow_ups(result), job.now)
            except Exception as error:
                job.done.set_exception(error)
            else:
                job.done.set_result(result)


async def _apply_current_events(session: AsyncSession, jobs: list[_Job]) -> None:
    """One query for the current events of everyone in the batch who captured at one."""
    waiting = [job for job in jobs if job.capture.at_current_event]
    events = await current_events(session, {job.capture.captured_by for job in waiting})
    for job in waiting:
        event = events.get(job.capture.captured_by, "")
        draft = job.capture.draft.with_capture_defaults(event)
        job.capture = replace(job.capture, draft=draft, at_current_event=False)
