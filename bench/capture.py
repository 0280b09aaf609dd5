"""Quick-capture acknowledgement speed: leadbot against a bare Bolt app, same process.

Starts leadbot's real HTTP app (SQLite in a temp dir, the fake Slack as its Web API) and a
bare Bolt AsyncApp with the same signing secret whose `/lead` listener only acks, both
served by aiohttp on 127.0.0.1. After a warm-up, fires the same signed `/lead <person>`
quick captures at each (default 2,000, 50 in flight, one distinct person each, ~5% "hot"
so the outbox and deliverer run too) and measures per-request acknowledgement latency
(send -> HTTP 200 received) and throughput (for leadbot: leads stored per second).

Then checks that every capture leadbot acknowledged as saved is in the database.

Targets: throughput ratio leadbot/bare >= 0.5, leadbot p99 < 150 ms, every acknowledged
lead present. Timings are printed, never asserted; the exit status is 1 only when an
acknowledged lead is missing or a capture failed.

    python bench/capture.py [--requests 2000] [--concurrency 50] [--warmup 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from common import (
    SAME_PROCESS_NOTE,
    SAVED,
    Answer,
    LoadResult,
    RunningApp,
    client_session,
    command_body,
    fire,
    start_bare_bolt,
    start_leadbot,
    stored_emails,
)
from stats import ms, peak_rss_mb, percentile, table

from bot.sandbox.fake_slack import FakeSlack
from leads.config import LeadbotConfig

HOT_EVERY = 20  # one capture in 20 is hot (5%)
TARGET_RATIO = 0.5
TARGET_P99 = 0.150
SAVED_NAME = re.compile(SAVED + r": (?P<name>[^\"*\\]+)")


@dataclass(frozen=True)
class Person:
    """One distinct person to capture."""

    text: str
    email: str
    user: str


def people(prefix: str, count: int) -> list[Person]:
    """`count` distinct people; every HOT_EVERY-th one is hot, the rest warm."""
    found = []
    for n in range(count):
        interest = "hot" if n % HOT_EVERY == HOT_EVERY - 1 else "warm"
        email = f"{prefix}{n}@{prefix}acme{n}.example"
        text = (
            f"{prefix.capitalize()} Person {n}, Acme {prefix} {n}, {email},"
            f" 090-1234-{n % 10000:04d}, {interest}"
        )
        found.append(Person(text, email, f"U0STAFF{n % 25:02d}"))
    return found


def bodies(batch: list[Person]) -> list[str]:
    """The signed-request bodies of `/lead <person>` for each person."""
    return [command_body(person.text, user=person.user) for person in batch]


def saved(answer: Answer) -> bool:
    """Whether leadbot's reply says the lead was saved."""
    return SAVED in answer.text


@dataclass(frozen=True)
class Figures:
    """What one app did under load."""

    name: str
    sent: int
    ok: int
    elapsed: float
    per_second: float
    p50: float
    p99: float
    worst: float

    def row(self) -> list[str]:
        """A table row."""
        return [
            self.name,
            str(self.sent),
            str(self.ok),
            f"{self.elapsed:.2f}",
            f"{self.per_second:.0f}",
            ms(self.p50),
            ms(self.p99),
            ms(self.worst),
        ]


def figures(name: str, run: LoadResult, done: int) -> Figures:
    """Throughput counts `done` (acks for bare, stored leads for leadbot)."""
    latencies = [answer.latency for answer in run.ok()]
    return Figures(
        name=name,
        sent=len(run.answers),
        ok=len(latencies),
        elapsed=run.elapsed,
        per_second=done / run.elapsed if run.elapsed else 0.0,
        p50=percentile(latencies, 50),
        p99=percentile(latencies, 99),
        worst=max(latencies, default=float("nan")),
    )


async def warm_up(apps: list[RunningApp], slack: FakeSlack, count: int, concurrency: int) -> None:
    """Send `count` captures to each app and wait for leadbot's warm-up cards to go out."""
    batch = people("warm", count)
    async with client_session(concurrency) as http:
        for app in apps:
            await fire(http, app.url, bodies(batch), concurrency)
    hot = sum(1 for person in batch if person.text.endswith("hot"))
    if hot:
        await slack.wait_for("chat.postMessage", hot, timeout=hot * 1.5 + 5)


def failures(run: LoadResult) -> Counter[str]:
    """Why answers were not a saved capture, counted."""
    reasons: Counter[str] = Counter()
    for answer in run.answers:
        if answer.error:
            reasons[answer.error[:80]] += 1
        elif answer.status != 200:
            reasons[f"HTTP {answer.status}"] += 1
        elif not saved(answer):
            reasons[f"200 but: {answer.text[:80]}"] += 1
    return reasons


async def run(requests: int, concurrency: int, warmup: int) -> int:
    """Run the benchmark; returns the exit status."""
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-") as tmp:
        async with FakeSlack() as slack:
            leadbot = await start_leadbot(
                slack, f"sqlite+aiosqlite:///{Path(tmp) / 'leadbot.db'}", LeadbotConfig()
            )
            bare = await start_bare_bolt(slack)
            try:
                return await measure(
                    leadbot, bare, slack, requests=requests, concurrency=concurrency, warmup=warmup
                )
            finally:
                await bare.stop()
                await leadbot.stop()


async def measure(
    leadbot: RunningApp,
    bare: RunningApp,
    slack: FakeSlack,
    *,
    requests: int,
    concurrency: int,
    warmup: int,
) -> int:
    """Warm up, load the bare app then leadbot, verify storage, print the figures."""
    assert leadbot.services is not None
    await warm_up([leadbot, bare], slack, warmup, concurrency)
    batch = people("p", requests)
    async with client_session(concurrency) as http:
        bare_run = await fire(http, bare.url, bodies(batch), concurrency)
        lead_run = await fire(http, leadbot.url, bodies(batch), concurrency)
    acked = acked_emails(batch, lead_run)
    stored = await stored_emails(leadbot.services, (person.email for person in batch))
    bare_fig = figures("bare bolt", bare_run, len(bare_run.ok()))
    lead_fig = figures("leadbot", lead_run, len(stored & acked))
    check = Check(requests, acked, stored, failures(lead_run))
    report(bare_fig, lead_fig, concurrency, check)
    return 1 if check.missing or check.errors else 0


@dataclass(frozen=True)
class Check:
    """Acknowledged captures against stored leads."""

    requests: int
    acked: set[str]
    stored: set[str]
    failed: Counter[str]

    @property
    def missing(self) -> set[str]:
        """Acknowledged as saved but not in the database: lost leads."""
        return self.acked - self.stored

    @property
    def stored_unacked(self) -> set[str]:
        """Stored although the person was not told so (e.g. the answer came too late)."""
        return self.stored - self.acked

    @property
    def errors(self) -> int:
        """HTTP 200 answers that are not a saved capture (an error message instead)."""
        return sum(count for reason, count in self.failed.items() if reason.startswith("200"))

    def lines(self) -> list[str]:
        """What went wrong, for the report."""
        found = [f"leadbot failure x{count}: {why}" for why, count in self.failed.most_common(5)]
        if self.stored_unacked:
            found.append(
                f"WARNING: {len(self.stored_unacked)} leads were stored but not acknowledged"
                " (Bolt answers 404 when ack() is not called within 3 s; Slack would report"
                " a failure although the lead was saved)"
            )
        found.extend(f"MISSING: acknowledged but not stored: {e}" for e in sorted(self.missing)[:5])
        return found


def acked_emails(batch: list[Person], run: LoadResult) -> set[str]:
    """Emails of the people whose capture leadbot acknowledged as saved (by the name echoed)."""
    by_name = {person.text.split(",", 1)[0]: person.email.lower() for person in batch}
    acked = set()
    for answer in run.ok(saved):
        named = SAVED_NAME.search(answer.text)
        if named is not None and named["name"] in by_name:
            acked.add(by_name[named["name"]])
    return acked


def report(bare: Figures, lead: Figures, concurrency: int, check: Check) -> None:
    """Print the table, any failures, and the summary line."""
    print(f"capture: {check.requests} signed /lead quick captures per app, {concurrency} in flight")
    print(SAME_PROCESS_NOTE)
    headers = ["app", "sent", "200", "wall s", "per s", "p50 ms", "p99 ms", "max ms"]
    print(table(headers, [bare.row(), lead.row()]))
    print("leadbot per s = acknowledged leads stored per second; bare per s = acks per second")
    for line in check.lines():
        print(line)
    print(f"peak RSS of the whole process: {peak_rss_mb():.0f} MB")
    ratio = lead.per_second / bare.per_second if bare.per_second else 0.0
    print(
        f"capture: ratio {ratio:.2f} (target >= {TARGET_RATIO}),"
        f" p99 {ms(lead.p99)} ms (target < {TARGET_P99 * 1000:.0f} ms),"
        f" {len(check.acked & check.stored)}/{check.requests} leads acknowledged and stored,"
        f" {len(check.missing)} acknowledged but missing"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=2000, help="captures per app")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up captures per app")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point."""
    args = parse_args(argv)
    logging.getLogger("leadbot.bolt").setLevel(logging.ERROR)  # "didn't call ack()" is counted
    return asyncio.run(run(args.requests, args.concurrency, args.warmup))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
