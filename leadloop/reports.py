"""The funnel of a period: what `/lead stats`, `leadbot report` and the digest show."""

from __future__ import annotations

from collections import defaultdict

from leadloop.context import Loop
from leads.funnel import Funnel, Period, Row, merge_rows
from storage.reports import GroupCounts, funnel_counts

ALL = "all"


async def funnel_of(loop: Loop, period: Period) -> Funnel:
    """Count the funnel of the leads captured in `period`: in total, by source, by event."""
    async with loop.db.read() as session:
        counts = await funnel_counts(session, period)
    rows = {key: _row(key, group) for key, group in counts.items()}
    by_source: dict[str, list[Row]] = defaultdict(list)
    by_event: dict[str, list[Row]] = defaultdict(list)
    for (source, event), row in rows.items():
        by_source[source].append(row)
        by_event[event].append(row)
    return Funnel(
        period=period,
        total=merge_rows(ALL, list(rows.values())),
        by_source=_biggest_first(by_source),
        by_event=_biggest_first(by_event),
    )


def _row(key: tuple[str, str], group: GroupCounts) -> Row:
    return Row(
        key="/".join(key),
        reached={**group.reached, "won": group.won},
        lost=group.lost,
        won_value=group.won_value,
        hot_to_claim=group.hot_to_claim,
        sla_breaches=group.sla_breaches,
        loss_reasons=group.loss_reasons,
    )


def _biggest_first(groups: dict[str, list[Row]]) -> list[Row]:
    merged = [merge_rows(key, rows) for key, rows in groups.items()]
    return sorted(merged, key=lambda row: (-row.count("captured"), row.key))
