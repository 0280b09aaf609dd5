"""What outcomes taught, stored: tallies of decided leads, weights, and applying them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Float, case, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from leads.calibration import Tally, Weight
from leads.funnel import Dimension
from storage.db import Database
from storage.rescore import lead_id_ranges
from storage.tables import CalibrationRow, LeadRow
from storage.upsert import upsert

DECIDED = ("won", "lost")
APPLY_CHUNK = 20_000


async def tallies(session: AsyncSession, dimension: Dimension) -> dict[str, Tally]:
    """Decided leads and wins per value of `dimension` (the latest outcome of each lead)."""
    column = LeadRow.source if dimension == Dimension.SOURCE else LeadRow.event
    rows = await session.execute(
        select(column, func.count(), func.sum(case((LeadRow.outcome == "won", 1), else_=0)))
        .where(LeadRow.outcome.in_(DECIDED))
        .group_by(column)
    )
    return {value: Tally(wins=int(wins or 0), decided=int(count)) for value, count, wins in rows}


async def stored_weights(
    session: AsyncSession, wanted: Iterable[tuple[Dimension, str]] | None = None
) -> list[Weight]:
    """Weights learned so far (all of them, or those of these dimension/value pairs)."""
    query = select(CalibrationRow)
    if wanted is not None:
        pairs = [(dimension.value, value) for dimension, value in wanted]
        if not pairs:
            return []
        query = query.where(tuple_(CalibrationRow.dimension, CalibrationRow.value).in_(pairs))
    return [_weight(row) for row in await session.scalars(query)]


async def take_changes_since_digest(session: AsyncSession) -> list[tuple[Weight, float]]:
    """Weights whose points changed since the last digest, with the points it showed; from
    now on they count as shown."""
    rows = list(
        await session.scalars(
            select(CalibrationRow)
            .where(CalibrationRow.points != CalibrationRow.digest_points)
            .order_by(CalibrationRow.dimension, CalibrationRow.value)
            .with_for_update()
        )
    )
    changes = [(_weight(row), row.digest_points) for row in rows]
    for row in rows:
        row.digest_points = row.points
    return changes


async def save_weights(session: AsyncSession, weights: Sequence[Weight], now: datetime) -> None:
    """Store the new weights (what the last digest showed is kept)."""
    for weight in weights:
        await upsert(
            session,
            CalibrationRow,
            {
                "dimension": weight.dimension.value,
                "value": weight.value,
                "wins": weight.tally.wins,
                "decided": weight.tally.decided,
                "rate": weight.rate,
                "points": weight.points,
                "digest_points": 0.0,
                "updated_at": now,
            },
            key=("dimension", "value"),
            keep=("digest_points",),
        )


async def apply_weights(db: Database, weights: Sequence[Weight]) -> int:
    """Give every lead the points of its source and event, in id-range chunks; returns how
    many changed. `fit` carries them, so decay and hotness need nothing new."""
    points = _points_sql(weights)
    changed = 0
    for after, upto in await lead_id_ranges(db, APPLY_CHUNK):
        if db.winding_down:
            break
        async with db.write() as session:
            result = await session.execute(
                update(LeadRow)
                .where(LeadRow.id > after, LeadRow.id <= upto, LeadRow.calibration != points)
                .values(fit=LeadRow.fit - LeadRow.calibration + points, calibration=points)
                .execution_options(synchronize_session=False)
            )
            changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def _points_sql(weights: Sequence[Weight]) -> ColumnElement[float]:
    """The calibration points of a row, its source's plus its event's, as one SQL expression."""
    by_source = {w.value: w.points for w in weights if w.dimension == Dimension.SOURCE and w.points}
    by_event = {w.value: w.points for w in weights if w.dimension == Dimension.EVENT and w.points}
    zero = literal(0.0, Float)
    source = case(by_source, value=LeadRow.source, else_=zero) if by_source else zero
    event = case(by_event, value=LeadRow.event, else_=zero) if by_event else zero
    return source + event


def _weight(row: CalibrationRow) -> Weight:
    return Weight(
        dimension=Dimension(row.dimension),
        value=row.value,
        tally=Tally(wins=row.wins, decided=row.decided),
        rate=row.rate,
        points=row.points,
    )
