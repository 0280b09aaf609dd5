"""The sweeps, by name: what `leadbot jobs run NAME` and the scheduler call."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from leadloop.context import Loop, People
from leadloop.digest import owe_digest
from leadloop.nurture import NurtureSweep
from leadloop.rescore import rescore
from leads.config import LeadbotConfig
from scheduler.delivery import Deliverer
from storage.outbox import purge_sent_before
from storage.prefs import EVENT_MEMORY, forget_events_before

log = logging.getLogger(__name__)
SENT_MESSAGE_MEMORY = timedelta(days=30)


@dataclass(frozen=True)
class JobContext:
    """What a sweep needs; built by the composition root."""

    loop: Loop
    deliverer: Deliverer
    by_hand: bool = False  # `leadbot jobs run NAME`: do it now, whatever the schedule says
    people: People | None = None  # doers' time zones for nurture; None: the rules file's

    @property
    def config(self) -> LeadbotConfig:
        """The rules the sweeps run with."""
        return self.loop.config


@dataclass(frozen=True)
class JobReport:
    """What one run of a sweep did, in words, and whether it changed anything worth telling."""

    summary: str
    changed: bool


@dataclass(frozen=True)
class Job:
    """A named sweep with its description and how often it runs."""

    name: str
    description: str
    run: Callable[[JobContext], Awaitable[JobReport]]
    interval: Callable[[LeadbotConfig], float]


async def deliver(context: JobContext) -> JobReport:
    """Send what the outbox owes Slack and webhook receivers."""
    sent = await context.deliverer.deliver_due()
    # Webhook POSTs run in the background; a sweep (`leadbot jobs run deliver` above all,
    # which closes everything next) waits for the ones it started.
    await context.deliverer.drain()
    return JobReport(f"sent {sent} message(s)", changed=sent > 0)


async def rescore_leads(context: JobContext) -> JobReport:
    """Decay scores, apply changed rules, alert leads that turned hot."""
    result = await rescore(context.loop)
    if result.became_hot:
        context.deliverer.nudge()
    summary = (
        f"rescored {result.rescored} lead(s), recomputed {result.recomputed} under new rules,"
        f" {result.became_hot} turned hot"
    )
    # Decay touches every lead on every run; only new rules and new hot leads are news.
    return JobReport(summary, changed=bool(result.recomputed or result.became_hot))


async def cleanup(context: JobContext) -> JobReport:
    """Forget old event ids and long-delivered outbox rows."""
    now = context.loop.now()
    async with context.loop.db.write() as session:
        events = await forget_events_before(session, now - EVENT_MEMORY)
        messages = await purge_sent_before(session, now - SENT_MESSAGE_MEMORY)
    summary = f"forgot {events} event id(s) and {messages} delivered message(s)"
    return JobReport(summary, changed=bool(events or messages))


async def digest(context: JobContext) -> JobReport:
    """Post last week's funnel to the marketing channel, once per week."""
    owed = await owe_digest(context.loop, now=context.loop.now(), now_or_never=context.by_hand)
    if owed is None:
        reason = "no LEADBOT_MARKETING_CHANNEL" if not context.loop.marketing_channel else "not yet"
        return JobReport(f"no digest to post ({reason})", changed=False)
    if not owed.owed:
        return JobReport(f"the digest of {owed.week} was already posted; nothing new", False)
    sent = await context.deliverer.deliver_due()
    where = f"posted to {owed.channel}" if sent else f"owed to {owed.channel}, to be posted"
    return JobReport(f"the digest of {owed.week} is {where}", changed=True)


async def nurture(context: JobContext) -> JobReport:
    """Remind doers of the nurture steps due now, inside their working hours."""
    result = await NurtureSweep(context.loop, context.people).run()
    if result.messages:
        context.deliverer.nudge()
        if context.by_hand:
            await context.deliverer.deliver_due()
    summary = (
        f"{result.reminded} nurture step(s) in {result.messages} message(s),"
        f" {result.postponed} waiting for working hours, {result.dropped} dropped"
    )
    return JobReport(summary, changed=bool(result.reminded or result.dropped))


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "deliver",
            "send what the outbox owes Slack and webhook receivers",
            deliver,
            lambda config: config.sweeps.deliver_seconds,
        ),
        Job(
            "rescore",
            "decay scores, apply changed rules, alert new hot leads",
            rescore_leads,
            lambda config: config.sweeps.rescore_seconds,
        ),
        Job(
            "cleanup",
            "forget old event ids and delivered messages",
            cleanup,
            lambda config: config.sweeps.cleanup_seconds,
        ),
        Job(
            "digest",
            "post last week's funnel to the marketing channel, once a week",
            digest,
            lambda config: config.sweeps.digest_seconds,
        ),
        Job(
            "nurture",
            "remind doers of due nurture steps, inside their working hours",
            nurture,
            lambda config: config.sweeps.nurture_seconds,
        ),
    )
}


async def run_job(name: str, context: JobContext) -> str:
    """Run one sweep now and describe what it did; a sweep that changed nothing logs at
    DEBUG only. Errors are logged and re-raised."""
    try:
        report = await JOBS[name].run(context)
    except Exception:
        log.exception("job %s failed", name)
        raise
    log.log(logging.INFO if report.changed else logging.DEBUG, "job %s: %s", name, report.summary)
    return report.summary
