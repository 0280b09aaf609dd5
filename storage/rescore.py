"""Rescoring in set-based SQL: decay for every lead in one UPDATE; changed rules from touches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Float, Integer, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from leads.scoring import score_lead
from storage.db import Database
from storage.leads import reason_json, rules_version, to_draft, touch_facts
from storage.tables import LeadRow

BATCH = 500


def decayed_score_sql(config: LeadbotConfig, now: datetime) -> ColumnElement[int]:
    """fit + engagement * 2^((engagement_at - now) / half-life), rounded, as SQL."""
    elapsed = (LeadRow.engagement_at - literal(now.timestamp(), Float)) / literal(
        config.scoring.half_life_seconds, Float
    )
    return cast(
        func.round(LeadRow.fit + LeadRow.engagement * func.power(literal(2.0, Float), elapsed)),
        Integer,
    )


async def apply_decay(session: AsyncSession, *, config: LeadbotConfig, now: datetime) -> int:
    """One UPDATE brings every changed score up to date; returns how many changed."""
    score = decayed_score_sql(config, now)
    result = await session.execute(
        update(LeadRow)
        .where(LeadRow.score != score)
        .values(score=score)
        .execution_options(synchronize_session=False)  # never fetch a million ids back
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def recompute_changed_rules(db: Database, *, config: LeadbotConfig, now: datetime) -> int:
    """Rescore, from their touches, leads scored under other rules; returns how many."""
    version = rules_version(config)
    done = 0
    last_id = 0
    while True:
        async with db.write() as session:
            rows = list(
                await session.scalars(
                    select(LeadRow)
                    .where(LeadRow.rules_version != version, LeadRow.id > last_id)
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
        row.fit = score.fit
        row.engagement = score.engagement
        row.engagement_at = now.timestamp()
        row.score = score.total
        row.reasons = [reason_json(reason) for reason in score.reasons]
        row.rules_version = version
