"""Quick-capture acknowledgement speed: leadbot against a bare Bolt app, same process.

Starts leadbot's real HTTP app (SQLite in a temp dir, the fake Slack as its Web API) and a
bare Bolt AsyncApp with the same signing secret whose `/lead` listener only acks, both
served by aiohttp on 127.0.0.1. After a warm-up, fires the same signed `/lead <person>`
quick captures at each (default 2,000, 50 in flight, one distinct person each, ~5% "hot"
so the outbox and deliverer run too) and measures per-request acknowledgement latency
(send -> HTTP 200 received) and throughput (for leadbot: leads stored per second).

Then checks that every capture leadbot acknowledged as saved is in the database.

With PostgreSQL (`--database postgresql` or `both`; `both` is the default when
`--postgres-url` or BENCH_POSTGRES_URL gives a database), the same run is repeated against
leadbot on that database, after wiping its public schema (give it a database of its own),
with a bare Bolt baseline measured again just before it; the SQLite block comes first.

leadbot runs as `leadbot serve` does by default: captures are written in its capture process
(bot/capture_process.py), whose peak RSS is printed beside this process's;
`--capture-process off` writes them in the web process.

Targets: throughput ratio leadbot/bare >= 0.5, leadbot p99 < 150 ms, every acknowledged
lead present. Timings are printed, never asserted; the exit status is 1 only when an
acknowledged lead is missing or a capture failed.

    python bench/capture.py [--requests 2000] [--concurrency 50] [--warmup 50]
        [--database sqlite|postgresql|both] [--capture-process on|off]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
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
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from stats import ms, peak_rss_mb, percentile, process_peak_rss_mb, table

from leads.config import LeadbotConfig
from workspace.fake_slack import FakeSlack

HOT_EVERY = 20  # one capture in 20 is hot (5%)
TARGET_RATIO = 0.5
TARGET_P99 = 0.150
SAVED_NAME = re.compile(SAVED + r": (?P<name>[^\"*\\]+)")
POSTGRES_ENV = "BENCH_POSTGRES_URL"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


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


@dataclass(frozen=True)
class Load:
    """How one block of the benchmark loads the apps, and on which database."""

    requests: int
    concurrency: int
    warmup: int
    database: str = SQLITE
    note: bool = True
    capture_process: bool = True  # as `leadbot serve` runs by default


async def run(load: Load, postgres_url: str) -> int:
    """Run one block of the benchmark on `load.database`; returns the exit status."""
    if load.database == SQLITE:
        return await run_on_sqlite(load)
    return await run_on(load, await wiped(postgres_url))


async def run_on_sqlite(load: Load) -> int:
    """One block against leadbot on a fresh SQLite file in a temp dir."""
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-") as tmp:
        return await run_on(load, f"sqlite+aiosqlite:///{Path(tmp) / 'leadbot.db'}")


async def run_on(load: Load, database_url: str) -> int:
    """Start leadbot on `database_url` and a bare Bolt app, measure both, stop them."""
    async with FakeSlack() as slack:
        leadbot = await start_leadbot(
            slack, database_url, LeadbotConfig(), capture_process=load.capture_process
        )
        bare = await start_bare_bolt(slack)
        try:
            return await measure(leadbot, bare, slack, load)
        finally:
            await bare.stop()
            await leadbot.stop()


def asyncpg_url(url: str) -> str:
    """A PostgreSQL URL with the asyncpg driver leadbot uses (`postgresql://` is accepted)."""
    parsed = make_url(url)
    if parsed.drivername == POSTGRESQL:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


async def wiped(url: str) -> str:
    """Drop and recreate the public schema of this database (as tests/conftest.py does)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    return url


async def measure(leadbot: RunningApp, bare: RunningApp, slack: FakeSlack, load: Load) -> int:
    """Warm up, load the bare app then leadbot, verify storage, print the figures."""
    assert leadbot.services is not None
    await warm_up([leadbot, bare], slack, load.warmup, load.concurrency)
    batch = people("p", load.requests)
    async with client_session(load.concurrency) as http:
        bare_run = await fire(http, bare.url, bodies(batch), load.concurrency)
        lead_run = await fire(http, leadbot.url, bodies(batch), load.concurrency)
    acked = acked_emails(batch, lead_run)
    stored = await stored_emails(leadbot.services, (person.email for person in batch))
    name = "leadbot" if load.database == SQLITE else f"leadbot {load.database}"
    bare_fig = figures("bare bolt", bare_run, len(bare_run.ok()))
    lead_fig = figures(name, lead_run, len(stored & acked))
    check = Check(load.requests, acked, stored, failures(lead_run))
    writer = leadbot.services.capture_process
    capture_rss = process_peak_rss_mb(writer.pid) if writer is not None else None
    report(bare_fig, lead_fig, load, check, capture_rss)
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


def report(
    bare: Figures, lead: Figures, load: Load, check: Check, capture_rss: float | None
) -> None:
    """Print the table, any failures, and the summary line (SQLite's without a label)."""
    on = "" if load.database == SQLITE else f" on {load.database}"
    print(
        f"capture: {check.requests} signed /lead quick captures per app,"
        f" {load.concurrency} in flight{on}"
    )
    if load.note:
        print(SAME_PROCESS_NOTE)
    headers = ["app", "sent", "200", "wall s", "per s", "p50 ms", "p99 ms", "max ms"]
    print(table(headers, [bare.row(), lead.row()]))
    print(f"{lead.name} per s = acknowledged leads stored per second; bare per s = acks per second")
    for line in check.lines():
        print(line)
    print(f"peak RSS of the whole process: {peak_rss_mb():.0f} MB", end="")
    if capture_rss is None:
        print(" (captures written in it: LEADBOT_CAPTURE_PROCESS off)")
    else:
        print(f"; of leadbot's capture process: {capture_rss:.0f} MB")
    ratio = lead.per_second / bare.per_second if bare.per_second else 0.0
    label = "capture" if load.database == SQLITE else f"capture {load.database}"
    print(
        f"{label}: ratio {ratio:.2f} (target >= {TARGET_RATIO}),"
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
    parser.add_argument(
        "--database",
        choices=(SQLITE, POSTGRESQL, "both"),
        help="where leadbot stores leads (default: both when a PostgreSQL URL is given, else"
        " sqlite)",
    )
    parser.add_argument(
        "--capture-process",
        choices=("on", "off"),
        default="on",
        help="LEADBOT_CAPTURE_PROCESS for leadbot (default on, as `leadbot serve`)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_ENV, ""),
        help=f"a PostgreSQL database to WIPE and use (default: ${POSTGRES_ENV})",
    )
    return parser.parse_args(argv)


def databases(choice: str | None, postgres_url: str) -> list[str]:
    """The databases to run on, in order; exits when PostgreSQL is asked for without a URL."""
    if choice is None:
        choice = "both" if postgres_url else SQLITE
    if choice != SQLITE and not postgres_url:
        raise SystemExit(f"--database {choice} needs --postgres-url or {POSTGRES_ENV}")
    return {"both": [SQLITE, POSTGRESQL], SQLITE: [SQLITE], POSTGRESQL: [POSTGRESQL]}[choice]


def main(argv: list[str]) -> int:
    """Entry point."""
    args = parse_args(argv)
    chosen = databases(args.database, args.postgres_url)
    postgres_url = asyncpg_url(args.postgres_url) if args.postgres_url else ""
    logging.getLogger("leadbot.bolt").setLevel(logging.ERROR)  # "didn't call ack()" is counted
    status = 0
    for n, database in enumerate(chosen):
        load = Load(
            args.requests,
            args.concurrency,
            args.warmup,
            database,
            note=n == 0,
            capture_process=args.capture_process == "on",
        )
        # An event loop per block: a stopped leadbot's outbox deliverer can leave a wake-up
        # timer behind (it re-arms after close()), which must not fire into the next block.
        status |= asyncio.run(run(load, postgres_url))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
