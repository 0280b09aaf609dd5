"""Rescoring in set-based SQL: decay for every lead in one UPDATE, then hot promotions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Float, Integer, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.config import LeadbotConfig
from leads.model import Interest, LeadDraft, Source, Stage
from leads.scoring import Reason, decayed, fit_reasons, touch_reasons
from storage.db import Database
from storage.leads import maybe_turn_hot, reason_json, rules_version, to_draft
from storage.tables import LeadRow, TouchRow

BATCH = 500


@dataclass(frozen=True)
class RescoreResult:
    """What one sweep changed."""

    rescored: int
    recomputed: int
    became_hot: int


async def rescore(
    db: Database, *, config: LeadbotConfig, sales_channel: str, now: datetime
) -> RescoreResult:
    """Recompute stale rules, apply decay to every score, alert leads that turned hot."""
    recomputed = await recompute_changed_rules(db, config=config, now=now)
    async with db.write() as session:
        rescored = await apply_decay(session, config=config, now=now)
    became_hot = await promote_hot(db, config=config, sales_channel=sales_channel, now=now)
    return RescoreResult(rescored=rescored, recomputed=recomputed, became_hot=became_hot)


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


async def promote_hot(
    db: Database, *, config: LeadbotConfig, sales_channel: str, now: datetime
) -> int:
    """Turn new leads at or above the threshold hot, in batches, each with its alerts."""
    promoted = 0
    while True:
        async with db.write() as session:
            rows = list(
                await session.scalars(
                    select(LeadRow)
                    .where(
                        LeadRow.stage == Stage.NEW.value,
                        LeadRow.score >= config.scoring.hot_threshold,
                    )
                    .order_by(LeadRow.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                promoted += await maybe_turn_hot(session, row, config, sales_channel, now)
        if len(rows) < BATCH:
            return promoted


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
            await _recompute(session, rows, config, version, now)
        done += len(rows)
        if len(rows) < BATCH:
            return done
        last_id = rows[-1].id


async def _recompute(
    session: AsyncSession,
    rows: list[LeadRow],
    config: LeadbotConfig,
    version: str,
    now: datetime,
) -> None:
    touches: dict[int, list[TouchRow]] = defaultdict(list)
    if rows:
        found = await session.scalars(
            select(TouchRow)
            .where(TouchRow.lead_id.in_([row.id for row in rows]))
            .order_by(TouchRow.lead_id, TouchRow.id)
        )
        for touch in found:
            touches[touch.lead_id].append(touch)
    for row in rows:
        fit = fit_reasons(to_draft(row), config.scoring)
        engagement = _engagement_reasons(touches[row.id], config, now)
        row.fit = sum(reason.points for reason in fit)
        row.engagement = sum(reason.points for reason in engagement)
        row.engagement_at = now.timestamp()
        row.score = round(row.fit + row.engagement)
        row.reasons = [reason_json(reason) for reason in (*fit, *engagement)]
        row.rules_version = version


def _engagement_reasons(
    touches: list[TouchRow], config: LeadbotConfig, now: datetime
) -> tuple[Reason, ...]:
    points: dict[str, float] = defaultdict(float)
    for index, touch in enumerate(touches):
        draft = LeadDraft(
            interest=_interest_or_none(touch.interest), source=_source_or_none(touch.source)
        )
        weight = decayed(
            1.0, touch.created_at.timestamp(), now.timestamp(), config.scoring.half_life_seconds
        )
        for reason in touch_reasons(draft, config.scoring, repeat=index > 0):
            points[reason.label] += reason.points * weight
    return tuple(Reason(label, value, "engagement") for label, value in points.items() if value)


def _interest_or_none(value: str) -> Interest | None:
    return Interest(value) if value in {member.value for member in Interest} else None


def _source_or_none(value: str) -> Source | None:
    return Source(value) if value in {member.value for member in Source} else None
