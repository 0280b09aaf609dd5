"""`leadbot serve` stops within 10 s of SIGTERM, even in the middle of a long sweep."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import func, insert, select

from storage.db import Database, create_database
from storage.migrate import migrate
from storage.tables import LEADS
from tests.processes import free_port, serve_env, start_serve, stop_serve, wait_healthy
from workspace.fake_slack import FakeSlack

STALE_LEADS = 60_000
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SHUTDOWN_DEADLINE = 10.0  # the promise to operators, not a measurement


def stale_lead(n: int) -> dict[str, object]:
    email = f"lead{n}@stale.example"
    return {
        "email_key": email,
        "name": f"Lead {n}",
        "company": "",
        "email": email,
        "phone": "",
        "phone_key": "",
        "title": "Director",
        "company_size": "",
        "industry": "",
        "source": "event",
        "event": "",
        "interest": "warm",
        "product": "",
        "budget": "",
        "timeline": "",
        "consent": False,
        "notes": "",
        "region": "",
        "stage": "new",
        "owner": None,
        "fit": 0.0,
        "engagement": 0.0,
        "engagement_at": NOW.timestamp(),
        "score": 0,
        "reasons": [],
        "rules_version": "from-other-rules",
        "touch_count": 1,
        "route_channel": "",
        "route_rule": "",
        "card_channel": "",
        "card_ts": "",
        "captured_by": "U0STAFF",
        "created_at": NOW,
        "updated_at": NOW,
        "hot_at": None,
        "claimed_at": None,
    }


async def leads_scored_under_other_rules(database_url: str) -> Database:
    """A database whose every lead the rescore sweep must recompute (a long sweep)."""
    db = create_database(database_url)
    await migrate(db)
    for start in range(0, STALE_LEADS, 10_000):
        async with db.write() as session:
            await session.execute(
                insert(LEADS), [stale_lead(n) for n in range(start, start + 10_000)]
            )
    return db


async def recomputed(db: Database) -> int:
    async with db.read() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(LEADS)
            .where(LEADS.c.rules_version != "from-other-rules")
        )
    return int(found or 0)


async def test_sigterm_in_the_middle_of_a_sweep_stops_serve_quickly(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    db = await leads_scored_under_other_rules(database_url)
    rules = tmp_path / "rules.yml"
    rules.write_text("sweeps:\n  rescore_seconds: 0.5\n  deliver_seconds: 60\n", encoding="utf-8")
    port = free_port()
    env = serve_env(database_url, slack, LEADBOT_CONFIG=str(rules))
    process = await start_serve(port, env=env, cwd=tmp_path)
    try:
        async with ClientSession() as http:
            await wait_healthy(http, f"http://127.0.0.1:{port}/healthz")
        for _ in range(600):  # until the sweep is under way
            if await recomputed(db) > 0:
                break
            await asyncio.sleep(0.05)
        assert 0 < await recomputed(db) < STALE_LEADS, "the sweep should be mid-way"

        err = await stop_serve(process, SHUTDOWN_DEADLINE)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await db.dispose()
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-3000:]
    assert "stopped for shutdown" not in err  # it stopped between chunks, not cancelled
