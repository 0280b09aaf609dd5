"""Calibration: outcomes teach which events bring customers; scores move, cards say why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leads.config import CalibrationSettings, LeadbotConfig
from storage.tables import CalibrationRow, LeadRow
from tests.conftest import StartLeadbot
from tests.harness import SALES, Leadbot, block_texts, capture, rows_of
from tests.seeding import seed_lead

ON = LeadbotConfig(calibration=CalibrationSettings(enabled=True, pseudo_deals=10, max_points=20))
T0 = datetime(2026, 10, 1, tzinfo=UTC)
DAY = timedelta(days=1)


async def seed_outcomes(leadbot: Leadbot) -> None:
    """Tokyo Expo 2026: 8 of 31 won; Osaka Fair: 2 of 29 won (10 of 60 overall)."""
    n = 0
    for event, won, decided in (("Tokyo Expo 2026", 8, 31), ("Osaka Fair", 2, 29)):
        for i in range(decided):
            n += 1
            outcome = "won" if i < won else "lost"
            path = [("hot", DAY), ("claimed", 2 * DAY), (outcome, 3 * DAY)]
            await seed_lead(leadbot.svc.db, n, T0, path, event=event, reason="budget", value=1.0)


async def test_rescore_learns_smoothed_rates_and_moves_scores(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(ON)
    await seed_outcomes(leadbot)

    await leadbot.run_job("rescore")

    stored = {(row.dimension, row.value): row for row in await rows_of(leadbot, CalibrationRow)}
    tokyo, osaka = stored[("event", "Tokyo Expo 2026")], stored[("event", "Osaka Fair")]
    base = 10 / 60
    assert (tokyo.wins, tokyo.decided) == (8, 31)
    assert tokyo.rate == pytest.approx((8 + 10 * base) / (31 + 10))
    assert osaka.rate == pytest.approx((2 + 10 * base) / (29 + 10))
    assert 0 < tokyo.points <= 20
    assert -20 <= osaka.points < 0
    assert stored[("source", "event")].points == 0  # every lead came from a booth
    leads = await rows_of(leadbot, LeadRow, event="Tokyo Expo 2026")
    assert {lead.calibration for lead in leads} == {tokyo.points}
    assert {lead.fit for lead in leads} == {tokyo.points}


async def test_a_new_lead_gets_the_points_and_its_card_says_why(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(ON)
    await seed_outcomes(leadbot)
    await leadbot.run_job("rescore")
    [tokyo] = await rows_of(leadbot, CalibrationRow, value="Tokyo Expo 2026")

    lead = await capture(
        leadbot, name="Late Visitor", email="late@acme.example", event="Tokyo Expo 2026"
    )

    assert lead.fit == pytest.approx(tokyo.points)
    [card] = await leadbot.posted_to(SALES)
    texts = block_texts(card.args["blocks"])
    assert "Tokyo Expo 2026: 8 of 31 decided leads won, 26%" in texts


async def test_turning_calibration_off_takes_the_points_back(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(ON)
    await seed_outcomes(leadbot)
    await leadbot.run_job("rescore")

    await leadbot.restart(LeadbotConfig())
    await leadbot.run_job("rescore")

    leads = await rows_of(leadbot, LeadRow)
    assert {(lead.calibration, lead.fit) for lead in leads} == {(0.0, 0.0)}
