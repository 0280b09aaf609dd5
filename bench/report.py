"""`/lead stats all` over a million leads: leadbot's funnel against one hand-written GROUP BY.

Builds a migrated SQLite database in a temp dir (the app's own migrations, then raw sqlite3
executemany in batches, in a child process) holding N leads (default 1,000,000) captured
over 12 weeks from the 6 sources at ~20 events, each with its stage history written in time
order, as the app writes it: every lead `"" -> new`; about 10% turn hot (`new -> hot`), ~85%
of those are claimed 1 minute to 4 hours later, ~50% of the claimed book a meeting, ~40% of
the claimed are decided (~35% of the decided won, with a deal value; the rest lost with a
reason); a few % of hot leads get an `sla_breach` audit row. Steps that would fall after
"now" are not taken. The leads' columns (stage, owner, hot_at, claimed_at, outcome,
deal_value, lost_reason, meeting_at/won_at/lost_at, outcome_at) agree with the history. The
data is seeded, so every run builds the same rows. Then, each in a child process of its own:

  (A) leadloop.reports.funnel_of(loop, period), what `/lead stats all` runs, through a Loop
      on the database, for `all` and for `30d`; timed, with the child's peak RSS;
  (B) one hand-written SQL GROUP BY counting what the funnel shows (captured/hot/claimed/
      meeting reached per source and event from stage_history joined with leads; won/lost/
      won value from the leads' outcome columns) with the plain sqlite3 module; timed. It is
      written in two shapes (flat, and folded per lead first) and the faster one is the
      baseline: the better shape depends on the database.

Each runs --repeats times (default 3), the two taking turns, every run a fresh child; the
ratio A/B uses the best run of each (the machine is shared, so the best run is the least
disturbed). B counts less than A: A also collects every hot-to-claim time, the loss reasons
and the SLA breaches, which the funnel shows too.

Checks that the funnel and both shapes count the same (per step: in total, per source, per
event) and exits with status 1 if not. Prints the times, the ratio, and whether `all` was
counted within reports.reply_within_seconds (2 s: `/lead stats` answers at once; beyond that
it acks "counting" and answers by response_url) and within Slack's 3 s.

With --postgres-url (or BENCH_POSTGRES_URL) the same rows are loaded into that PostgreSQL
database with COPY (its public schema is WIPED, then migrated; VACUUM ANALYZE afterwards, as
autovacuum would), and A and B run there too (B through plain asyncpg).

Targets: ratio <= 1.5; `all` answered within Slack's 3 s (ack first, then answer by
response_url if it takes longer than 2 s). Timings are printed, never asserted.

    python bench/report.py [--leads 1000000] [--repeats 3] [--postgres-url postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stats import peak_rss_mb, table

from leadloop.context import Loop
from leadloop.reports import funnel_of
from leads.config import LeadbotConfig
from leads.funnel import Funnel, Period, Row, period
from leads.identity import phone_key
from storage.db import create_database
from storage.leads import rules_version
from storage.migrate import migrate
from storage.tables import LeadRow

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo, a Tuesday
SPAN = timedelta(weeks=12)
SEED = 20261201
SALES = "C0SALES"
TARGET_RATIO = 1.5
SLACK_SECONDS = 3.0
POSTGRES_ENV = "BENCH_POSTGRES_URL"
INSERT_BATCH = 20_000
PERIODS = ("all", "30d")
DATABASES = ("sqlite", "postgresql")
MEASURED = ("captured", "hot", "claimed", "meeting", "won", "lost", "won_value")

# Share of leads per source, and the share of each source's leads that turns hot (~10%).
SOURCES: Mapping[str, tuple[float, float]] = {
    "event": (0.35, 0.12),
    "seminar": (0.15, 0.10),
    "web": (0.30, 0.05),
    "referral": (0.05, 0.25),
    "inbound": (0.10, 0.15),
    "manual": (0.05, 0.08),
}
TRADE_SHOWS = tuple(
    f"{name} 2026"
    for name in (
        *("Japan IT Week", "Interop Tokyo", "CEATEC", "AI Expo", "Security Expo", "DX Expo"),
        *("Cloud Days", "SaaS Summit", "Data Summit", "Retail Tech", "FinTech Forum"),
        *("Smart Factory", "Marketing Week", "HR Tech"),
    )
)
SEMINARS = tuple(f"Seminar: {topic}" for topic in ("SFA", "MA", "CDP", "BI", "Security", "AI"))
LOST_REASONS = ("budget", "timing", "competitor", "no_response", "not_a_fit", "other")
LOST_WEIGHTS = (25, 20, 20, 15, 12, 8)
HOT_AT_CAPTURE = 0.4  # the rest turn hot later, on a repeat touch (mean 5 days)
CLAIMED = 0.85
MEETING = 0.5
DECIDED_AFTER_MEETING, DECIDED_WITHOUT = 0.6, 0.2  # ~40% of the claimed in all
WON = 0.35
BREACH_UNCLAIMED, BREACH_LATE = 0.15, 0.05  # late: claimed after the 15-minute re-announce
REANNOUNCE = timedelta(minutes=15)

LEAD_COLUMNS = (
    *("id", "email_key", "name", "company", "email", "phone", "phone_key", "title"),
    *("company_size", "industry", "source", "event", "interest", "product", "budget"),
    *("timeline", "consent", "notes", "region", "stage", "owner", "fit", "engagement"),
    *("engagement_at", "score", "reasons", "rules_version", "touch_count", "route_channel"),
    *("route_rule", "card_channel", "card_ts", "captured_by", "created_at", "updated_at"),
    *("hot_at", "claimed_at", "outcome", "deal_value", "lost_reason", "lost_detail"),
    *("outcome_by", "outcome_at", "meeting_at", "won_at", "lost_at", "calibration"),
)
HISTORY_COLUMNS = ("lead_id", "from_stage", "to_stage", "actor", "reason", "value", "created_at")
AUDIT_COLUMNS = ("lead_id", "actor", "action", "detail", "created_at")
COLUMNS = {"leads": LEAD_COLUMNS, "stage_history": HISTORY_COLUMNS, "audit": AUDIT_COLUMNS}

# The baseline: one GROUP BY in two hand-written shapes, both run; the faster one counts (the
# better shape differs: the flat one on SQLite, the folded one on PostgreSQL). Both count
# each lead once per step, as the funnel does; `from_stage = ''` is the one capture row of a
# lead, so the flat shape adds each lead's outcome once.
RAW_SHAPES = {
    "flat GROUP BY": """
SELECT l.source, l.event,
       count(DISTINCT CASE WHEN h.to_stage = 'new' THEN h.lead_id END),
       count(DISTINCT CASE WHEN h.to_stage = 'hot' THEN h.lead_id END),
       count(DISTINCT CASE WHEN h.to_stage = 'claimed' THEN h.lead_id END),
       count(DISTINCT CASE WHEN h.to_stage = 'meeting' THEN h.lead_id END),
       sum(CASE WHEN h.from_stage = '' AND l.outcome = 'won' THEN 1 ELSE 0 END),
       sum(CASE WHEN h.from_stage = '' AND l.outcome = 'lost' THEN 1 ELSE 0 END),
       coalesce(sum(CASE WHEN h.from_stage = '' AND l.outcome = 'won' THEN l.deal_value END), 0)
FROM leads AS l JOIN stage_history AS h ON h.lead_id = l.id
WHERE {where}
GROUP BY l.source, l.event
""",
    "folded GROUP BY": """
SELECT source, event, sum(captured), sum(hot), sum(claimed), sum(meeting),
       sum(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END),
       sum(CASE WHEN outcome = 'lost' THEN 1 ELSE 0 END),
       coalesce(sum(CASE WHEN outcome = 'won' THEN deal_value END), 0)
FROM (SELECT l.source, l.event, l.outcome, l.deal_value,
             max(CASE WHEN h.to_stage = 'new' THEN 1 ELSE 0 END) AS captured,
             max(CASE WHEN h.to_stage = 'hot' THEN 1 ELSE 0 END) AS hot,
             max(CASE WHEN h.to_stage = 'claimed' THEN 1 ELSE 0 END) AS claimed,
             max(CASE WHEN h.to_stage = 'meeting' THEN 1 ELSE 0 END) AS meeting
      FROM leads AS l JOIN stage_history AS h ON h.lead_id = l.id
      WHERE {where}
      GROUP BY l.id, l.source, l.event, l.outcome, l.deal_value) AS per_lead
GROUP BY source, event
""",
}
FUNNEL = "funnel_of (leadbot)"

Stamp = Callable[[datetime], Any]
Record = tuple[str, tuple[Any, ...]]  # a table and one row in COLUMNS[table] order
Counts = dict[str, float]  # MEASURED step -> count (won_value: a sum)


# --- building the data --------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """Where one lead went after its capture, cut off at NOW."""

    steps: tuple[tuple[str, datetime], ...]  # (stage reached, when), from ("new", created)
    owner: str | None = None
    value: float | None = None
    reason: str = ""
    breach_at: datetime | None = None

    def at(self, stage: str) -> datetime | None:
        """When the lead reached `stage`, if it did."""
        return next((when for name, when in self.steps if name == stage), None)

    @property
    def outcome(self) -> str:
        """won, lost, or "" while undecided."""
        last = self.steps[-1][0]
        return last if last in ("won", "lost") else ""


def journey(rng: random.Random, created: datetime, hot_rate: float, rep: str) -> Journey:
    """Draw one lead's path through the funnel (the same draws for the same seed)."""
    steps = [("new", created)]
    if rng.random() >= hot_rate:
        return Journey(tuple(steps))
    later = 0.0 if rng.random() < HOT_AT_CAPTURE else rng.expovariate(1 / (5 * 86_400))
    hot = created + timedelta(seconds=rng.uniform(1, 60) + later)
    steps.append(("hot", hot))
    if rng.random() >= CLAIMED:
        breach = hot + REANNOUNCE if rng.random() < BREACH_UNCLAIMED else None
        return _cut(Journey(tuple(steps), breach_at=breach))
    delay = timedelta(seconds=60 * 240 ** rng.random())  # 1 minute to 4 hours, log-uniform
    claimed = hot + delay
    steps.append(("claimed", claimed))
    late = delay > REANNOUNCE and rng.random() < BREACH_LATE
    if rng.random() < MEETING:
        steps.append(("meeting", claimed + timedelta(days=rng.uniform(1, 10))))
    decided = DECIDED_AFTER_MEETING if steps[-1][0] == "meeting" else DECIDED_WITHOUT
    value, reason = None, ""
    if rng.random() < decided:
        when = steps[-1][1] + timedelta(days=rng.uniform(3, 30))
        if rng.random() < WON:
            steps.append(("won", when))
            value = float(round(rng.lognormvariate(math.log(1_500_000), 0.8), -3))
        else:
            steps.append(("lost", when))
            reason = rng.choices(LOST_REASONS, LOST_WEIGHTS)[0]
    return _cut(Journey(tuple(steps), rep, value, reason, hot + REANNOUNCE if late else None))


def _cut(path: Journey) -> Journey:
    """The journey without the steps (and the breach) still in the future at NOW."""
    steps = tuple(step for step in path.steps if step[1] <= NOW)
    breach = path.breach_at if path.breach_at is not None and path.breach_at <= NOW else None
    decided = steps[-1][0] in ("won", "lost")
    owner = path.owner if len(steps) > 2 else None
    value = path.value if decided else None
    reason = path.reason if decided else ""
    return Journey(steps, owner, value, reason, breach)


@dataclass
class Built:
    """How many rows of each kind went in."""

    leads: int = 0
    stages: Counter[str] = field(default_factory=Counter)  # lead's current stage -> leads
    history: Counter[str] = field(default_factory=Counter)  # to_stage -> history rows
    breaches: int = 0

    def as_json(self) -> dict[str, Any]:
        """For a child's JSON answer."""
        return {
            "leads": self.leads,
            "stages": dict(self.stages),
            "history": dict(self.history),
            "breaches": self.breaches,
        }


@dataclass(frozen=True)
class Lead:
    """One generated lead: its number (id - 1), where it came from and where it went."""

    n: int
    source: str
    event: str
    path: Journey

    @property
    def id(self) -> int:
        """Its id in the leads table."""
        return self.n + 1


@dataclass
class Generator:
    """Seeded leads with their history and audit rows, as the app would have written them:
    leads in capture order, history and audit rows in time order."""

    count: int
    stamp: Stamp  # a datetime as the target database takes it
    built: Built = field(default_factory=Built)
    _pending: list[tuple[datetime, int, Record]] = field(default_factory=list)  # a heap
    _order: Iterator[int] = field(default_factory=itertools.count)

    def records(self) -> Iterator[Record]:
        """Every row to insert; a lead always comes before its history."""
        rng = random.Random(SEED)
        version = rules_version(LeadbotConfig())
        for lead in self._leads(rng):
            created = lead.path.steps[0][1]
            while self._pending and self._pending[0][0] <= created:
                yield heapq.heappop(self._pending)[2]
            yield "leads", self._lead(lead, version)
            yield "stage_history", self._history(lead, "", "new", created)
            for (before, _), (stage, when) in itertools.pairwise(lead.path.steps):
                self._later(when, ("stage_history", self._history(lead, before, stage, when)))
            if lead.path.breach_at is not None:
                self._later(lead.path.breach_at, self._breach(lead, lead.path.breach_at))
        while self._pending:
            yield heapq.heappop(self._pending)[2]

    def _leads(self, rng: random.Random) -> Iterator[Lead]:
        start = NOW - SPAN
        for n in range(self.count):
            created = start + SPAN * ((n + rng.random()) / self.count)
            source, event = origin(rng)
            path = journey(rng, created, SOURCES[source][1], f"U0REP{n % 40:02d}")
            yield Lead(n, source, event, path)

    def _later(self, when: datetime, record: Record) -> None:
        heapq.heappush(self._pending, (when, next(self._order), record))

    def _lead(self, lead: Lead, version: str) -> tuple[Any, ...]:
        n, path = lead.n, lead.path
        self.built.leads += 1
        self.built.stages[path.steps[-1][0]] += 1
        hot_at, outcome = path.at("hot"), path.outcome
        email = f"lead{n}@company{n % 50_000}.example"
        phone = f"090-{n // 10_000 % 10_000:04d}-{n % 10_000:04d}"
        fit, engagement = float(n % 61), 80.0 if hot_at else float(n % 37)
        alerted = (SALES, "default", SALES, f"{hot_at.timestamp():.6f}") if hot_at else ("",) * 4
        at = self._stamp_at
        return (
            *(lead.id, email, f"Lead {n}", f"Company {n % 50_000}", email, phone),
            *(phone_key(phone), ("", "Manager", "Director", "Engineer")[n % 4], "50-249", ""),
            *(lead.source, lead.event, "warm", "", "", "", n % 3 == 0, "", "JP"),
            *(path.steps[-1][0], path.owner, fit, engagement, path.steps[0][1].timestamp()),
            *(int(fit + engagement), REASONS, version, 1, *alerted, f"U0STAFF{n % 8}"),
            *(at(path, "new"), self.stamp(path.steps[-1][1]), at(path, "hot"), at(path, "claimed")),
            *(outcome, path.value, path.reason, "", (path.owner or "") if outcome else ""),
            *(at(path, outcome), at(path, "meeting"), at(path, "won"), at(path, "lost"), 0.0),
        )

    def _history(self, lead: Lead, before: str, stage: str, when: datetime) -> tuple[Any, ...]:
        self.built.history[stage] += 1
        path = lead.path
        actor = {"new": f"U0STAFF{lead.n % 8}", "hot": "leadbot"}.get(stage, path.owner or "")
        reason = path.reason if stage == "lost" else ""
        value = path.value if stage == "won" else None
        return (lead.id, before, stage, actor, reason, value, self.stamp(when))

    def _breach(self, lead: Lead, when: datetime) -> Record:
        self.built.breaches += 1
        detail = json.dumps({"key": f"lead:{lead.id}:reannounce"})
        return "audit", (lead.id, "leadbot", "sla_breach", detail, self.stamp(when))

    def _stamp_at(self, path: Journey, stage: str) -> Any:
        """When the lead reached `stage`, as the database takes it; None if it did not."""
        when = path.at(stage) if stage else None
        return None if when is None else self.stamp(when)


def origin(rng: random.Random) -> tuple[str, str]:
    """A lead's source and event: trade-show leads cluster at the big shows."""
    source = rng.choices(tuple(SOURCES), [share for share, _ in SOURCES.values()])[0]
    if source == "event":
        return source, TRADE_SHOWS[min(int(rng.paretovariate(1.2)) - 1, len(TRADE_SHOWS) - 1)]
    if source == "seminar":
        return source, rng.choice(SEMINARS)
    return source, ""


REASONS = json.dumps(
    [
        {"code": "title", "params": {"level": "manager"}, "points": 15, "kind": "fit"},
        {"code": "interest", "params": {"interest": "warm"}, "points": 20, "kind": "engagement"},
    ]
)


def sqlite_time(value: datetime) -> str:
    """A datetime as the app's UtcDateTime column stores it on SQLite (naive UTC text)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def postgres_time(value: datetime) -> datetime:
    """A datetime as the app's UtcDateTime column takes it on PostgreSQL (naive UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def check_sqlite_time() -> None:
    """Fail early if sqlite_time() ever stops matching what SQLAlchemy writes."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    processor = LeadRow.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    sample = datetime(2026, 9, 8, 7, 6, 5, 4321, tzinfo=UTC)
    written = processor(sample) if processor else sample
    if written != sqlite_time(sample):
        raise SystemExit(f"sqlite_time() gives {sqlite_time(sample)!r}, SQLAlchemy {written!r}")


def batches(records: Iterator[Record], size: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Rows grouped by table, about `size` records at a time (leads first in each group)."""
    while True:
        group: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
        for name, row in itertools.islice(records, size):
            group[name].append(row)
        if not any(group.values()):
            return
        yield group


async def migrated(url: str) -> None:
    """Create the schema with the app's own migrations."""
    db = create_database(url)
    try:
        await migrate(db)
    finally:
        await db.dispose()


def build_sqlite(path: Path, count: int) -> dict[str, Any]:
    """Migrate, then insert every record with executemany in batches; checkpoint the WAL."""
    check_sqlite_time()
    started = time.perf_counter()
    asyncio.run(migrated(f"sqlite+aiosqlite:///{path}"))
    generator = Generator(count, sqlite_time)
    statements = {
        name: f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for name, columns in COLUMNS.items()
    }
    with sqlite3.connect(path, isolation_level=None) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        for group in batches(generator.records(), INSERT_BATCH):
            connection.execute("BEGIN")
            for name, rows in group.items():
                connection.executemany(statements[name], rows)
            connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    size_mb = path.stat().st_size / (1024 * 1024)
    return {
        "seconds": time.perf_counter() - started,
        "size_mb": size_mb,
        **generator.built.as_json(),
    }


async def build_postgres(url: str, count: int) -> dict[str, Any]:
    """Wipe and migrate the database, COPY every record in, then VACUUM ANALYZE."""
    started = time.perf_counter()
    connection = await connect_postgres(url)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        await migrated(url)
        generator = Generator(count, postgres_time)
        for group in batches(generator.records(), INSERT_BATCH):
            async with connection.transaction():
                for name, rows in group.items():
                    if rows:
                        await connection.copy_records_to_table(
                            name, records=rows, columns=list(COLUMNS[name])
                        )
        await connection.execute("SELECT setval('leads_id_seq', (SELECT max(id) FROM leads))")
        await connection.execute("VACUUM ANALYZE leads, stage_history, audit")
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await connection.close()
    size_mb = int(size) / (1024 * 1024)
    return {
        "seconds": time.perf_counter() - started,
        "size_mb": size_mb,
        **generator.built.as_json(),
    }


async def connect_postgres(url: str) -> Any:
    """A plain asyncpg connection (no SQLAlchemy) to the database at `url`."""
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))


def asyncpg_url(url: str) -> str:
    """The URL with the driver leadbot uses (a plain postgresql:// is accepted)."""
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


# --- the measured phases (each in a child process) ----------------------------------------


def the_period(name: str) -> Period:
    """The period `/lead stats <name>` counts at NOW, in the rules file's time zone."""
    chosen = period(name, now=NOW, timezone=LeadbotConfig().timezone)
    if chosen is None:
        raise ValueError(f"not a period: {name}")
    return chosen


def row_counts(row: Row) -> Counts:
    """What the funnel shows of one row, as the baseline counts it."""
    counts: Counts = {step: row.count(step) for step in MEASURED[:-2]}
    return {**counts, "lost": row.lost, "won_value": row.won_value}


def summary(funnel: Funnel) -> dict[str, Any]:
    """The funnel's counts in total, per source and per event."""
    return {
        "total": row_counts(funnel.total),
        "source": {row.key: row_counts(row) for row in funnel.by_source},
        "event": {row.key: row_counts(row) for row in funnel.by_event},
        "claim_times": len(funnel.total.hot_to_claim),
        "breaches": funnel.total.sla_breaches,
    }


async def funnel_phase(url: str) -> dict[str, Any]:
    """Count the funnel of each period once through a Loop; times and peak RSS."""
    db = create_database(url)
    loop = Loop(db=db, config=LeadbotConfig(), sales_channel=SALES, clock=lambda: NOW)
    counted: dict[str, Any] = {}
    try:
        await db.ping()
        before = peak_rss_mb()
        for name in PERIODS:
            started = time.perf_counter()
            funnel = await funnel_of(loop, the_period(name))
            counted[name] = {"seconds": [time.perf_counter() - started], **summary(funnel)}
    finally:
        await db.dispose()
    return {"runs": {FUNNEL: counted}, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


def where(chosen: Period, placeholders: Iterator[str]) -> str:
    """The baseline's WHERE clause for a period (the same bounds as the funnel's)."""
    if chosen.start is None:
        return f"l.created_at < {next(placeholders)}"
    return f"l.created_at >= {next(placeholders)} AND l.created_at < {next(placeholders)}"


def bounds(chosen: Period, stamp: Stamp) -> list[Any]:
    """The period's bounds as the database takes them."""
    return [stamp(value) for value in (chosen.start, chosen.end) if value is not None]


def raw_sqlite_phase(path: Path) -> dict[str, Any]:
    """Run each baseline shape once per period with plain sqlite3; times and peak RSS."""
    connection = sqlite3.connect(path, isolation_level=None)
    runs: dict[str, Any] = {}
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        before = peak_rss_mb()
        for shape, sql in RAW_SHAPES.items():
            runs[shape] = {}
            for name in PERIODS:
                chosen = the_period(name)
                statement = sql.format(where=where(chosen, itertools.repeat("?")))
                started = time.perf_counter()
                rows = connection.execute(statement, bounds(chosen, sqlite_time)).fetchall()
                runs[shape][name] = {"seconds": [time.perf_counter() - started], **grouped(rows)}
    finally:
        connection.close()
    return {"runs": runs, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


async def raw_postgres_phase(url: str) -> dict[str, Any]:
    """Run each baseline shape once per period with plain asyncpg; times and peak RSS."""
    connection = await connect_postgres(url)
    runs: dict[str, Any] = {}
    try:
        before = peak_rss_mb()
        for shape, sql in RAW_SHAPES.items():
            runs[shape] = {}
            for name in PERIODS:
                chosen = the_period(name)
                statement = sql.format(where=where(chosen, (f"${n}" for n in (1, 2))))
                started = time.perf_counter()
                rows = await connection.fetch(statement, *bounds(chosen, postgres_time))
                runs[shape][name] = {"seconds": [time.perf_counter() - started], **grouped(rows)}
    finally:
        await connection.close()
    return {"runs": runs, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()}


def grouped(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The baseline's (source, event) rows added up in total, per source and per event."""
    total: Counts = dict.fromkeys(MEASURED, 0)
    by: dict[str, dict[str, Counts]] = {"source": {}, "event": {}}
    for source, event, *values in rows:
        counts = dict(zip(MEASURED, (float(value or 0) for value in values), strict=True))
        for target in (
            total,
            by["source"].setdefault(source, {}),
            by["event"].setdefault(event, {}),
        ):
            for step, value in counts.items():
                target[step] = target.get(step, 0) + value
    return {"total": total, **by}


# --- checking and reporting ---------------------------------------------------------------


def disagreements(database: str, funnel: dict[str, Any], raw: dict[str, Any]) -> list[str]:
    """Every count that differs between the funnel and a baseline shape, per period."""
    found = []
    for shape, counted in raw["runs"].items():
        for name in PERIODS:
            for label, mine, theirs in pairs(funnel["runs"][FUNNEL][name], counted[name]):
                for step in MEASURED:
                    x, y = float(mine.get(step, 0)), float(theirs.get(step, 0))
                    if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6):
                        found.append(
                            f"{database} {name}, {label}, {step}: funnel {x:g}, {shape} {y:g}"
                        )
    return found


def pairs(mine: dict[str, Any], theirs: dict[str, Any]) -> Iterator[tuple[str, Counts, Counts]]:
    """The total, every source and every event, as counted by each side."""
    yield "total", mine["total"], theirs["total"]
    for dimension in ("source", "event"):
        for key in sorted(set(mine[dimension]) | set(theirs[dimension])):
            yield (
                f"{dimension} {key!r}",
                mine[dimension].get(key, {}),
                theirs[dimension].get(key, {}),
            )


def merged(answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one phase as one: every time, the last counts, the highest peak RSS."""
    last = answers[-1]
    runs = {
        label: {
            name: {
                **counted[name],
                "seconds": [
                    t for answer in answers for t in answer["runs"][label][name]["seconds"]
                ],
            }
            for name in PERIODS
        }
        for label, counted in last["runs"].items()
    }
    return {**last, "runs": runs, "peak_rss_mb": max(a["peak_rss_mb"] for a in answers)}


def best(counted: Mapping[str, Any], name: str) -> float:
    """The fastest timed run of a period."""
    return float(min(counted[name]["seconds"]))


def fastest_shape(raw: dict[str, Any], name: str) -> tuple[str, float]:
    """The baseline shape with the fastest run of a period, and that run's time."""
    return min(
        ((shape, best(runs, name)) for shape, runs in raw["runs"].items()), key=lambda x: x[1]
    )


def print_built(database: str, built: dict[str, Any]) -> None:
    """What the build put in the database."""
    history = ", ".join(f"{stage} {count:,}" for stage, count in built["history"].items())
    stages = ", ".join(f"{stage} {count:,}" for stage, count in sorted(built["stages"].items()))
    print(
        f"built on {database} in {built['seconds']:.0f} s ({built['size_mb']:.0f} MB):"
        f" {built['leads']:,} leads; {sum(built['history'].values()):,} stage_history rows"
        f" by to_stage: {history}; {built['breaches']:,} sla_breach audit rows"
    )
    print(f"  leads by current stage: {stages}")


def print_counts(funnel: dict[str, Any]) -> None:
    """The funnel of `all` as counted, in total and per source."""
    counted = funnel["runs"][FUNNEL]["all"]
    rows = [
        [f"  {key}", *(f"{counts.get(step, 0):,.0f}" for step in MEASURED)]
        for key, counts in (("total", counted["total"]), *counted["source"].items())
    ]
    print(table(["all", *MEASURED], rows))
    print(
        f"  counted by the funnel only: {counted['claim_times']:,} hot-to-claim times,"
        f" {counted['breaches']:,} SLA breaches, loss reasons"
    )


def print_times(database: str, funnel: dict[str, Any], raw: dict[str, Any]) -> None:
    """Every run's time per period and each phase's peak RSS."""
    rows = []
    for phase in (funnel, raw):
        for label, counted in phase["runs"].items():
            for name in PERIODS:
                seconds = ", ".join(f"{value:.2f}" for value in counted[name]["seconds"])
                rows.append([f"{label} {name}", seconds, f"{best(counted, name):.2f}", ""])
        rows[-len(phase["runs"]) * len(PERIODS)][-1] = (
            f"{phase['rss_before_mb']:.0f} / {phase['peak_rss_mb']:.0f}"
        )
    print(table([database, "seconds (each run)", "best", "RSS before / peak MB"], rows))


def print_verdict(database: str, funnel: dict[str, Any], raw: dict[str, Any]) -> None:
    """The ratio per period, and whether `/lead stats` answers at once or by response_url."""
    reply_within = LeadbotConfig().reports.reply_within_seconds
    for name in PERIODS:
        mine = best(funnel["runs"][FUNNEL], name)
        shape, theirs = fastest_shape(raw, name)
        ratio = mine / theirs if theirs else math.inf
        slowest = max(funnel["runs"][FUNNEL][name]["seconds"])
        print(
            f"report on {database}, {name}: funnel {mine:.2f} s vs raw {theirs:.2f} s ({shape}):"
            f" ratio {ratio:.2f} (target <= {TARGET_RATIO:g}:"
            f" {'met' if ratio <= TARGET_RATIO else 'NOT met'}); slowest funnel"
            f" {slowest:.2f} s: within {reply_within:g} s (answered at once):"
            f" {yes(slowest <= reply_within)}, within Slack's {SLACK_SECONDS:g} s:"
            f" {yes(slowest <= SLACK_SECONDS)}"
        )


def yes(flag: bool) -> str:
    """A verdict word."""
    return "yes" if flag else "NO"


def run_child(phase: str, *args: str) -> dict[str, Any]:
    """Run this script with `--phase` in a fresh process and read its JSON answer.

    Every heavy step runs in a child so that this parent stays small: Linux carries the
    parent's peak RSS over into a child's ru_maxrss (through fork and exec).
    """
    command = [sys.executable, __file__, "--phase", phase, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {phase} phase failed with status {done.returncode}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def measure(database: str, target: str, leads: int, repeats: int) -> int:
    """Build one database; run the phases in children, taking turns; check and print."""
    common = ["--target", target, "--leads", str(leads)]
    print_built(database, run_child(f"build-{database}", *common))
    runs: dict[str, list[dict[str, Any]]] = {"funnel": [], "raw": []}
    for _ in range(repeats):  # in turns, so that other people's load falls on both alike
        for phase, answers in runs.items():
            answers.append(run_child(f"{phase}-{database}", *common))
    funnel, raw = merged(runs["funnel"]), merged(runs["raw"])
    problems = disagreements(database, funnel, raw)
    for problem in problems[:20]:
        print(f"FAILED: {problem}")
    if len(problems) > 20:
        print(f"FAILED: ... and {len(problems) - 20} more")
    if not problems:
        print(
            f"{database}: the funnel and both raw shapes agree on every step, in total, per"
            f" source and per event, for {' and '.join(PERIODS)}"
        )
    print_counts(funnel)
    print_times(database, funnel, raw)
    print_verdict(database, funnel, raw)
    return 1 if problems else 0


def run_all(leads: int, repeats: int, postgres_url: str) -> int:
    """SQLite always; PostgreSQL too when a URL is given."""
    print(
        f"report: /lead stats over {leads:,} leads captured in the 12 weeks to"
        f" {NOW:%Y-%m-%d %H:%M} UTC; {repeats} runs of each phase, each run a child process"
    )
    with tempfile.TemporaryDirectory(prefix="leadbot-report-") as tmp:
        status = measure("sqlite", str(Path(tmp) / "report.db"), leads, repeats)
    if postgres_url:
        status |= measure("postgresql", asyncpg_url(postgres_url), leads, repeats)
    return status


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads to build")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each phase")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_ENV, ""),
        help=f"also run on this PostgreSQL database, which is WIPED (default: ${POSTGRES_ENV})",
    )
    phases = [f"{step}-{db}" for step in ("build", "funnel", "raw") for db in DATABASES]
    parser.add_argument("--phase", choices=("all", *phases), default="all")
    parser.add_argument("--target", help="(child phases) the SQLite file or PostgreSQL URL")
    return parser.parse_args(argv)


def child(phase: str, target: str, leads: int) -> dict[str, Any]:
    """One child phase's JSON answer."""
    url = target if phase.endswith("postgresql") else f"sqlite+aiosqlite:///{target}"
    match phase:
        case "build-sqlite":
            return build_sqlite(Path(target), leads)
        case "build-postgresql":
            return asyncio.run(build_postgres(target, leads))
        case "funnel-sqlite" | "funnel-postgresql":
            return asyncio.run(funnel_phase(url))
        case "raw-sqlite":
            return raw_sqlite_phase(Path(target))
        case "raw-postgresql":
            return asyncio.run(raw_postgres_phase(target))
    raise ValueError(f"unknown phase {phase}")


def main(argv: list[str]) -> int:
    """Entry point: the whole benchmark, or one child phase printing JSON."""
    args = parse_args(argv)
    if args.phase == "all":
        return run_all(args.leads, args.repeats, args.postgres_url)
    print(json.dumps(child(args.phase, args.target, args.leads)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
