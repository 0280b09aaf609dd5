"""Pure funnel maths, periods in a time zone, calibration's smoothed rates, outcome forms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.views import View

from blocks.outcome_forms import (
    OutcomeContext,
    change_form,
    lost_form,
    read_change,
    read_lost,
    read_won,
    won_form,
)
from blocks.reports import stats_message
from blocks.words import money
from leads.calibration import Tally, points_for, smoothed_rate, weights
from leads.config import CalibrationSettings
from leads.funnel import Dimension, Funnel, Period, Row, last_week, merge_rows, percentile, period
from leads.language import LANGUAGES, Language
from leads.lead import Lead
from leads.model import LeadDraft, Stage
from leads.outcomes import LostReason, lost_problem, read_deal_value

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday; 19:00 in Tokyo


@pytest.mark.parametrize(
    ("name", "timezone", "start"),
    [
        ("7d", "UTC", datetime(2026, 11, 18, tzinfo=UTC)),
        ("7d", "Asia/Tokyo", datetime(2026, 11, 17, 15, tzinfo=UTC)),
        ("1d", "Asia/Tokyo", datetime(2026, 11, 23, 15, tzinfo=UTC)),
        ("30d", "America/New_York", datetime(2026, 10, 26, 4, tzinfo=UTC)),  # EDT ends on 1 Nov
        ("all", "UTC", None),
        ("", "UTC", datetime(2026, 10, 26, tzinfo=UTC)),  # 30 days by default
        (" 90D ", "UTC", datetime(2026, 8, 27, tzinfo=UTC)),
    ],
)
def test_periods_start_at_local_midnight(name: str, timezone: str, start: datetime | None) -> None:
    found = period(name, now=NOW, timezone=timezone)
    assert found is not None
    assert (found.start, found.end) == (start, NOW)


@pytest.mark.parametrize("name", ["week", "0d", "-7d", "7", "99999d", "7d7d"])
def test_not_a_period(name: str) -> None:
    assert period(name, now=NOW, timezone="UTC") is None


def test_last_week_is_the_complete_iso_week_before() -> None:
    week = last_week(now=NOW, timezone="Asia/Tokyo")
    assert week.name == "2026-W47"
    assert week.start == datetime(2026, 11, 15, 15, tzinfo=UTC)  # Monday 16th, Tokyo
    assert week.end == datetime(2026, 11, 22, 15, tzinfo=UTC)
    before = last_week(now=datetime(2026, 11, 22, 14, 59, tzinfo=UTC), timezone="Asia/Tokyo")
    assert before.name == "2026-W46"


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [([], 50, None), ([3.0], 90, 3.0), ([4, 1, 3, 2], 50, 2), ([4, 1, 3, 2], 90, 4),
     (list(range(1, 11)), 90, 9), (list(range(1, 11)), 50, 5)],
)  # fmt: skip
def test_nearest_rank_percentile(values: list[float], pct: float, expected: float | None) -> None:
    assert percentile(values, pct) == expected


ROW = Row(
    key="event",
    reached={"captured": 10, "hot": 4, "claimed": 3, "meeting": 2, "won": 1},
    lost=2,
    won_value=100.0,
    hot_to_claim=[60.0, 600.0, 6000.0],
    loss_reasons={"budget": 2, "unknown-code": 5},
)


def test_row_conversions_drop_off_and_win_rate() -> None:
    assert ROW.conversion("captured") is None
    assert ROW.conversion("hot") == pytest.approx(0.4)
    assert ROW.drop_off("hot") == 6
    assert ROW.win_rate == pytest.approx(1 / 3)
    assert ROW.top_loss_reasons() == [(LostReason.BUDGET, 2)]
    assert Row("x", {}).win_rate is None
    assert Row("x", {"hot": 3}).conversion("hot") is None


def test_rows_add_up() -> None:
    total = merge_rows("all", [ROW, ROW])
    assert total.count("captured") == 20
    assert (total.lost, total.won_value, len(total.hot_to_claim)) == (4, 200.0, 6)
    assert total.loss_reasons["budget"] == 4


@pytest.mark.parametrize(
    ("tally", "base", "expected_rate"),
    [
        (Tally(3, 4), Tally(20, 100), (3 + 10 * 0.2) / (4 + 10)),  # 3 of 4 is not read as 75%
        (Tally(0, 0), Tally(20, 100), 0.2),
        (Tally(8, 31), Tally(20, 100), (8 + 2) / 41),
    ],
)
def test_smoothed_rate(tally: Tally, base: Tally, expected_rate: float) -> None:
    settings = CalibrationSettings(enabled=True)
    rate, _ = points_for(tally, base, settings)
    assert rate == pytest.approx(expected_rate)
    assert smoothed_rate(tally, base.wins / base.decided, 10) == pytest.approx(expected_rate)


@given(
    wins=st.integers(0, 500),
    losses=st.integers(0, 500),
    base_wins=st.integers(0, 1000),
    base_losses=st.integers(0, 1000),
    max_points=st.integers(0, 50),
)
def test_points_are_bounded_and_point_the_right_way(
    wins: int, losses: int, base_wins: int, base_losses: int, max_points: int
) -> None:
    settings = CalibrationSettings(enabled=True, max_points=max_points, min_decided=0)
    tally, base = Tally(wins, wins + losses), Tally(base_wins, base_wins + base_losses)
    rate, points = points_for(tally, base, settings)
    assert -max_points <= points <= max_points
    if base.decided and 0 < base.wins < base.decided:
        base_rate = base.wins / base.decided
        assert (points > 0) <= (rate > base_rate)
        assert (points < 0) <= (rate < base_rate)


def test_few_decided_leads_earn_nothing() -> None:
    tallies = {"Tokyo Expo": Tally(3, 3), "Osaka Fair": Tally(10, 40), "": Tally(1, 1)}
    found = weights(Dimension.EVENT, tallies, CalibrationSettings(enabled=True, min_decided=5))
    assert [(w.value, w.points == 0) for w in found] == [
        ("Osaka Fair", False),
        ("Tokyo Expo", True),
    ]


@pytest.mark.parametrize(
    ("typed", "value", "problem"),
    [
        ("", None, None), ("  ", None, None), ("1200000", 1_200_000, None),
        ("1,200,000", 1_200_000, None), ("¥ 50 000", 50_000, None), ("12.5", 12.5, None),
        ("-3", None, "deal_value_invalid"), ("lots", None, "deal_value_invalid"),
        ("nan", None, "deal_value_invalid"), ("1e400", None, "deal_value_invalid"),
    ],
)  # fmt: skip
def test_deal_values(typed: str, value: float | None, problem: str | None) -> None:
    assert read_deal_value(typed) == (value, problem)


@pytest.mark.parametrize(
    ("reason", "detail", "problem"),
    [
        (None, "", "lost_reason_required"),
        (LostReason.OTHER, " ", "lost_detail_required"),
        (LostReason.OTHER, "went in-house", None),
        (LostReason.BUDGET, "", None),
        (LostReason.TIMING, "x" * 501, "lost_detail_too_long"),
    ],
)
def test_lost_needs_a_reason(reason: LostReason | None, detail: str, problem: str | None) -> None:
    assert lost_problem(reason, detail) == problem


@pytest.mark.parametrize(("value", "shown"), [(1200000, "¥1,200,000"), (12.5, "¥12.50")])
def test_money(value: float, shown: str) -> None:
    assert money(value, "JPY") == shown
    assert money(3, "CHF") == "CHF 3"


LEAD = Lead(
    id=7,
    profile=LeadDraft(name="<!channel> Yamada", company="Acme & Co"),
    stage=Stage.CLAIMED,
    owner="U0ANN",
    score=150,
    fit=30,
    engagement=120,
    reasons=(),
    region="JP",
    touch_count=1,
    captured_by="U0STAFF",
    created_at=NOW,
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_outcome_forms_are_valid_and_escape_the_lead(language: Language) -> None:
    context = OutcomeContext(7, Stage.CLAIMED, "C0SALES", "1.000")
    for form in (
        won_form(LEAD, context, language, "JPY"),
        lost_form(LEAD, context, language),
        change_form(LEAD, context, language, "USD"),
    ):
        View(**form).to_dict()
        assert OutcomeContext.decode(form["private_metadata"]) == context
        assert "<!channel>" not in str(form)


def state(**selected: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block, value in selected.items():
        if block in ("lost_reason", "outcome"):
            values[block] = {"value": {"selected_option": {"value": value} if value else None}}
        else:
            values[block] = {"value": {"value": value}}
    return values


def test_reading_the_forms_back() -> None:
    assert read_won(state(deal_value="5000")).value == 5000
    assert read_won(state()).value is None
    assert read_lost(state(lost_reason="budget")).reason == LostReason.BUDGET
    assert read_lost(state(lost_reason="nonsense")).problems is not None
    assert read_change(state(outcome="claimed")).target == Stage.CLAIMED
    assert read_change(state(outcome="hot")).problems is not None
    changed = read_change(state(outcome="lost", lost_reason="other", lost_detail="in-house"))
    assert (changed.target, changed.detail) == (Stage.LOST, "in-house")


@pytest.mark.parametrize(
    "raw", ["", "7", "7|won|C", "x|claimed|C|1", "7|bogus|C|1", "9" * 30 + "|won|C|1"]
)
def test_bad_form_metadata_is_refused(raw: str) -> None:
    assert OutcomeContext.decode(raw) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_stats_message_is_valid_block_kit_with_hostile_event_names(language: Language) -> None:
    from slack_sdk.models.blocks import Block

    hostile = Row(key="<!here> `fair` " + "長" * 40, reached={"captured": 3, "won": 1}, lost=1)
    funnel = Funnel(Period("7d", NOW, NOW), merge_rows("all", [hostile]), [ROW], [hostile] * 20)
    message = stats_message(funnel, language, "JPY")
    for block in message["blocks"]:
        Block.parse(block).to_dict()  # type: ignore[union-attr]
    text = str(message)
    assert "<!here>" not in text
    assert "&lt;!here&gt;" in text
