"""Reminder buttons: the values they carry, and the DM's Block Kit limits."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from blocks.nurture import MAX_REMINDERS_PER_MESSAGE, Reminder, delay_label, reminder_message
from handlers.nurture_actions import _value
from leads.lead import Lead
from leads.model import LeadDraft, Stage


def _body(value: object) -> dict[str, object]:
    return {"actions": [{"action_id": "nurture_done", "value": value}]}


@given(st.one_of(st.text(max_size=40), st.integers(), st.none()))
def test_any_button_value_reads_as_a_step_or_as_nothing(value: object) -> None:
    step, choice = _value(_body(value))
    assert step >= 0
    assert isinstance(choice, str)
    if step == 0:
        assert choice == ""


def test_button_values_carry_the_step_and_the_snooze_choice() -> None:
    assert _value(_body("42")) == (42, "")
    assert _value(_body("42:7d")) == (42, "7d")
    assert _value(_body("0")) == (0, "")
    assert _value({"actions": "odd"}) == (0, "")


def test_delays_read_as_days_and_weeks_in_both_languages() -> None:
    assert delay_label("1d", "en") == "1 day(s)"
    assert delay_label("7d", "en") == "1 week(s)"
    assert delay_label("7d", "ja") == "1週間"
    assert delay_label("2h", "ja") == "2時間"


def test_a_full_reminder_message_stays_within_block_kit_limits() -> None:
    lead = Lead(
        id=1,
        profile=LeadDraft(name="<!channel>" * 50, company="Initech"),
        stage=Stage.NURTURING,
        owner=None,
        score=10,
        fit=0.0,
        engagement=0.0,
        reasons=(),
        region="",
        touch_count=1,
        captured_by="U1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    reminders = [
        Reminder(n, lead, "email", "Send it", "x" * 2000, "plan", 1, 3)
        for n in range(MAX_REMINDERS_PER_MESSAGE)
    ]
    message = reminder_message(reminders, "en", ("1d", "7d"))
    assert len(message["blocks"]) <= 50
    assert "<!channel>" not in str(message)
    block_ids = [b["block_id"] for b in message["blocks"] if b["type"] == "actions"]
    assert len(block_ids) == len(set(block_ids))
