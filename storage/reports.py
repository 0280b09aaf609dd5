"""The funnel's numbers, counted in SQL from the stage history: a few GROUP BY queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    SQLColumnExpression,
    and_,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from leads.funnel import Period
from storage.tables import AuditRow, LeadRow, StageHistoryRow

# History stages past capture that are funnel steps (the funnel names them as the stages).
REACHED = ("hot", "claimed", "meeting")
SLA_BREACH = "sla_breach"


@dataclass
class GroupCounts:
    """Everything counted for one (source, event) pair."""

    reached: dict[str, int] = field(default_factory=dict)
    won: int = 0
    lost: int = 0
    won_value: float = 0.0
    loss_reasons: dict[str, int] = field(default_factory=dict)
    hot_to_claim: list[float] = field(default_factory=list)
    sla_breaches: int = 0


Counts = dict[tuple[str, str], GroupCounts]


async def funnel_counts(session: AsyncSession, period: Period) -> Counts:
    """The counts of the leads captured in `period`, per source and event."""
    counts: Counts = defaultdict(GroupCounts)
    in_period = _captured_in(period)
    await _captured(session, in_period, counts)
    await _reached(session, in_period, counts)
    await _outcomes(session, in_period, counts)
    await _speed(session, in_period, counts)
    await _breaches(session, in_period, counts)
    return counts


def _captured_in(period: Period) -> ColumnElement[bool]:
    if period.start is None:
        return LeadRow.created_at < period.end
    return and_(LeadRow.created_at >= period.start, LeadRow.created_at < period.end)


async def _captured(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Every lead was captured once (its history starts with "" -> new at that moment), so
    captures are counted from the leads themselves: one index, no sort."""
    rows = await session.execute(
        select(LeadRow.source, LeadRow.event, func.count())
        .where(in_period)
        .group_by(LeadRow.source, LeadRow.event)
    )
    for source, event, count in rows:
        counts[(source, event)].reached["captured"] = int(count)


async def _reached(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Each lead counts once at every later step its history passed."""
    rows = await session.execute(
        select(
            LeadRow.source,
            LeadRow.event,
            StageHistoryRow.to_stage,
            func.count(func.distinct(StageHistoryRow.lead_id)),
        )
        .join(LeadRow, LeadRow.id == StageHistoryRow.lead_id)
        .where(in_period, StageHistoryRow.to_stage.in_(REACHED))
        .group_by(LeadRow.source, LeadRow.event, StageHistoryRow.to_stage)
    )
    for source, event, stage, count in rows:
        counts[(source, event)].reached[stage] = int(count)


async def _outcomes(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Won and lost by each lead's latest outcome (a corrected one counts as corrected)."""
    rows = await session.execute(
        select(
            LeadRow.source,
            LeadRow.event,
            LeadRow.outcome,
            LeadRow.lost_reason,
            func.count(),
            func.coalesce(func.sum(LeadRow.deal_value), 0.0),
        )
        .where(in_period, _WAS_HOT, LeadRow.outcome.in_(("won", "lost")))
        .group_by(LeadRow.source, LeadRow.event, LeadRow.outcome, LeadRow.lost_reason)
    )
    for source, event, outcome, reason, count, value in rows:
        group = counts[(source, event)]
        if outcome == "won":
            group.won += int(count)
            group.won_value += float(value or 0.0)
        else:
            group.lost += int(count)
            group.loss_reasons[reason] = group.loss_reasons.get(reason, 0) + int(count)


async def _speed(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Seconds from hot to claim of every claimed lead (for the median and the 90th)."""
    seconds = _seconds_between(session, LeadRow.hot_at, LeadRow.claimed_at)
    rows = await session.execute(
        select(LeadRow.source, LeadRow.event, seconds).where(
            in_period, _WAS_HOT, LeadRow.claimed_at.is_not(None)
        )
    )
    for source, event, elapsed in rows:
        counts[(source, event)].hot_to_claim.append(max(round(float(elapsed or 0.0), 3), 0.0))


# Every decided or claimed lead was hot once; saying so lets the partial index of hot leads
# answer those queries without reading the other nine leads in ten.
_WAS_HOT = LeadRow.hot_at.is_not(None)


def _seconds_between(
    session: AsyncSession, start: SQLColumnExpression[Any], end: SQLColumnExpression[Any]
) -> ColumnElement[float]:
    """end - start in seconds, computed by the database (no datetime per row in Python)."""
    if session.get_bind().dialect.name == "sqlite":
        days = func.julianday(end) - func.julianday(start)
        return type_coerce(days * literal(86_400.0, Float), Float)
    return type_coerce(func.extract("epoch", end - start), Float)


async def _breaches(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Hot leads that went unclaimed past the SLA (their card was re-announced)."""
    rows = await session.execute(
        select(LeadRow.source, LeadRow.event, func.count(func.distinct(AuditRow.lead_id)))
        .join(LeadRow, LeadRow.id == AuditRow.lead_id)
        .where(in_period, AuditRow.action == SLA_BREACH)
        .group_by(LeadRow.source, LeadRow.event)
    )
    for source, event, count in rows:
        counts[(source, event)].sla_breaches = int(count)
