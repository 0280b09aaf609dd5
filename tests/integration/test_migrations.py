"""Migrations build exactly the schema the models describe, and re-running them is harmless."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import create_database
from storage.leads import leads_by_id
from storage.migrate import alembic_config, migrate
from storage.tables import Base, TouchRow
from tests.harness import count_rows

T0 = datetime(2026, 11, 1, 10, 0)  # naive UTC, as the columns store it
HOUR = timedelta(hours=1)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = create_database(database_url)
    try:
        await migrate(db)
        await migrate(db)  # a second start finds nothing to do
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await db.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_stage_history_and_phone_keys_are_backfilled(database_url: str) -> None:
    db = create_database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade, "0002")
            await connection.execute(
                text(
                    "INSERT INTO leads (email_key, name, company, email, phone, title,"
                    " company_size, industry, source, event, interest, product, budget, timeline,"
                    " consent, notes, region, stage, owner, fit, engagement, engagement_at, score,"
                    " reasons, rules_version, touch_count, route_channel, route_rule, card_channel,"
                    " card_ts, captured_by, created_at, updated_at, hot_at, claimed_at, outcome_at)"
                    " VALUES ('a@x.example', 'Ann', '', 'a@x.example', '+81 90-1234-5678', '',"
                    " '', '', 'event', '', 'hot', '', '', '', false, '', 'JP', 'won', 'U0REP',"
                    " 0, 130, 0, 130, '[]', 'v', 1, 'C0SALES', 'default', '', '', 'U0STAFF',"
                    " :t0, :t0, :t1, :t2, :t3)"
                ),
                {"t0": T0, "t1": T0 + HOUR, "t2": T0 + 2 * HOUR, "t3": T0 + 3 * HOUR},
            )
            await connection.execute(
                text(
                    "INSERT INTO touches (lead_id, captured_by, channel_id, via, source, event,"
                    " interest, notes, points, created_at)"
                    " VALUES (1, 'U0STAFF', '', 'quick', 'event', '', 'hot', '', 130, :t0)"
                ),
                {"t0": T0},
            )
        await migrate(db)
        async with db.engine.connect() as connection:
            key = await connection.scalar(text("SELECT phone_key FROM leads"))
            history = (
                await connection.execute(
                    text("SELECT from_stage, to_stage, actor FROM stage_history ORDER BY id")
                )
            ).all()
        assert key == "9012345678"
        assert await count_rows(db, TouchRow) == 1  # nothing cascaded away
        assert [tuple(row) for row in history] == [
            ("", "new", "U0STAFF"),
            ("new", "hot", "leadbot"),
            ("hot", "claimed", "U0REP"),
            ("claimed", "won", "U0REP"),
        ]
    finally:
        await db.dispose()


async def test_leads_stored_before_opt_outs_are_not_opted_out(database_url: str) -> None:
    db = create_database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade, "0007")
            await connection.execute(
                text(
                    "INSERT INTO leads (email_key, name, company, email, phone, phone_key, title,"
                    " company_size, industry, source, event, interest, product, budget, timeline,"
                    " consent, notes, region, stage, fit, engagement, engagement_at, score,"
                    " reasons, rules_version, touch_count, route_channel, route_rule, card_channel,"
                    " card_ts, captured_by, created_at, updated_at)"
                    " VALUES ('a@x.example', 'Ann', '', 'a@x.example', '', '', '', '', '', 'event',"
                    " '', 'warm', '', '', '', true, '', 'JP', 'nurturing', 0, 10, 0, 10, '[]', 'v',"
                    " 1, '', '', '', '', 'U0STAFF', :t0, :t0)"
                ),
                {"t0": T0},
            )
        await migrate(db)
        async with db.read() as session:
            [lead] = (await leads_by_id(session, [1])).values()
            stored = await session.scalar(text("SELECT opted_out_at FROM leads"))
        assert stored is None
        assert lead.profile.opted_out is False
        assert (lead.profile.email, lead.profile.consent) == ("a@x.example", True)
    finally:
        await db.dispose()
