"""The weekly digest: last week's funnel, a chart and what calibration changed, posted once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from blocks.charts import funnel_chart
from blocks.digest import digest_summary
from leadloop.context import Loop
from leadloop.messages import upload_message
from leadloop.reports import funnel_of
from leads.calibration import Tally, Weight
from leads.funnel import Dimension, Period, last_week
from storage.calibration import take_changes_since_digest
from storage.outbox import enqueue, is_owed

DIGEST = "digest"


@dataclass(frozen=True)
class DigestOwed:
    """Whether this run made the digest of `week` owed (False: it already was)."""

    week: str
    owed: bool
    channel: str


def digest_key(week: str) -> str:
    """The dedupe key that makes each week's digest owed once, whatever the replicas."""
    return f"digest:{week}"


def digest_time_came(loop: Loop, now: datetime) -> bool:
    """Whether this week's digest day and hour have come in the rules file's time zone."""
    local = now.astimezone(ZoneInfo(loop.config.timezone))
    settings = loop.config.reports
    return (local.weekday(), local.hour) >= (settings.digest_weekday, settings.digest_hour)


async def owe_digest(loop: Loop, *, now: datetime, now_or_never: bool) -> DigestOwed | None:
    """Owe last week's digest to the marketing channel, once; None without a channel, or
    (unless `now_or_never`) before this week's digest time."""
    channel = loop.marketing_channel
    if not channel or (not now_or_never and not digest_time_came(loop, now)):
        return None
    span = last_week(now=now, timezone=loop.config.timezone)
    week = span.name
    key = digest_key(week)
    intent: dict[str, Any] = {
        "kind": DIGEST,
        "week": week,
        "start": span.start.isoformat() if span.start else None,
        "end": span.end.isoformat(),
    }
    async with loop.db.write() as session:
        if await is_owed(session, key):
            return DigestOwed(week, owed=False, channel=channel)
        changes = await take_changes_since_digest(session)
        intent["calibration"] = [_change_json(weight, before) for weight, before in changes]
        await enqueue(session, [upload_message(key, channel, intent, now=now)], now)
    return DigestOwed(week, owed=True, channel=channel)


async def render_digest(loop: Loop, intent: dict[str, Any], channel: str) -> dict[str, Any]:
    """The digest's upload: the chart PNG, with the funnel summary as its comment."""
    start, end = (datetime.fromisoformat(str(intent[key])) for key in ("start", "end"))
    week = str(intent["week"])
    funnel = await funnel_of(loop, Period(week, start, end))
    changed = [_change_of(item) for item in intent.get("calibration") or []]
    language = loop.channel_language
    return {
        "channel": channel,
        "content": await asyncio.to_thread(funnel_chart, funnel, language),
        "filename": f"funnel-{week}.png",
        "title": week,
        "initial_comment": digest_summary(funnel, changed, language, loop.config.outcomes.currency),
    }


def _change_json(weight: Weight, before: float) -> dict[str, Any]:
    """A calibration change as the digest's intent keeps it."""
    tally = weight.tally
    return {
        "dimension": weight.dimension.value,
        "value": weight.value,
        "wins": tally.wins,
        "decided": tally.decided,
        "rate": weight.rate,
        "points": weight.points,
        "before": before,
    }


def _change_of(item: dict[str, Any]) -> tuple[Weight, float]:
    tally = Tally(int(item["wins"]), int(item["decided"]))
    weight = Weight(
        Dimension(item["dimension"]),
        str(item["value"]),
        tally,
        float(item["rate"]),
        float(item["points"]),
    )
    return weight, float(item["before"])
