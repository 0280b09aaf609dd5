"""Deal outcomes from the card: Won with a value, Lost with a reason, corrections, recycling,
and reminders about deals left open."""

from __future__ import annotations

import csv
import io
from typing import Any

from leads.config import LeadbotConfig, OutcomeSettings
from leads.model import Stage
from storage.tables import AuditRow, OutboxRow, StageHistoryRow
from tests.conftest import StartLeadbot
from tests.harness import (
    Leadbot,
    block_texts,
    button_ids,
    claimed_by,
    click,
    ephemerals_to,
    lead_now,
    open_outcome_form,
    record_outcome,
    rows_of,
    shown,
    submit_outcome_form,
    until_stage,
)

ANN, BOB, ADMIN, MANAGER = "U0ANN", "U0BOB", "U0ADMIN", "U0MANAGER"
REASONS = ["Budget", "Timing", "Competitor", "No response", "Not a fit", "Other"]


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form's input blocks by label."""
    return {block["label"]["text"]: block for block in view["blocks"] if block["type"] == "input"}


async def settled_card(leadbot: Leadbot, lead_id: int, updates: int) -> list[dict[str, Any]]:
    """The card once `updates` redraws reached Slack."""
    await leadbot.slack.wait_for("chat.update", count=updates)
    await leadbot.settle()
    [lead] = [lead for lead in await leadbot.leads() if lead.id == lead_id]
    return shown(leadbot, lead)


async def test_won_asks_for_an_optional_deal_value_and_records_it(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)

    view = await open_outcome_form(leadbot, lead, ANN, "lead_won")
    field = inputs(view)["Deal value"]
    assert field["optional"] is True
    assert field["element"]["type"] == "number_input"
    reply = await submit_outcome_form(leadbot, view, ANN, value="1,500,000")

    assert (reply.status, reply.text) == (200, "")
    card = await settled_card(leadbot, lead.id, 2)
    assert "Outcome: *Won* · ¥1,500,000 · recorded by <@U0ANN>" in block_texts(card)
    [won] = await rows_of(leadbot, StageHistoryRow, lead_id=lead.id, to_stage="won")
    assert (won.from_stage, won.actor, won.value) == ("claimed", ANN, 1_500_000)


async def test_won_without_a_value_is_fine_and_a_bad_value_is_refused(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    view = await open_outcome_form(leadbot, lead, ANN, "lead_won")

    refused = await submit_outcome_form(leadbot, view, ANN, value="lots")
    assert refused.json()["errors"]["deal_value"].startswith("Enter an amount")
    assert (await lead_now(leadbot, lead)).stage == Stage.CLAIMED

    assert (await submit_outcome_form(leadbot, view, ANN)).text == ""
    await until_stage(leadbot, lead, Stage.WON)


async def test_lost_requires_a_reason_from_the_list_and_words_for_other(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    view = await open_outcome_form(leadbot, lead, ANN, "lead_lost")
    reason = inputs(view)["Reason"]
    assert [option["text"]["text"] for option in reason["element"]["options"]] == REASONS

    no_reason = await submit_outcome_form(leadbot, view, ANN)
    assert no_reason.json()["errors"] == {"lost_reason": "Choose a reason"}
    other = await submit_outcome_form(leadbot, view, ANN, reason="other")
    assert "lost_detail" in other.json()["errors"]
    assert await leadbot.count(StageHistoryRow, lead_id=lead.id, to_stage="lost") == 0

    done = await submit_outcome_form(leadbot, view, ANN, reason="other", detail="Went in-house")
    assert done.text == ""
    card = await settled_card(leadbot, lead.id, 2)
    assert "Outcome: *Lost* · Other: Went in-house" in block_texts(card)
    stored = await lead_now(leadbot, lead)
    assert stored.decision is not None
    assert (stored.decision.reason, stored.decision.detail) == ("other", "Went in-house")


async def test_a_not_now_loss_can_be_nurtured_again(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "lost", reason="timing")
    card = await settled_card(leadbot, lead.id, 2)
    assert button_ids(card) == {
        "Change outcome": "lead_change_outcome",
        "Nurture again": "lead_recycle",
    }

    await click(leadbot, "lead_recycle", lead, ANN)
    await until_stage(leadbot, lead, Stage.RECYCLED)
    history = await rows_of(leadbot, StageHistoryRow, lead_id=lead.id)
    assert [(row.from_stage, row.to_stage) for row in history][-2:] == [
        ("claimed", "lost"),
        ("lost", "recycled"),
    ]


async def test_a_budget_loss_is_not_offered_nurture(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "lost", reason="budget")
    card = await settled_card(leadbot, lead.id, 2)
    assert button_ids(card) == {"Change outcome": "lead_change_outcome"}

    await click(leadbot, "lead_recycle", lead, ANN)  # a forged or stale click
    [note] = await ephemerals_to(leadbot, ANN)
    assert "timing or fit" in note
    assert (await lead_now(leadbot, lead)).stage == Stage.LOST


async def test_only_the_owner_or_an_admin_gets_the_form(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(LeadbotConfig(admins=(ADMIN,)))
    lead = await claimed_by(leadbot, ANN)

    await click(leadbot, "lead_won", lead, BOB)
    [note] = await ephemerals_to(leadbot, BOB)
    assert note == f"Only <@{ANN}>, who owns this lead, or an admin can record its outcome."
    assert leadbot.slack.calls_to("views.open") == []

    view = await open_outcome_form(leadbot, lead, ADMIN, "lead_won")
    assert (await submit_outcome_form(leadbot, view, ADMIN, value="10")).text == ""
    await until_stage(leadbot, lead, Stage.WON)
    assert (await lead_now(leadbot, lead)).owner == ANN


async def test_a_form_submitted_by_someone_else_is_refused_on_the_form(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    view = await open_outcome_form(leadbot, lead, ANN, "lead_won")

    forged = await submit_outcome_form(leadbot, view, BOB, value="10")

    assert "Only <@U0ANN>" in forged.json()["errors"]["deal_value"]
    assert (await lead_now(leadbot, lead)).stage == Stage.CLAIMED


async def test_change_outcome_corrects_through_the_history(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "won", value="300")
    await until_stage(leadbot, lead, Stage.WON)

    view = await open_outcome_form(leadbot, lead, ANN, "lead_change_outcome")
    assert set(inputs(view)) == {"Outcome", "Deal value", "Reason", "Details"}
    reply = await submit_outcome_form(leadbot, view, ANN, outcome="lost", reason="competitor")
    assert reply.text == ""
    await until_stage(leadbot, lead, Stage.LOST)

    card = await settled_card(leadbot, lead.id, 3)
    assert "Outcome: *Lost* · Competitor" in block_texts(card)
    history = await rows_of(leadbot, StageHistoryRow, lead_id=lead.id)
    assert [(row.from_stage, row.to_stage, row.reason) for row in history][-2:] == [
        ("claimed", "won", ""),
        ("won", "lost", "competitor"),
    ]
    stored = await lead_now(leadbot, lead)
    assert stored.decision is not None
    assert stored.decision.value is None
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="outcome") == 2


async def test_change_outcome_back_to_no_outcome_reopens_the_deal(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "meeting")
    await until_stage(leadbot, lead, Stage.MEETING)
    view = await open_outcome_form(leadbot, lead, ANN, "lead_change_outcome")

    await submit_outcome_form(leadbot, view, ANN, outcome="claimed")

    await until_stage(leadbot, lead, Stage.CLAIMED)
    card = await settled_card(leadbot, lead.id, 3)
    assert set(button_ids(card)) == {"Meeting booked", "Won", "Lost"}


async def test_a_claim_without_an_outcome_has_nothing_to_change(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await click(leadbot, "lead_change_outcome", lead, ANN)

    [note] = await ephemerals_to(leadbot, ANN, count=1)
    assert "no outcome to change" in note


STALE = LeadbotConfig(
    outcomes=OutcomeSettings(
        remind_owner_after_days=14, remind_manager_after_days=7, manager=MANAGER
    )
)


async def test_a_deal_left_open_reminds_its_owner_then_the_manager_once(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(STALE)
    await claimed_by(leadbot, ANN)
    leadbot.clock.advance(days=13, hours=23)
    await leadbot.settle()
    assert len(await leadbot.posted_to(ANN, timeout=0)) == 1  # the claim DM only

    leadbot.clock.advance(hours=2)
    await leadbot.settle()
    [_, reminder] = await leadbot.posted_to(ANN, count=2)
    assert "no outcome is recorded yet" in block_texts(reminder.args["blocks"])
    assert set(button_ids(reminder.args["blocks"])) == {"Meeting booked", "Won", "Lost"}
    assert await leadbot.posted_to(MANAGER, timeout=0) == []

    leadbot.clock.advance(days=7)
    await leadbot.settle()
    [nudge] = await leadbot.posted_to(MANAGER)
    assert f"claimed by <@{ANN}> 21 days ago" in nudge.args["text"]
    leadbot.clock.advance(days=30)
    await leadbot.settle()
    assert len(await leadbot.posted_to(ANN, timeout=0)) == 2
    assert len(await leadbot.posted_to(MANAGER, timeout=0)) == 1


async def test_a_decided_deal_is_not_reminded(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(STALE)
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "won")
    await until_stage(leadbot, lead, Stage.WON)

    leadbot.clock.advance(days=30)
    await leadbot.settle()

    assert len(await leadbot.posted_to(ANN, timeout=0)) == 1
    assert await leadbot.posted_to(MANAGER, timeout=0) == []
    reminders = await rows_of(leadbot, OutboxRow, lead_id=lead.id, only_if="undecided")
    assert {row.status for row in reminders} == {"cancelled"}


async def test_the_export_has_the_outcome_columns(leadbot: Leadbot) -> None:
    from bot.export import export_leads

    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "meeting")
    await until_stage(leadbot, lead, Stage.MEETING)
    leadbot.clock.advance(days=3)
    await record_outcome(leadbot, lead, ANN, "lost", reason="no_response")
    await until_stage(leadbot, lead, Stage.LOST)

    output = io.StringIO()
    await export_leads(leadbot.svc.db, output, fmt="csv")
    [row] = list(csv.DictReader(io.StringIO(output.getvalue())))
    assert row["status"] == "lost"
    assert row["lost_reason"] == "no_response"
    assert (row["deal_value"], row["won_at"]) == ("", "")
    assert row["meeting_at"] == "2026-11-24T10:00:00+00:00"
    assert row["lost_at"] == "2026-11-27T10:00:00+00:00"
