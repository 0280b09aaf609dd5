"""Rescore sweep speed and memory: leadbot's sweep against one raw SQL UPDATE.

Builds a migrated SQLite database in a temp dir holding N leads (default 1,000,000; fit
0-60, engagement 0-150 touched within the last 60 days, current rules_version so nothing
needs recomputing). Most are "new" and below the hot threshold; the ones at or above it
have already been alerted (hot, claimed, won...), except a handful (default 50) stored as
"new" with a score at the threshold, as after an import, so the promotion path runs too.
The file is copied, then, a few days later (so most scores decay and change):

  (a) the sweep, leadloop.rescore.rescore(loop), runs
      on one copy, in a child process of its own so its peak RSS is its own;
  (b) one raw `UPDATE leads SET score = <same formula> WHERE score <> <same formula>`
      runs on the other copy through the plain sqlite3 module, also in a child process.

Prints both times, the ratio sweep/raw, rows changed by each, and each child's peak RSS,
then checks that both copies end with identical scores and the handful were promoted.

Then, on a third copy, (c) no ack misses during a sweep: a child process serves leadbot's
real HTTP app on it (bench/common.start_leadbot, the fake Slack as its Web API, the same
clock as the sweep), runs the same sweep through the app's own Loop and database (so the
sweep's id-range chunks and the captures queue for SQLite's write lock first come, first
served), and meanwhile fires signed quick captures of new people at the app, 20 in flight,
from the sweep's start until it ends. Prints how many captures, their ack p50/p99/max, how
many took longer than Slack's 3 s, and the sweep's duration under load against (a); then
checks that every capture acknowledged as saved is stored, and that this copy's scores
match the raw copy's and its handful were promoted.

Targets: ratio <= 2, sweep peak RSS < 200 MB, no capture ack slower than 3 s during the
sweep. Timings are printed, never asserted; the exit status is 1 only when the results
disagree or an acknowledged capture is missing.

    python bench/rescore.py [--leads 1000000] [--hot 50] [--days-later 3] [--in-flight 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stats import ms, peak_rss_mb, percentile, table

from leads.config import LeadbotConfig
from leads.identity import phone_key
from storage.db import create_database
from storage.leads import rules_version
from storage.migrate import migrate
from storage.tables import LeadRow

if TYPE_CHECKING:
    from common import Answer

SALES = "C0SALES"
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # when every stored score was last computed
TARGET_RATIO = 2.0
TARGET_RSS_MB = 200.0
SLACK_ACK_SECONDS = 3.0
WARMUP_CAPTURES = 20
INSERT_BATCH = 50_000
ALERTED_STAGES = ("hot", "claimed", "meeting", "won", "lost")
TITLES = ("", "", "Engineer", "Manager", "Director", "CTO", "Student")
SIZES = ("", "1-49", "50-249", "250-999", "1000+")
SOURCES = ("event", "seminar", "web", "referral", "inbound", "manual")
INTERESTS = ("warm", "cold", "hot", "")
COLUMNS = (
    "email_key",
    "name",
    "company",
    "email",
    "phone",
    "title",
    "company_size",
    "industry",
    "source",
    "event",
    "interest",
    "product",
    "budget",
    "timeline",
    "consent",
    "notes",
    "region",
    "stage",
    "owner",
    "fit",
    "engagement",
    "engagement_at",
    "score",
    "reasons",
    "rules_version",
    "touch_count",
    "route_channel",
    "route_rule",
    "card_channel",
    "card_ts",
    "captured_by",
    "created_at",
    "updated_at",
    "hot_at",
    "claimed_at",
    "phone_key",
)
RAW_SCORE = "CAST(round(fit + engagement * power(2.0, (engagement_at - :now) / :h)) AS INTEGER)"
RAW_UPDATE = f"UPDATE leads SET score = {RAW_SCORE} WHERE score <> {RAW_SCORE}"


# --- building the data --------------------------------------------------------------------


def sql_datetime(value: datetime) -> str:
    """A datetime as the app's UtcDateTime column stores it on SQLite."""
    from sqlalchemy.dialects import sqlite

    processor = LeadRow.__table__.c.created_at.type.bind_processor(sqlite.dialect())
    return str(processor(value) if processor else value)


def decayed_score(fit: float, engagement: float, engagement_at: float, now: float) -> int:
    """The sweep's formula in Python (SQLite rounds half away from zero)."""
    half_life = LeadbotConfig().scoring.half_life_seconds
    value: float = fit + engagement * 2.0 ** ((engagement_at - now) / half_life)
    return math.floor(value + 0.5)


@dataclass
class LeadFactory:
    """Realistic random leads; remembers how many it planted to turn hot."""

    now: datetime
    hot: int
    seed: int = 7
    planted: int = 0
    alerted: int = 0

    def rows(self, count: int) -> Iterator[tuple[Any, ...]]:
        """`count` rows in COLUMNS order."""
        rng = random.Random(self.seed)
        version = rules_version(LeadbotConfig())
        threshold = LeadbotConfig().scoring.hot_threshold
        stamp = sql_datetime(T0 - timedelta(days=60))
        for n in range(count):
            yield self._row(n, rng, version, threshold, stamp)

    def _row(
        self, n: int, rng: random.Random, version: str, threshold: int, stamp: str
    ) -> tuple[Any, ...]:
        fit = float(round(rng.triangular(0, 60, 0)))
        engagement = min(150.0, round(rng.expovariate(1 / 25), 2))
        engagement_at = T0.timestamp() - rng.uniform(0, 60 * 86_400)
        score = decayed_score(fit, engagement, engagement_at, T0.timestamp())
        later = decayed_score(fit, engagement, engagement_at, self.now.timestamp())
        stage, owner = self._stage(rng, later, threshold)
        email = f"lead{n}@company{n % 50_000}.example"
        reasons = json.dumps(
            [
                {"code": "title", "params": {"level": "manager"}, "points": fit, "kind": "fit"},
                {
                    "code": "interest",
                    "params": {"interest": "warm"},
                    "points": engagement,
                    "kind": "engagement",
                },
            ]
        )
        hot_at = stamp if stage != "new" else None
        phone = f"090-{n // 10_000 % 10_000:04d}-{n % 10_000:04d}"
        return (
            *(email, f"Lead {n}", f"Company {n % 50_000}", email),
            *(phone, rng.choice(TITLES)),
            *(rng.choice(SIZES), "", rng.choice(SOURCES), f"Expo {n % 20}"),
            *(rng.choice(INTERESTS), "", "", "", n % 3 == 0, "", "JP", stage, owner),
            *(fit, engagement, engagement_at, score, reasons, version, 1),
            *(SALES if hot_at else "", "default" if hot_at else "", "", "", "U0STAFF"),
            *(stamp, stamp, hot_at, None, phone_key(phone)),
        )

    def _stage(self, rng: random.Random, later: int, threshold: int) -> tuple[str, str | None]:
        if later < threshold:
            return "new", None
        if self.planted < self.hot:
            self.planted += 1
            return "new", None
        self.alerted += 1
        stage = rng.choice(ALERTED_STAGES)
        return stage, None if stage == "hot" else "U0REP"


async def migrated(path: Path) -> None:
    """Create the schema with the app's own migrations."""
    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(db)
    finally:
        await db.dispose()


def insert_leads(path: Path, factory: LeadFactory, count: int) -> None:
    """Bulk-insert `count` leads with executemany in batches, then checkpoint the WAL."""
    statement = f"INSERT INTO leads ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    rows = factory.rows(count)
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        while True:
            batch = [row for _, row in zip(range(INSERT_BATCH), rows, strict=False)]
            if not batch:
                break
            connection.execute("BEGIN")
            connection.executemany(statement, batch)
            connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# --- the two measured phases (each in a child process) ------------------------------------


async def sweep_phase(path: Path, now: datetime) -> dict[str, Any]:
    """Run leadbot's rescore sweep once; time it and report this process's peak RSS."""
    from leadloop.context import Loop
    from leadloop.rescore import rescore

    db = create_database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.ping()
        before = peak_rss_mb()
        started = time.perf_counter()
        loop = Loop(db=db, config=LeadbotConfig(), sales_channel=SALES, clock=lambda: now)
        result = await rescore(loop)
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    return {
        "seconds": seconds,
        "changed": result.rescored,
        "became_hot": result.became_hot,
        "recomputed": result.recomputed,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def raw_phase(path: Path, now: datetime) -> dict[str, Any]:
    """Run the one raw UPDATE with the app's pragmas; time it and report peak RSS."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        before = peak_rss_mb()
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            RAW_UPDATE,
            {"now": now.timestamp(), "h": LeadbotConfig().scoring.half_life_seconds},
        )
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return {
        "seconds": seconds,
        "changed": cursor.rowcount,
        "became_hot": 0,
        "recomputed": 0,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


async def loaded_phase(path: Path, now: datetime, in_flight: int) -> dict[str, Any]:
    """Serve leadbot on this copy; run the sweep while quick captures keep arriving."""
    # Imported here, not at the top: the other children stay free of aiohttp and Bolt.
    from common import start_leadbot, stored_emails

    from leadloop.rescore import rescore
    from workspace.fake_slack import FakeSlack

    async with FakeSlack() as slack:
        app = await start_leadbot(
            slack, f"sqlite+aiosqlite:///{path}", LeadbotConfig(), clock=lambda: now
        )
        assert app.services is not None
        try:
            await warm_up(app.url, WARMUP_CAPTURES)
            stop = asyncio.Event()
            capturing = asyncio.create_task(capture_until(app.url, stop, in_flight))
            started = time.perf_counter()
            result = await rescore(app.services.loop)  # the app's Loop: its clock, its database
            seconds = time.perf_counter() - started
            stop.set()
            sent = await capturing
            acked = [email for email, answer in sent if saved(answer)]
            stored = await stored_emails(app.services, acked)
        finally:
            await app.stop()
    latencies = [answer.latency for _, answer in sent]
    return {
        "seconds": seconds,
        "changed": result.rescored,
        "became_hot": result.became_hot,
        "captures": len(sent),
        "saved": len(acked),
        "missing": len(set(acked) - stored),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=math.nan),
        "late": sum(1 for latency in latencies if latency > SLACK_ACK_SECONDS),
        "peak_rss_mb": peak_rss_mb(),
    }


def capture_body(n: int) -> tuple[str, str]:
    """The email and signed-request body of a quick capture of new person `n`."""
    from common import command_body

    email = f"swept{n}@sweptco{n}.example"
    return email, command_body(f"Swept Person {n}, Swept Co {n}, {email}, warm", user="U0SWEPT")


async def warm_up(url: str, count: int) -> None:
    """A few captures, one at a time, so first-request costs fall before the sweep."""
    from common import client_session, post_signed

    async with client_session(1) as http:
        for n in range(count):
            await post_signed(http, url, capture_body(-1 - n)[1])


async def capture_until(url: str, stop: asyncio.Event, in_flight: int) -> list[tuple[str, Answer]]:
    """Quick captures of new people, `in_flight` at a time, until `stop` is set."""
    from common import client_session, post_signed

    sent: list[tuple[str, Answer]] = []
    numbers = itertools.count()
    async with client_session(in_flight) as http:

        async def worker() -> None:
            while not stop.is_set():
                email, body = capture_body(next(numbers))
                sent.append((email, await post_signed(http, url, body)))

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return sent


def saved(answer: Answer) -> bool:
    """Whether leadbot's answer says the lead was saved."""
    from common import SAVED

    return answer.status == 200 and SAVED in answer.text


def build_phase(path: Path, now: datetime, leads: int, hot: int) -> dict[str, Any]:
    """Create, migrate and fill the database; report what was planted."""
    started = time.perf_counter()
    asyncio.run(migrated(path))
    factory = LeadFactory(now=now, hot=hot)
    insert_leads(path, factory, leads)
    return {
        "seconds": time.perf_counter() - started,
        "planted": factory.planted,
        "alerted": factory.alerted,
    }


def run_child(phase: str, path: Path, now: datetime, *extra: str) -> dict[str, Any]:
    """Run this script with `--phase` in a fresh process and read its JSON answer.

    Every heavy step runs in a child so that this parent stays small: Linux carries the
    parent's peak RSS over into a child's ru_maxrss (through fork and exec).
    """
    command = [sys.executable, __file__, "--phase", phase, "--db", str(path)]
    command += ["--now", str(now.timestamp()), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {phase} phase failed with status {done.returncode}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


# --- checking and reporting ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the two copies look like afterwards."""

    score_mismatches: int
    new_at_threshold: int
    hot_total: int


def compare(sweep_db: Path, raw_db: Path) -> Outcome:
    """Scores that differ between the copies, and what is left to promote in the sweep's."""
    threshold = LeadbotConfig().scoring.hot_threshold
    with sqlite3.connect(sweep_db) as connection:
        connection.execute("ATTACH DATABASE ? AS raw", (str(raw_db),))
        mismatches = connection.execute(
            "SELECT count(*) FROM leads JOIN raw.leads AS r USING (id) WHERE leads.score <> r.score"
        ).fetchone()[0]
        left = connection.execute(
            "SELECT count(*) FROM leads WHERE stage = 'new' AND score >= ?", (threshold,)
        ).fetchone()[0]
        hot = connection.execute("SELECT count(*) FROM leads WHERE stage = 'hot'").fetchone()[0]
    connection.close()
    return Outcome(int(mismatches), int(left), int(hot))


def report(
    leads: int, built: float, sweep: dict[str, Any], raw: dict[str, Any], planted: int
) -> None:
    """Print the table and the summary line."""
    print(f"rescore: {leads} leads on SQLite (built in {built:.1f} s), {planted} planted to go hot")
    rows = [
        [
            *(name, f"{run['seconds']:.2f}", run["changed"], run["became_hot"]),
            *(run["recomputed"], f"{run['rss_before_mb']:.0f}", f"{run['peak_rss_mb']:.0f}"),
        ]
        for name, run in (("sweep rescore()", sweep), ("raw UPDATE", raw))
    ]
    headers = ["run", "seconds", "changed", "hot", "recomputed", "RSS before MB", "peak RSS MB"]
    print(table(headers, rows))
    print("each run is a child process; RSS before = after imports and connecting")
    ratio = sweep["seconds"] / raw["seconds"] if raw["seconds"] else math.inf
    print(
        f"rescore: ratio {ratio:.2f} (target <= {TARGET_RATIO:g}),"
        f" sweep peak RSS {sweep['peak_rss_mb']:.0f} MB (target < {TARGET_RSS_MB:.0f} MB),"
        f" {sweep['changed']}/{raw['changed']} rows changed, {sweep['became_hot']} became hot"
    )


def check(sweep: dict[str, Any], raw: dict[str, Any], planted: int, outcome: Outcome) -> int:
    """1 (and why) when the sweep and the raw UPDATE disagree, else 0."""
    problems = []
    if sweep["changed"] != raw["changed"]:
        problems.append(f"rows changed differ: sweep {sweep['changed']}, raw {raw['changed']}")
    return verdict([*problems, *copy_problems(sweep["became_hot"], planted, outcome, "")])


def check_loaded(loaded: dict[str, Any], planted: int, outcome: Outcome) -> int:
    """1 (and why) when the sweep under load lost a capture or disagrees with the raw copy."""
    problems = []
    if loaded["missing"]:
        problems.append(f"{loaded['missing']} captures acknowledged as saved are not stored")
    return verdict(
        [*problems, *copy_problems(loaded["became_hot"], planted, outcome, "under load: ")]
    )


def copy_problems(became_hot: int, planted: int, outcome: Outcome, when: str) -> list[str]:
    """What differs between the swept copy and the raw one: scores, and who turned hot."""
    problems = []
    if outcome.score_mismatches:
        problems.append(f"{when}{outcome.score_mismatches} scores differ from the raw copy")
    if became_hot != planted or outcome.new_at_threshold:
        problems.append(
            f"{when}{became_hot} became hot (expected {planted}),"
            f" {outcome.new_at_threshold} new leads left at or above the threshold"
        )
    return problems


def verdict(problems: list[str]) -> int:
    """Print each problem; 1 when there is one, else 0."""
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


def report_loaded(loaded: dict[str, Any], alone: dict[str, Any], in_flight: int) -> None:
    """Print the captures' acks during the sweep and the sweep's time under load."""
    slower = loaded["seconds"] / alone["seconds"] if alone["seconds"] else math.inf
    print(
        f"during the sweep on a third copy (leadbot's HTTP app, {in_flight} quick captures in"
        f" flight; one child, peak RSS {loaded['peak_rss_mb']:.0f} MB):"
        f" {loaded['captures']} captures, {loaded['saved']} acknowledged as saved;"
        f" ack p50 {ms(loaded['p50'])} ms, p99 {ms(loaded['p99'])} ms, max {ms(loaded['max'])} ms"
    )
    print(
        f"rescore under load: {loaded['late']} of {loaded['captures']} capture acks took longer"
        f" than {SLACK_ACK_SECONDS:g} s (target: none); the sweep took {loaded['seconds']:.2f} s"
        f" under load vs {alone['seconds']:.2f} s alone (x{slower:.2f}),"
        f" {loaded['changed']} rows changed, {loaded['became_hot']} became hot"
    )


def run_all(leads: int, hot: int, days_later: float, in_flight: int) -> int:
    """Build and copy the database, run the phases in children, compare, report."""
    now = T0 + timedelta(days=days_later)
    with tempfile.TemporaryDirectory(prefix="leadbot-rescore-") as tmp:
        sweep_db, raw_db, load_db = (Path(tmp) / f"{name}.db" for name in ("sweep", "raw", "load"))
        built = run_child("build", sweep_db, now, "--leads", str(leads), "--hot", str(hot))
        shutil.copyfile(sweep_db, raw_db)
        shutil.copyfile(sweep_db, load_db)
        sweep = run_child("sweep", sweep_db, now)
        raw = run_child("raw", raw_db, now)
        outcome = compare(sweep_db, raw_db)
        loaded = run_child("loaded", load_db, now, "--in-flight", str(in_flight))
        loaded_outcome = compare(load_db, raw_db)
    print(
        f"leads already alerted before the run: {built['alerted']};"
        f" stage hot after the sweep: {outcome.hot_total}"
    )
    status = check(sweep, raw, built["planted"], outcome)
    status |= check_loaded(loaded, built["planted"], loaded_outcome)
    report(leads, built["seconds"], sweep, raw, built["planted"])
    report_loaded(loaded, sweep, in_flight)
    return status


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads to insert")
    parser.add_argument("--hot", type=int, default=50, help="new leads planted to turn hot")
    parser.add_argument("--days-later", type=float, default=3.0, help="rescore this much later")
    parser.add_argument("--in-flight", type=int, default=20, help="captures during the sweep")
    parser.add_argument(
        "--phase", choices=("all", "build", "sweep", "raw", "loaded"), default="all"
    )
    parser.add_argument("--db", type=Path, help="(child phases) the database file")
    parser.add_argument("--now", type=float, help="(child phases) the rescore time, epoch s")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point: the whole benchmark, or one child phase printing JSON."""
    args = parse_args(argv)
    if args.phase == "all":
        return run_all(args.leads, args.hot, args.days_later, args.in_flight)
    now = datetime.fromtimestamp(args.now, UTC)
    if args.phase == "build":
        answer = build_phase(args.db, now, args.leads, args.hot)
    elif args.phase == "sweep":
        answer = asyncio.run(sweep_phase(args.db, now))
    elif args.phase == "loaded":
        answer = asyncio.run(loaded_phase(args.db, now, args.in_flight))
    else:
        answer = raw_phase(args.db, now)
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
