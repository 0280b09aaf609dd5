"""Claim, Pass and the outcome buttons on the hot-lead card, clicked over real HTTP."""

from __future__ import annotations

import asyncio

from leads.claiming import ClaimPolicy
from leads.config import LeadbotConfig
from leads.model import Stage
from leads.routing import RoutingRule
from storage.tables import AuditRow
from tests.conftest import StartLeadbot
from tests.harness import (
    SALES,
    Leadbot,
    block_texts,
    button_ids,
    card_updates,
    claimed_by,
    click,
    ephemerals_to,
    hot_card,
    lead_now,
    record_outcome,
    shown,
    until_stage,
)

PARTNERS = "C0PARTNERS"
ANN, BOB, CAT, OUTSIDER = "U0ANN", "U0BOB", "U0CAT", "U0OUTSIDER"
OUTCOME_BUTTONS = {"Meeting booked": "lead_meeting", "Won": "lead_won", "Lost": "lead_lost"}


async def test_thirty_simultaneous_claims_make_exactly_one_owner(leadbot: Leadbot) -> None:
    reps = [f"U0REP{n:02d}" for n in range(1, 31)]
    leadbot.slack.set_members(SALES, reps)
    lead = await hot_card(leadbot, email="jane@initech.com", phone="+1 555-010-9999")

    await asyncio.gather(*(click(leadbot, "lead_claim", lead, rep) for rep in reps))
    notes = await leadbot.slack.wait_for("chat.postEphemeral", count=29)
    await leadbot.slack.wait_for("chat.update")
    await leadbot.settle()

    owner = (await lead_now(leadbot, lead)).owner
    assert owner in reps
    assert sorted(call.args["user"] for call in notes) == sorted(set(reps) - {owner})
    assert all(f"<@{owner}>" in call.args["text"] for call in notes)
    [update] = card_updates(leadbot)
    assert (update["channel"], update["ts"]) == (SALES, lead.card_ts)
    assert f"Claimed by <@{owner}>" in block_texts(update["blocks"])
    assert button_ids(update["blocks"]) == OUTCOME_BUTTONS
    [dm] = await leadbot.posted_to(owner or "")
    assert "jane@initech.com" in block_texts(dm.args["blocks"])
    assert "+1 555-010-9999" in block_texts(dm.args["blocks"])
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="claimed") == 1


async def test_someone_outside_the_channel_is_refused_and_the_lead_stays_open(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.set_members(SALES, [ANN])
    lead = await hot_card(leadbot)

    await click(leadbot, "lead_claim", lead, OUTSIDER)

    [refusal] = await ephemerals_to(leadbot, OUTSIDER)
    assert "can't claim" in refusal
    await leadbot.settle()
    stored = await lead_now(leadbot, lead)
    assert (stored.owner, stored.stage) == (None, Stage.HOT)
    assert card_updates(leadbot) == []


async def test_listed_users_and_user_groups_may_claim_and_nobody_else(
    start_leadbot: StartLeadbot,
) -> None:
    policy = ClaimPolicy(mode="list", users=(ANN,), usergroups=("S1",))
    leadbot = await start_leadbot(LeadbotConfig(claim=policy))
    leadbot.slack.set_usergroup("S1", [BOB])
    leadbot.slack.set_members(SALES, [ANN, BOB, CAT])
    first = await hot_card(leadbot, name="Ann", email="ann@initech.com")
    leadbot.clock.advance(seconds=2)
    second = await hot_card(leadbot, name="Bob", email="bob@initech.com")

    await click(leadbot, "lead_claim", first, CAT)
    [refusal] = await ephemerals_to(leadbot, CAT)
    await click(leadbot, "lead_claim", first, BOB)
    await click(leadbot, "lead_claim", second, ANN)
    await leadbot.slack.wait_for("chat.update", count=2)

    assert "can't claim" in refusal
    assert (await lead_now(leadbot, first)).owner == BOB
    assert (await lead_now(leadbot, second)).owner == ANN


async def test_owner_clicking_claim_again_changes_nothing(leadbot: Leadbot) -> None:
    leadbot.slack.set_members(SALES, [ANN])
    lead = await hot_card(leadbot)
    await click(leadbot, "lead_claim", lead, ANN)
    await leadbot.slack.wait_for("chat.update")

    await click(leadbot, "lead_claim", lead, ANN)
    await ephemerals_to(leadbot, ANN)
    await leadbot.settle()

    assert (await lead_now(leadbot, lead)).owner == ANN
    assert len(card_updates(leadbot)) == 1
    assert len(await leadbot.posted_to(ANN, count=2, timeout=0.2)) == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="claimed") == 1


async def test_owner_records_won_and_the_card_shows_it_with_only_change_outcome(
    leadbot: Leadbot,
) -> None:
    lead = await claimed_by(leadbot, ANN)

    reply = await record_outcome(leadbot, lead, ANN, "won", value="1200000")
    assert (reply.status, reply.text) == (200, "")
    await leadbot.slack.wait_for("chat.update", count=2)
    await leadbot.settle()

    assert (await lead_now(leadbot, lead)).stage == Stage.WON
    final = card_updates(leadbot)[-1]
    assert "Outcome: *Won* · ¥1,200,000 · recorded by <@U0ANN>" in block_texts(final["blocks"])
    assert button_ids(final["blocks"]) == {"Change outcome": "lead_change_outcome"}
    assert shown(leadbot, lead) == final["blocks"]
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="outcome") == 1


async def test_meeting_booked_keeps_won_and_lost_on_the_card(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)

    await click(leadbot, "lead_meeting", lead, ANN)
    await leadbot.slack.wait_for("chat.update", count=2)
    await leadbot.settle()

    assert (await lead_now(leadbot, lead)).stage == Stage.MEETING
    blocks = card_updates(leadbot)[-1]["blocks"]
    assert "Outcome: *Meeting booked*" in block_texts(blocks)
    assert button_ids(blocks) == {
        "Won": "lead_won",
        "Lost": "lead_lost",
        "Change outcome": "lead_change_outcome",
    }


async def test_only_the_owner_may_record_an_outcome(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)

    await click(leadbot, "lead_lost", lead, BOB)

    [note] = await ephemerals_to(leadbot, BOB)
    assert note.startswith(f"Only <@{ANN}>")
    await leadbot.settle()
    assert (await lead_now(leadbot, lead)).stage == Stage.CLAIMED
    assert len(card_updates(leadbot)) == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="outcome") == 0


async def test_an_admin_may_record_the_outcome(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(LeadbotConfig(admins=("UADMIN",)))
    lead = await claimed_by(leadbot, ANN)

    reply = await record_outcome(leadbot, lead, "UADMIN", "lost", reason="budget")
    assert (reply.status, reply.text) == (200, "")
    await leadbot.slack.wait_for("chat.update", count=2)
    await leadbot.settle()

    stored = await lead_now(leadbot, lead)
    assert (stored.owner, stored.stage) == (ANN, Stage.LOST)
    assert "Outcome: *Lost*" in block_texts(shown(leadbot, lead))


async def test_card_ends_in_the_latest_state_when_an_earlier_update_is_retried(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.set_members(SALES, [ANN])
    lead = await hot_card(leadbot)
    leadbot.slack.fail("chat.update", status=500)
    await click(leadbot, "lead_claim", lead, ANN)
    await leadbot.slack.wait_for("chat.update")

    await record_outcome(leadbot, lead, ANN, "won")
    await until_stage(leadbot, lead, Stage.WON)
    for _ in range(3):
        await leadbot.settle()
        leadbot.clock.advance(minutes=1)
    await leadbot.settle()

    blocks = shown(leadbot, lead)
    assert "Outcome: *Won*" in block_texts(blocks)
    assert button_ids(blocks) == {"Change outcome": "lead_change_outcome"}


async def test_pass_sends_the_lead_on_to_the_pass_to_channel(start_leadbot: StartLeadbot) -> None:
    routing = (RoutingRule(channel=SALES, pass_to=PARTNERS),)
    leadbot = await start_leadbot(LeadbotConfig(routing=routing))
    lead = await hot_card(leadbot, name="Jane Doe")

    await click(leadbot, "lead_pass", lead, ANN)

    [moved] = await leadbot.posted_to(PARTNERS)
    assert "Jane Doe" in block_texts(moved.args["blocks"])
    assert button_ids(moved.args["blocks"])["Claim"] == "lead_claim"
    [update] = (call.args for call in await leadbot.slack.wait_for("chat.update"))
    assert (update["channel"], update["ts"]) == (SALES, lead.card_ts)
    assert f"Passed on to <#{PARTNERS}>" in block_texts(update["blocks"])
    assert "Claim" not in button_ids(update["blocks"])
    [note] = await ephemerals_to(leadbot, ANN)
    assert f"<#{PARTNERS}>" in note
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="passed") == 1


async def test_lead_passed_on_can_be_claimed_from_its_new_card(
    start_leadbot: StartLeadbot,
) -> None:
    routing = (RoutingRule(channel=SALES, pass_to=PARTNERS),)
    leadbot = await start_leadbot(LeadbotConfig(routing=routing))
    leadbot.slack.set_members(PARTNERS, ["UPARTNER"])
    lead = await hot_card(leadbot)
    await click(leadbot, "lead_pass", lead, ANN)
    await leadbot.posted_to(PARTNERS)
    await leadbot.settle()
    moved = await lead_now(leadbot, lead)
    assert (moved.card_channel, moved.card_ts) == (
        PARTNERS,
        leadbot.slack.messages[PARTNERS][0]["ts"],
    )

    await click(leadbot, "lead_claim", moved, "UPARTNER")
    await leadbot.slack.wait_for("chat.update", count=2)
    await leadbot.settle()

    assert (await lead_now(leadbot, lead)).owner == "UPARTNER"
    assert "Claimed by <@UPARTNER>" in block_texts(shown(leadbot, moved))


async def test_pass_without_pass_to_leaves_the_card_claimable(leadbot: Leadbot) -> None:
    leadbot.slack.set_members(SALES, [ANN, BOB])
    lead = await hot_card(leadbot)

    await click(leadbot, "lead_pass", lead, ANN)
    [update] = (call.args for call in await leadbot.slack.wait_for("chat.update"))

    assert f"passed by <@{ANN}>" in block_texts(update["blocks"])
    assert button_ids(update["blocks"])["Claim"] == "lead_claim"
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="passed") == 1
    await click(leadbot, "lead_claim", lead, BOB)
    await leadbot.slack.wait_for("chat.update", count=2)
    assert (await lead_now(leadbot, lead)).owner == BOB


async def test_pass_after_a_claim_tells_who_owns_the_lead(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)

    await click(leadbot, "lead_pass", lead, BOB)

    [note] = await ephemerals_to(leadbot, BOB)
    assert f"<@{ANN}>" in note
    await leadbot.settle()
    assert len(card_updates(leadbot)) == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="passed") == 0


async def test_a_failed_membership_lookup_is_not_remembered(leadbot: Leadbot) -> None:
    leadbot.slack.set_members(SALES, [ANN])
    lead = await hot_card(leadbot)
    leadbot.slack.fail("conversations.members", status=500)
    await click(leadbot, "lead_claim", lead, ANN)
    await ephemerals_to(leadbot, ANN)

    await click(leadbot, "lead_claim", lead, ANN)
    await leadbot.slack.wait_for("chat.update")

    assert (await lead_now(leadbot, lead)).owner == ANN
    assert len(leadbot.slack.calls_to("conversations.members")) == 2
