"""List import speed and memory: `leadbot import` of a 100,000-row CSV against a raw
executemany of the same rows, in the same run.

Writes a realistic attendee list (English headers; ~1% hot, ~2% repeated people, ~0.5%
broken rows) to a temp dir, imports it through the real use case (bot.list_import, the code
behind `leadbot import`: encoding sniffed in chunks, rows streamed, capture in transactions
of 500 rows, scoring, dedupe, outbox rows for hot leads) into a fresh migrated database,
then inserts the same rows with one raw `executemany` per 500 rows into another fresh one.
Prints both times, the ratio (target <= 3) and peak RSS (target <= 200 MB), and checks the
counts. Timings are printed, never asserted.

    python bench/nurture_import.py [--rows 100000] [--database sqlite|postgresql]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.list_import import import_file
from leadloop.context import Loop
from leadloop.list_import import ImportOptions
from leads.config import LeadbotConfig
from leads.identity import phone_key
from storage.db import create_database
from storage.migrate import migrate
from storage.tables import LEADS

HEADERS = ["Name", "Company", "Email", "Phone", "Job Title", "Interest", "Notes"]
TITLES = ["Engineer", "Manager", "Director", "CTO", "Analyst", "", "Sales"]
BATCH = 500


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


async def run_import(url: str, path: Path) -> tuple[float, str, int]:
    """`leadbot import`'s code on a fresh database: seconds, the summary line, leads."""
    await fresh(url)
    db = create_database(url)
    await migrate(db)
    loop = Loop(db=db, config=LeadbotConfig(), sales_channel="C0SALES", clock=lambda: NOW)
    started = time.perf_counter()
    summary, _rejected = await import_file(path, loop, ImportOptions(event="Bench Expo"))
    seconds = time.perf_counter() - started
    async with db.read() as session:
        leads = int(await session.scalar(text("SELECT count(*) FROM leads")) or 0)
    await db.dispose()
    return seconds, summary.line(), leads


async def run_raw(url: str, path: Path) -> tuple[float, int]:
    """The same rows as one raw executemany INSERT per 500 rows: seconds, rows inserted."""
    await fresh(url)
    db = create_database(url)
    await migrate(db)
    started = time.perf_counter()
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
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            inserted += 1
            if len(batch) == BATCH:
                async with db.write() as session:
                    await session.execute(insert(LEADS), batch)
                batch = []
        if batch:
            async with db.write() as session:
                await session.execute(insert(LEADS), batch)
    seconds = time.perf_counter() - started
    await db.dispose()
    return seconds, inserted


NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> int:
    """Run both, print the figures; 1 when the counts are wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
        ),
    )
    args = parser.parse_args()
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
        seconds, line, leads = await run_import(urls[0], path)
        rss = peak_rss_mb()
        print(f"leadbot import: {seconds:7.2f} s  {args.rows / seconds:9,.0f} rows/s  {line}")
        raw_seconds, inserted = await run_raw(urls[1], path)
        print(f"raw executemany:{raw_seconds:7.2f} s  {inserted / raw_seconds:9,.0f} rows/s")
        ratio = seconds / raw_seconds
        print(f"ratio import/raw: {ratio:.2f} (target <= 3)  {'OK' if ratio <= 3 else 'MISSED'}")
        verdict = "OK" if rss <= 200 else "MISSED"
        print(f"peak RSS after the import: {rss:.0f} MB (target <= 200)  {verdict}")
        if leads != people:
            print(f"WRONG: {leads} leads stored, {people} expected", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
