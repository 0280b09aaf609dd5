"""APScheduler wiring: a few fixed-id interval jobs that only trigger sweeps."""

from __future__ import annotations

import contextlib
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.jobs import JOBS, JobContext, run_job


def start_scheduler(context: JobContext) -> AsyncIOScheduler:
    """Start every sweep on its interval in the running event loop."""
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for job in JOBS.values():
        scheduler.add_job(
            _quietly,
            "interval",
            seconds=job.interval(context.config),
            id=job.name,
            args=[job.name, context],
            replace_existing=True,
        )
    scheduler.start()
    return scheduler


def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Stop triggering sweeps; a running one finishes on its own."""
    if scheduler.running:
        scheduler.shutdown(wait=False)


async def _quietly(name: str, context: JobContext) -> None:
    with contextlib.suppress(Exception):  # run_job logged it; the next interval retries
        await run_job(name, context)
