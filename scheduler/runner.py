"""APScheduler wiring: a few fixed-id interval jobs that only trigger sweeps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.jobs import JOBS, JobContext, run_job

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 5.0  # long sweeps stop between chunks; the next run resumes
CANCEL_GRACE_SECONDS = 2.0  # a sweep still running after that is cancelled mid-chunk


class Sweeps:
    """Runs every sweep on its interval; stopping cancels the ones still running."""

    def __init__(self, context: JobContext) -> None:
        self._context = context
        self._running: set[asyncio.Task[None]] = set()
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )

    def start(self) -> None:
        """Start triggering the sweeps in the running event loop."""
        for job in JOBS.values():
            self._scheduler.add_job(
                self._run,
                "interval",
                seconds=job.interval(self._context.config),
                id=job.name,
                args=[job.name],
                replace_existing=True,
            )
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop triggering sweeps; running ones stop at their next chunk, and those still
        running after a few seconds are cancelled."""
        if self._scheduler.running:
            self._scheduler.pause()  # no new runs; shutting down would cancel running ones
        self._context.loop.db.wind_down()
        running = [task for task in self._running if not task.done()]
        pending: set[asyncio.Task[None]] = set()
        if running:
            _finished, pending = await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("%d sweep(s) still running at shutdown were cancelled", len(pending))
            await asyncio.wait(pending, timeout=CANCEL_GRACE_SECONDS)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _run(self, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            with contextlib.suppress(Exception):  # run_job logged it; the next interval retries
                await run_job(name, self._context)
        except asyncio.CancelledError:  # stop() asked; the chunk under way was rolled back
            log.info("sweep %s stopped for shutdown; its next run picks up where it was", name)
        finally:
            if task is not None:
                self._running.discard(task)
