"""The weekly digest: last week's funnel with a chart, posted once per week to marketing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leads.config import LeadbotConfig, ReportSettings
from storage.tables import OutboxRow
from tests.conftest import StartLeadbot
from tests.harness import MARKETING, Leadbot, rows_of
from tests.seeding import seed_lead

PNG = b"\x89PNG\r\n\x1a\n"
TOKYO = LeadbotConfig(reports=ReportSettings(timezone="Asia/Tokyo"))
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
MONDAY_8 = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 23 Nov, 08:00 in Tokyo
MONDAY_9 = MONDAY_8 + timedelta(hours=1)


async def seed_last_week(leadbot: Leadbot) -> None:
    """Two leads captured in the week of 16-22 November (Tokyo), one of them won."""
    db = leadbot.svc.db
    await seed_lead(
        db,
        1,
        datetime(2026, 11, 17, 2, tzinfo=UTC),
        [("hot", 0 * MINUTE), ("claimed", 5 * MINUTE), ("won", DAY)],
        value=800,
    )
    await seed_lead(db, 2, datetime(2026, 11, 18, 2, tzinfo=UTC), [], source="seminar")
    await seed_lead(db, 3, datetime(2026, 11, 23, 2, tzinfo=UTC), [], source="web")  # this week


async def test_by_hand_it_posts_last_weeks_funnel_with_a_chart_once(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(TOKYO)
    leadbot.clock.now = MONDAY_9 + timedelta(days=1)
    await seed_last_week(leadbot)

    first = await leadbot.run_job("digest", by_hand=True)

    assert first == f"the digest of 2026-W47 is posted to {MARKETING}"
    [upload] = leadbot.slack.uploaded_files(MARKETING)
    assert upload.content.startswith(PNG)
    assert upload.name == "funnel-2026-W47.png"
    assert "*Weekly funnel: 2026-W47*" in upload.initial_comment
    assert "Captured 2 → Hot 1 (50%)" in upload.initial_comment
    assert "won value ¥800" in upload.initial_comment

    second = await leadbot.run_job("digest", by_hand=True)
    assert second == "the digest of 2026-W47 was already posted; nothing new"
    assert len(leadbot.slack.uploaded_files(MARKETING)) == 1


async def test_the_schedule_waits_for_monday_nine_then_posts_once(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(TOKYO)
    await seed_last_week(leadbot)
    leadbot.clock.now = MONDAY_8

    assert await leadbot.run_job("digest") == "no digest to post (not yet)"
    leadbot.clock.now = MONDAY_9
    await leadbot.run_job("digest")
    for _ in range(3):  # later sweeps, or other replicas, the same week
        leadbot.clock.advance(hours=5)
        await leadbot.run_job("digest")
    await leadbot.settle()

    assert len(leadbot.slack.uploaded_files(MARKETING)) == 1
    assert [row.dedupe_key for row in await rows_of(leadbot, OutboxRow, kind="upload")] == [
        "digest:2026-W47"
    ]


async def test_a_restart_does_not_post_it_again(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(TOKYO)
    leadbot.clock.now = MONDAY_9
    await seed_last_week(leadbot)
    await leadbot.run_job("digest", by_hand=True)

    await leadbot.restart()
    await leadbot.run_job("digest")
    await leadbot.settle()

    assert len(leadbot.slack.uploaded_files(MARKETING)) == 1


async def test_the_digest_speaks_the_rules_files_language(start_leadbot: StartLeadbot) -> None:
    config = LeadbotConfig(language="ja", reports=ReportSettings(timezone="Asia/Tokyo"))
    leadbot = await start_leadbot(config)
    leadbot.clock.now = MONDAY_9
    await seed_last_week(leadbot)

    await leadbot.run_job("digest", by_hand=True)

    [upload] = leadbot.slack.uploaded_files(MARKETING)
    assert "*週次ファネル：2026-W47*" in upload.initial_comment
    assert "獲得 2 → ホット 1（50%）" in upload.initial_comment


async def test_the_digest_lists_each_weight_that_changed_with_its_reason(
    start_leadbot: StartLeadbot,
) -> None:
    from leads.config import CalibrationSettings

    config = LeadbotConfig(
        reports=ReportSettings(timezone="Asia/Tokyo"),
        calibration=CalibrationSettings(enabled=True, min_decided=2),
    )
    leadbot = await start_leadbot(config)
    leadbot.clock.now = MONDAY_9
    db = leadbot.svc.db
    for n, (event, outcome) in enumerate(
        [
            ("Tokyo Expo", "won"),
            ("Tokyo Expo", "won"),
            ("Osaka Fair", "lost"),
            ("Osaka Fair", "lost"),
        ]
    ):
        await seed_lead(db, 10 + n, datetime(2026, 10, 1, tzinfo=UTC),
                        [("hot", MINUTE), ("claimed", 2 * MINUTE), (outcome, DAY)],
                        event=event, reason="budget")  # fmt: skip
    await leadbot.run_job("rescore")

    await leadbot.run_job("digest", by_hand=True)

    [upload] = leadbot.slack.uploaded_files(MARKETING)
    assert "Calibration changed:" in upload.initial_comment
    assert "Tokyo Expo: 2 of 2 decided leads won, 100% (was +0)" in upload.initial_comment
    assert "Osaka Fair: 0 of 2 decided leads won, 0% (was +0)" in upload.initial_comment
