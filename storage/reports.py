"""The funnel's numbers, counted in SQL from the stage history: a few GROUP BY queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from leads.funnel import Period
from storage.tables import AuditRow, LeadRow, StageHistoryRow

# History stages that are funnel steps, by the name the funnel gives them.
REACHED = {"new": "captured", "hot": "hot", "claimed": "claimed", "meeting": "meeting"}
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
    await _reached(session, in_period, counts)
    await _outcomes(session, in_period, counts)
    await _speed(session, in_period, counts)
    await _breaches(session, in_period, counts)
    return counts


def _captured_in(period: Period) -> ColumnElement[bool]:
    if period.start is None:
        return LeadRow.created_at < period.end
    return and_(LeadRow.created_at >= period.start, LeadRow.created_at < period.end)


async def _reached(session: AsyncSession, in_period: ColumnElement[bool], counts: Counts) -> None:
    """Each lead counts once at every step its history passed."""
    rows = await session.execute(
        select(
            LeadRow.source,
            LeadRow.event,
            StageHistoryRow.to_stage,
            func.count(func.distinct(StageHistoryRow.lead_id)),
        )
        .join(LeadRow, LeadRow.id == StageHistoryRow.lead_id)
        .where(in_period, StageHistoryRow.to_stage.in_(list(REACHED)))
        .group_by(LeadRow.source, LeadRow.event, StageHistoryRow.to_stage)
    )
    for source, event, stage, count in rows:
        counts[(source, event)].reached[REACHED[stage]] = int(count)


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
        .where(in_period, LeadRow.outcome.in_(("won", "lost")))
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
    rows = await session.execute(
        select(LeadRow.source, LeadRow.event, LeadRow.hot_at, LeadRow.claimed_at).where(
            in_period, LeadRow.claimed_at.is_not(None), LeadRow.hot_at.is_not(None)
        )
    )
    for source, event, hot_at, claimed_at in rows:
        if hot_at is not None and claimed_at is not None:
            seconds = max((claimed_at - hot_at).total_seconds(), 0.0)
            counts[(source, event)].hot_to_claim.append(seconds)


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
