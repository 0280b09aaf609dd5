"""Rescoring in set-based SQL: decay for every lead in one UPDATE; changed rules from touches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Float, Integer, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from leads.scoring import score_lead
from storage.db import Database
from storage.leads import reason_json, rules_version, to_draft, touch_facts
from storage.tables import LeadRow

BATCH = 500
DECAY_CHUNK = 20_000


def decayed_score_sql(config: LeadbotConfig, now: datetime) -> ColumnElement[int]:
    """fit + engagement * 2^((engagement_at - now) / half-life), rounded, as SQL."""
    elapsed = (LeadRow.engagement_at - literal(now.timestamp(), Float)) / literal(
        config.scoring.half_life_seconds, Float
    )
    return cast(
        func.round(LeadRow.fit + LeadRow.engagement * func.power(literal(2.0, Float), elapsed)),
        Integer,
    )


async def apply_decay(
    db: Database, *, config: LeadbotConfig, now: datetime, chunk: int = DECAY_CHUNK
) -> int:
    """Bring every changed score up to date, one id range per short transaction.

    Each chunk is one set-based UPDATE; between chunks other writers (captures) get their
    turn, so a sweep over a million leads never holds the write lock for long.
    """
    changed = 0
    for after, upto in await lead_id_ranges(db, chunk):
        if db.winding_down:
            break
        async with db.write() as session:
            changed += await decay_range(session, config=config, now=now, after=after, upto=upto)
    return changed


async def lead_id_ranges(db: Database, chunk: int) -> list[tuple[int, int]]:
    """(after, upto] id ranges of at most `chunk` ids that together cover every lead."""
    async with db.read() as session:
        low, high = (
            await session.execute(select(func.min(LeadRow.id), func.max(LeadRow.id)))
        ).one()
    if low is None:
        return []
    return [(start, start + chunk) for start in range(low - 1, high, chunk)]


async def decay_range(
    session: AsyncSession, *, config: LeadbotConfig, now: datetime, after: int, upto: int
) -> int:
    """One UPDATE for the leads with after < id <= upto whose score changed."""
    score = decayed_score_sql(config, now)
    result = await session.execute(
        update(LeadRow)
        .where(LeadRow.id > after, LeadRow.id <= upto, LeadRow.score != score)
        .values(score=score)
        .execution_options(synchronize_session=False)  # never fetch the ids back
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def recompute_changed_rules(db: Database, *, config: LeadbotConfig, now: datetime) -> int:
    """Rescore, from their touches, leads scored under other rules; returns how many."""
    version = rules_version(config)
    done = 0
    last_id = 0
    while not db.winding_down:
        async with db.write() as session:
            rows = list(
                await session.scalars(
                    select(LeadRow)
                    .where(_scored_under_other_rules(version), LeadRow.id > last_id)
                    .order_by(LeadRow.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            await rescore_rows(session, rows, config, now)
        done += len(rows)
        if len(rows) < BATCH:
            return done
        last_id = rows[-1].id
    return done


def _scored_under_other_rules(version: str) -> ColumnElement[bool]:
    """`rules_version != version`, written so an index on rules_version answers it."""
    return or_(LeadRow.rules_version < version, LeadRow.rules_version > version)


async def rescore_rows(
    session: AsyncSession, rows: list[LeadRow], config: LeadbotConfig, now: datetime
) -> None:
    """Score these rows afresh from their profiles and touches, as of `now`."""
    touches = await touch_facts(session, [row.id for row in rows])
    version = rules_version(config)
    for row in rows:
        score = score_lead(
            to_draft(row), touches.get(row.id, []), config.scoring, now=now.timestamp()
        )
        row.fit = score.fit + row.calibration  # what outcomes taught stays until recalibrated
        row.engagement = score.engagement
        row.engagement_at = now.timestamp()
        row.score = score.total
        row.reasons = [reason_json(reason) for reason in score.reasons]
        row.rules_version = version
