"""The funnel counted from the stage history, per period, in the rules file's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadloop.reports import funnel_of
from leads.config import LeadbotConfig, ReportSettings
from leads.funnel import Funnel, Row, period
from tests.conftest import StartLeadbot
from tests.harness import Leadbot, block_texts
from tests.seeding import seed_lead

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
TOKYO = LeadbotConfig(reports=ReportSettings(timezone="Asia/Tokyo"))


def utc(month: int, day: int, hour: int = 1, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def seed_history(leadbot: Leadbot) -> None:
    """Seven leads; the comments say which periods count them (Tokyo time)."""
    db = leadbot.svc.db
    # A, B, C, E, G: the last 7 days in Tokyo. D and E sit on either side of Tokyo's midnight.
    await seed_lead(
        db,
        1,
        utc(11, 20),
        [("hot", 0 * MINUTE), ("claimed", 5 * MINUTE), ("meeting", DAY), ("won", 2 * DAY)],
        value=1000,
        event="Tokyo Expo",
    )
    await seed_lead(
        db,
        2,
        utc(11, 21),
        [("hot", 0 * MINUTE), ("claimed", 10 * MINUTE), ("lost", DAY)],
        reason="budget",
        event="Tokyo Expo",
    )
    await seed_lead(db, 3, utc(11, 22), [], source="seminar", event="Webinar")
    await seed_lead(db, 4, utc(11, 17, 14, 59), [("hot", MINUTE)], source="web")
    await seed_lead(
        db,
        5,
        utc(11, 17, 15, 0),
        [("hot", 0 * MINUTE), ("claimed", 2 * HOUR), ("won", DAY)],
        value=500,
        source="web",
        breach=True,
    )
    await seed_lead(
        db, 6, utc(9, 1), [("hot", 0 * MINUTE), ("lost", DAY)], reason="timing", event="Tokyo Expo"
    )
    # G was won, then the owner corrected it to lost: it counts as lost.
    await seed_lead(db, 7, utc(11, 23), [("hot", 0 * MINUTE), ("claimed", MINUTE),
                    ("won", HOUR), ("lost", 2 * HOUR)], value=9999, reason="competitor",
                    source="referral")  # fmt: skip


async def funnel(leadbot: Leadbot, name: str, timezone: str = "Asia/Tokyo") -> Funnel:
    chosen = period(name, now=NOW, timezone=timezone)
    assert chosen is not None
    return await funnel_of(leadbot.svc.loop, chosen)


def steps(row: Row) -> tuple[int, ...]:
    return (*(row.count(s) for s in ("captured", "hot", "claimed", "meeting", "won")), row.lost)


async def test_the_last_seven_days_counted_by_hand(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(TOKYO)
    await seed_history(leadbot)

    total = (await funnel(leadbot, "7d")).total

    assert steps(total) == (5, 4, 4, 1, 2, 2)  # A B C E G; won A E; lost B G
    assert total.win_rate == pytest.approx(0.5)
    assert total.won_value == 1500  # G's corrected win is not counted
    assert sorted(total.hot_to_claim) == [60, 300, 600, 7200]
    assert (total.median_hot_to_claim, total.p90_hot_to_claim) == (300, 7200)
    assert total.sla_breaches == 1
    assert [(r.value, n) for r, n in total.top_loss_reasons()] == [("budget", 1), ("competitor", 1)]
    assert total.conversion("hot") == pytest.approx(0.8)
    assert total.drop_off("meeting") == 3


async def test_by_source_and_by_event(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(TOKYO)
    await seed_history(leadbot)

    found = await funnel(leadbot, "7d")

    sources = {row.key: steps(row) for row in found.by_source}
    assert sources == {
        "event": (2, 2, 2, 1, 1, 1),
        "seminar": (1, 0, 0, 0, 0, 0),
        "web": (1, 1, 1, 0, 1, 0),
        "referral": (1, 1, 1, 0, 0, 1),
    }
    events = {row.key: steps(row) for row in found.by_event}
    assert events["Tokyo Expo"] == (2, 2, 2, 1, 1, 1)
    assert events["Webinar"] == (1, 0, 0, 0, 0, 0)
    assert events[""] == (2, 2, 2, 0, 1, 1)
    assert found.by_source[0].key == "event"  # biggest first


@pytest.mark.parametrize(
    ("name", "timezone", "captured"),
    [
        ("7d", "Asia/Tokyo", 5),
        ("7d", "UTC", 4),  # E was captured on Tuesday 00:00 in Tokyo, Monday in UTC
        ("30d", "Asia/Tokyo", 6),
        ("90d", "Asia/Tokyo", 7),
        ("all", "Asia/Tokyo", 7),
        ("1d", "Asia/Tokyo", 0),
    ],
)
async def test_periods_in_the_rules_time_zone(
    start_leadbot: StartLeadbot, name: str, timezone: str, captured: int
) -> None:
    leadbot = await start_leadbot(TOKYO)
    await seed_history(leadbot)

    assert (await funnel(leadbot, name, timezone)).total.count("captured") == captured


async def test_lead_stats_answers_privately_in_words(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(TOKYO)
    leadbot.clock.now = NOW
    await seed_history(leadbot)

    reply = (await leadbot.command("stats 7d")).json()
    texts = block_texts(reply["blocks"])

    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert "Funnel of the leads captured in the last 7 days" in texts
    assert "Captured 5 → Hot 4 (80%) → Claimed 4 (100%) → Meeting 1 (25%) → Won 2" in texts
    assert "Win rate 50%" in texts
    assert "median 5 min, 90% within 2 h" in texts
    assert "SLA breaches 1" in texts
    assert "won value ¥1,500" in texts
    assert "Top loss reasons: Budget 1, Competitor 1" in texts
    assert "Tokyo Expo" in texts


async def test_lead_stats_in_japanese_and_with_a_bad_period(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(TOKYO)
    leadbot.slack.add_user("U0JA", locale="ja-JP")
    leadbot.clock.now = NOW
    await seed_history(leadbot)

    texts = block_texts((await leadbot.command("stats all", user="U0JA")).json()["blocks"])
    assert "全期間に獲得したリードのファネル" in texts
    assert "獲得 7 → ホット 6" in texts

    usage = (await leadbot.command("stats yesterday")).json()["text"]
    assert usage.startswith("Say which period")


async def test_slow_counting_answers_first_then_by_response_url(
    start_leadbot: StartLeadbot,
) -> None:
    config = LeadbotConfig(reports=ReportSettings(timezone="Asia/Tokyo", reply_within_seconds=0))
    leadbot = await start_leadbot(config)
    leadbot.clock.now = NOW
    await seed_history(leadbot)

    first = (await leadbot.command("stats")).json()
    [later] = await leadbot.slack.wait_for("response_url")

    assert "Counting the funnel" in first["text"]
    assert "Captured 6" in block_texts(later.args["blocks"])  # 30 days by default
    assert later.args["response_type"] == "ephemeral"


async def test_an_empty_period_says_so(leadbot: Leadbot) -> None:
    texts = block_texts((await leadbot.command("stats 7d")).json()["blocks"])
    assert "No leads were captured in the last 7 days." in texts
