"""Nurture benchmarks, by section; `python bench/nurture.py [SECTION ...]` runs them (all by
default), each in a process of its own when there are several, so that each peak RSS is its
own.

sweep: a migrated SQLite database in a temp dir holds N leads (default 100,000), each
  enrolled in one plan with its first step due at the same moment, for D doers (default
  1,000, all inside working hours). The nurture sweep (leadloop.nurture.NurtureSweep) claims
  them under leases and owes one DM intent per doer per 12 steps; the outbox deliverer
  renders each at send time and posts it to the fake Slack Web API (workspace/fake_slack.py,
  same process, pacing per channel set to 1 ms; the fake keeps no call or message, the bench
  only counts the Done buttons it sees). Prints the sweep's time, the delivery's
  time, reminders handed to Slack per second end to end, DMs posted, and peak RSS (this
  process, after seeding) and, with --tracemalloc, the Python heap peak; then checks that every
  step was reminded exactly once. Target: peak RSS <= 200 MB, every reminder exactly once.
  Timings are printed, never asserted; exit status 1 only when a reminder is missing or
  repeated.

import: `leadbot import` of an R-row CSV (default 100,000) against a raw executemany of the
  same rows, in the same run. Writes a realistic attendee list (English headers; ~1% hot,
  ~2% repeated people, ~0.5% broken rows) to a temp dir, imports it through the real use case
  (bot.list_import, the code behind `leadbot import`: encoding sniffed in chunks, rows
  streamed, capture in transactions, scoring, dedupe, outbox rows for hot leads) into a
  fresh migrated database, then inserts the same rows with one raw `executemany` per 500
  rows into another fresh one. The import's rows are read and validated by its list reader
  process (bot.list_reader) while this process writes, as `leadbot import` does; its CPU
  time counts both processes. Prints both times, the ratio of wall-clock times (target
  <= 3) and peak RSS (target <= 200 MB for both processes together: this process's peak so
  far plus the reader's, sampled from /proc), and checks the counts; exit status 1 only when
  the counts are wrong.

A section is a function taking the parsed arguments, listed in SECTIONS.

    python bench/nurture.py [sweep] [import] [--leads 100000] [--doers 1000] [--rows 100000]
        [--database sqlite|postgresql]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from stats import peak_rss_mb, table

from blocks.nurture import NURTURE_DONE
from bot.list_import import import_file
from handlers.directory import Directory
from leadloop.context import Loop
from leadloop.delivery import LateRenderer
from leadloop.list_import import ImportOptions
from leadloop.nurture import NurtureSweep
from leads.config import DeliverySettings, LeadbotConfig
from leads.identity import phone_key
from leads.nurture import Action, NurtureSettings, Plan, PlanStep, Segment
from scheduler.delivery import Deliverer
from storage.db import Database, create_database
from storage.migrate import migrate
from storage.tables import LEADS, NURTURE_ENROLMENTS, NURTURE_STEPS, OutboxRow
from workspace.fake_slack import FakeSlack, SlackCall

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday: 10:00 in London
PLAN = Plan(
    "bench-plan",
    Segment(),
    (
        PlanStep(
            after="1d", action=Action.EMAIL, title="Thank-you email", content="https://x.test"
        ),
        PlanStep(after="3d", action=Action.CALL, title="Follow-up call"),
    ),
)
CHUNK = 10_000


def _lead_row(n: int, doers: int) -> dict[str, Any]:
    return {
        "email_key": f"lead{n}@example.com",
        "name": f"Lead {n}",
        "company": f"Company {n % 5000}",
        "email": f"lead{n}@example.com",
        "stage": "nurturing",
        "captured_by": f"U{n % doers:07d}",
        "score": n % 50,
        "created_at": START - timedelta(days=1),
        "updated_at": START - timedelta(days=1),
    }


async def seed(db: Database, leads: int, doers: int) -> None:
    """Leads, enrolments and one due step each, with executemany in chunks."""
    due = START - timedelta(minutes=1)
    for low in range(0, leads, CHUNK):
        ids = range(low + 1, min(low + CHUNK, leads) + 1)
        async with db.write() as session:
            await session.execute(insert(LEADS), [_lead_row(n, doers) for n in ids])
            await session.execute(
                insert(NURTURE_ENROLMENTS),
                [
                    {"lead_id": n, "plan": PLAN.name, "step_index": 0, "seq": 1, "enrolled_at": due}
                    for n in ids
                ],
            )
            await session.execute(
                insert(NURTURE_STEPS),
                [
                    {
                        "lead_id": n,
                        "plan": PLAN.name,
                        "seq": 1,
                        "step_index": 0,
                        "step_title": PLAN.steps[0].title,
                        "doer": f"U{n % doers:07d}",
                        "state": "due",
                        "due_at": due,
                        "created_at": due,
                    }
                    for n in ids
                ],
            )


class Tally:
    """Counts the Done buttons of the DMs the fake Slack gets, keeping no call (memory)."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.posted = 0

    def __call__(self, call: SlackCall) -> None:
        """The fake's observer: one call, looked at and forgotten."""
        if call.method != "chat.postMessage" or call.fault is not None:
            return
        self.posted += 1
        for block in call.args.get("blocks") or []:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("action_id") == NURTURE_DONE:
                    step = int(element["value"])
                    self.seen[step] = self.seen.get(step, 0) + 1


async def sweep_section(args: argparse.Namespace) -> bool:
    """The sweep of N due steps to D doers through the outbox into the fake Slack."""
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await migrate(db)
        began = time.perf_counter()
        await seed(db, args.leads, args.doers)
        print(
            f"seeded {args.leads:,} due steps for {args.doers:,} doers in"
            f" {time.perf_counter() - began:.1f} s"
        )
        ok = await _sweep_and_deliver(db, args)
        await db.dispose()
    return ok


async def _sweep_and_deliver(db: Database, args: argparse.Namespace) -> bool:
    config = LeadbotConfig(
        nurture=NurtureSettings(plans=(PLAN,)),
        delivery=DeliverySettings(per_channel_interval_seconds=0.001, lease_seconds=600),
    )
    origin = time.monotonic()

    def clock() -> datetime:
        return START + timedelta(seconds=time.monotonic() - origin)

    loop = Loop(db=db, config=config, sales_channel="C0SALES", clock=clock)
    tally = Tally()
    async with FakeSlack(keep=False, observer=tally) as slack:
        for n in range(args.doers):
            slack.add_user(f"U{n:07d}", tz="Europe/London")
        client = AsyncWebClient(token="xoxb-bench", base_url=slack.base_url)
        people = Directory(client, "en")
        deliverer = Deliverer(
            db, client, config.delivery, clock, render=LateRenderer(loop, people).render
        )
        if args.tracemalloc:
            tracemalloc.start()
        began, cpu = time.perf_counter(), time.process_time()
        result = await NurtureSweep(loop, people).run()
        swept = time.perf_counter() - began
        while True:
            sent = await deliverer.deliver_due()
            if not sent:
                if not await _pending(db):
                    break
                await asyncio.sleep(0.002)  # the next DM to each doer waits for its pace
        total, cpu = time.perf_counter() - began, time.process_time() - cpu
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else 0.0
        tracemalloc.stop()
        await deliverer.close()
    pending = await _pending(db)
    seen, posted = tally.seen, tally.posted
    missing = args.leads - len(seen)
    repeated = sum(1 for count in seen.values() if count > 1)
    print(
        table(
            ("figure", "value"),
            [
                ("steps claimed and handed to the outbox", f"{result.reminded:,}"),
                ("DMs owed / posted", f"{result.messages:,} / {posted:,}"),
                ("sweep time", f"{swept:.1f} s"),
                ("sweep + delivery time", f"{total:.1f} s"),
                ("reminders to Slack per second", f"{len(seen) / total:,.0f}"),
                ("CPU time, sweep + delivery (process)", f"{cpu:.1f} s"),
                ("peak RSS (process)", f"{peak_rss_mb():.0f} MB"),
                ("Python heap peak (tracemalloc)", f"{heap_peak:.0f} MB"),
                ("outbox rows not sent", f"{pending}"),
                ("reminders missing / repeated", f"{missing} / {repeated}"),
            ],
        )
    )
    return missing == 0 and repeated == 0


async def _pending(db: Database) -> int:
    async with db.read() as session:
        found = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
        )
    return int(found or 0)


# --- import ------------------------------------------------------------------------------

HEADERS = ["Name", "Company", "Email", "Phone", "Job Title", "Interest", "Notes"]
TITLES = ["Engineer", "Manager", "Director", "CTO", "Analyst", "", "Sales"]
RAW_BATCH = 500


def write_list(path: Path, rows: int, seed: int = 7) -> int:
    """A CSV of `rows` attendees; returns how many distinct people it should create."""
    chance = random.Random(seed)
    people = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for n in range(rows):
            roll = chance.random()
            if roll < 0.005:
                writer.writerow(["", "", f"broken-{n}@", "", "", "", ""])
                continue
            person = chance.randrange(max(people, 1)) if roll < 0.025 and people else people
            if person == people:
                people += 1
            interest = "hot" if chance.random() < 0.01 else chance.choice(["warm", "cold", ""])
            writer.writerow(
                [
                    f"Person {person}",
                    f"Company {person % 5000}",
                    f"person{person}@company{person % 5000}.example",
                    f"+81 3 {1000 + person // 10000:04d} {person % 10000:04d}",
                    TITLES[person % len(TITLES)],
                    interest,
                    "met at the booth" if person % 3 == 0 else "",
                ]
            )
    return people


async def fresh(url: str) -> None:
    """Wipe PostgreSQL's public schema (SQLite files are new anyway)."""
    if url.startswith("postgresql"):
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()


@contextlib.asynccontextmanager
async def children_peak_rss(every: float = 0.1) -> AsyncIterator[list[float]]:
    """The largest peak RSS (VmHWM, in MB) of this process's children while the block runs,
    sampled from /proc: a list holding one number, filled in on the way out.

    Not RUSAGE_CHILDREN: on Linux it counts a child's RSS before its exec too, which is this
    process's (copied on write, mostly never touched).
    """
    peak = [0.0]

    async def sample() -> None:
        while True:
            peak[0] = max(peak[0], *_children_vmhwm_mb())
            await asyncio.sleep(every)

    sampler = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler


def _children_vmhwm_mb() -> list[float]:
    found = [0.0]
    for proc in Path("/proc").iterdir():
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(os.getpid()) and "VmHWM" in fields:
            found.append(int(fields["VmHWM"].split()[0]) / 1024)
    return found


def children_cpu() -> float:
    """CPU seconds of this process's ended children (the import's list reader)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


async def run_import(url: str, path: Path) -> tuple[float, float, str, int]:
    """`leadbot import`'s code on a fresh database: seconds, CPU seconds (with its list
    reader's), the summary line, leads stored."""
    await fresh(url)
    db = create_database(url)
    await migrate(db)
    loop = Loop(db=db, config=LeadbotConfig(), sales_channel="C0SALES", clock=lambda: START)
    started, cpu = time.perf_counter(), time.process_time() + children_cpu()
    summary, _rejected = await import_file(path, loop, ImportOptions(event="Bench Expo"))
    seconds, cpu = time.perf_counter() - started, time.process_time() + children_cpu() - cpu
    async with db.read() as session:
        leads = int(await session.scalar(text("SELECT count(*) FROM leads")) or 0)
    await db.dispose()
    return seconds, cpu, summary.line(), leads


async def run_raw(url: str, path: Path) -> tuple[float, float, int]:
    """The same rows as one raw executemany INSERT per 500 rows: seconds, CPU seconds, rows."""
    await fresh(url)
    db = create_database(url)
    await migrate(db)
    started, cpu = time.perf_counter(), time.process_time()
    inserted = 0
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        batch: list[dict[str, object]] = []
        for name, company, email, phone, title, interest, notes in reader:
            batch.append(
                {
                    "name": name,
                    "company": company,
                    "email": email,
                    "email_key": f"{inserted}:{email}",  # unique: no dedupe in the baseline
                    "phone": phone,
                    "phone_key": phone_key(phone),
                    "title": title,
                    "interest": interest,
                    "notes": notes,
                    "created_at": START,
                    "updated_at": START,
                }
            )
            inserted += 1
            if len(batch) == RAW_BATCH:
                async with db.write() as session:
                    await session.execute(insert(LEADS), batch)
                batch = []
        if batch:
            async with db.write() as session:
                await session.execute(insert(LEADS), batch)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    await db.dispose()
    return seconds, cpu, inserted


async def import_section(args: argparse.Namespace) -> bool:
    """`leadbot import` of R rows against a raw executemany of the same rows."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "attendees.csv"
        people = write_list(path, args.rows)
        size = path.stat().st_size / 1e6
        if args.database == "sqlite":
            urls = (
                f"sqlite+aiosqlite:///{folder / 'import.db'}",
                f"sqlite+aiosqlite:///{folder / 'raw.db'}",
            )
        else:
            urls = (args.postgres_url, args.postgres_url)
        print(f"{args.rows:,} rows ({size:.1f} MB), {people:,} distinct people, {args.database}")
        async with children_peak_rss() as reader_rss:
            seconds, cpu, line, leads = await run_import(urls[0], path)
        rss = peak_rss_mb()
        print(
            f"leadbot import:  {seconds:7.2f} s ({cpu:5.2f} s CPU)"
            f" {args.rows / seconds:9,.0f} rows/s  {line}"
        )
        raw_seconds, raw_cpu, inserted = await run_raw(urls[1], path)
        print(
            f"raw executemany: {raw_seconds:7.2f} s ({raw_cpu:5.2f} s CPU)"
            f" {inserted / raw_seconds:9,.0f} rows/s"
        )
        ratio = seconds / raw_seconds
        print(
            f"ratio import/raw: {ratio:.2f}, in CPU time {cpu / raw_cpu:.2f} (target <= 3)"
            f"  {'OK' if ratio <= 3 else 'MISSED'}"
        )
        verdict = "OK" if rss + reader_rss[0] <= 200 else "MISSED"
        print(
            f"peak RSS after the import: {rss:.0f} MB, its list reader process"
            f" {reader_rss[0]:.0f} MB, both {rss + reader_rss[0]:.0f} MB (target <= 200)  {verdict}"
        )
    if leads != people:
        print(f"WRONG: {leads} leads stored, {people} expected", file=sys.stderr)
        return False
    return True


SECTIONS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, bool]]] = {
    "sweep": sweep_section,
    "import": import_section,
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections (all by default); 1 when a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help=f"any of {', '.join(SECTIONS)}")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--doers", type=int, default=1_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the heap (slow)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported list")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
        ),
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    chosen = args.sections or list(SECTIONS)
    if len(chosen) > 1:  # each in a child, so one section's peak RSS is not the next one's
        options = [arg for arg in (sys.argv[1:] if argv is None else argv) if arg not in SECTIONS]
        codes = [run_section_child(name, options) for name in chosen]
        return 1 if any(codes) else 0
    print(f"== {chosen[0]}", flush=True)
    return 0 if asyncio.run(SECTIONS[chosen[0]](args)) else 1


def run_section_child(name: str, options: list[str]) -> int:
    """Run one section in a fresh process; its exit status."""
    return subprocess.run([sys.executable, __file__, name, *options], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
