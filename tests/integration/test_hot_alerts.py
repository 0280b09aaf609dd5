"""A hot capture posts exactly one card to its routed channel, through Slack faults and restarts."""

from __future__ import annotations

from datetime import timedelta

from leads.config import DeliverySettings, LeadbotConfig
from leads.routing import RoutingRule
from storage.outbox import DEAD, SENT, claim_due
from storage.tables import OutboxRow
from tests.conftest import StartLeadbot
from tests.harness import (
    SALES,
    Leadbot,
    block_texts,
    button_ids,
    capture,
    cards_in,
    rows_of,
)

HOT_LINE = "Jane Doe, Initech, jane@initech.com, +1 555 010 9999, hot"
ROUTES = (
    RoutingRule(channel="C0JAPAN", region="JP"),
    RoutingRule(channel="C0EXPO", event="Tokyo*"),
)


def posts_to(leadbot: Leadbot, channel: str) -> list[str | None]:
    """The fault label (None when it succeeded) of every chat.postMessage to `channel`."""
    return [
        call.fault
        for call in leadbot.slack.calls_to("chat.postMessage")
        if call.args.get("channel") == channel
    ]


async def card_row(leadbot: Leadbot) -> OutboxRow:
    """The single outbox row of the first lead's card."""
    [row] = await rows_of(leadbot, OutboxRow, kind="card")
    return row


async def test_hot_capture_posts_one_card_with_name_company_score_reasons_and_claim(
    leadbot: Leadbot,
) -> None:
    lead = await capture(leadbot, name="Jane Doe", company="Initech", interest="hot")

    [card] = await leadbot.posted_to(SALES)
    blocks = card.args["blocks"]
    text = block_texts(blocks)
    assert "Jane Doe" in text
    assert "Initech" in text
    assert f"Score {lead.score}" in text
    assert "+120 interest: Hot" in text
    assert button_ids(blocks)["Claim"] == "lead_claim"
    assert all(
        element["value"] == str(lead.id)
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    )
    await leadbot.settle()
    assert len(await leadbot.posted_to(SALES, count=2, timeout=0.2)) == 1


async def test_cold_capture_posts_no_card(leadbot: Leadbot) -> None:
    await capture(leadbot, interest="cold")
    await leadbot.settle()

    assert posts_to(leadbot, SALES) == []
    assert await leadbot.count(OutboxRow, kind="card") == 0


async def test_posted_card_is_remembered_on_the_lead(leadbot: Leadbot) -> None:
    await capture(leadbot)
    [card] = await leadbot.posted_to(SALES)
    await leadbot.settle()

    [lead] = await leadbot.leads()
    [message] = leadbot.slack.messages[SALES]
    assert lead.card_channel == SALES
    assert lead.card_ts == message["ts"]
    assert message["blocks"] == card.args["blocks"]


async def test_routing_rules_send_each_lead_to_its_channel(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(LeadbotConfig(routing=ROUTES))

    japan = await capture(leadbot, name="Sato", email="sato@acme.co.jp", phone="+81 3-1234-5678")
    expo = await capture(leadbot, name="Kim", email="kim@globex.com", event="Tokyo Expo 2026")
    other = await capture(leadbot, name="Ann", email="ann@hooli.com", event="Berlin Summit")

    for lead, channel in ((japan, "C0JAPAN"), (expo, "C0EXPO"), (other, SALES)):
        [card] = await leadbot.posted_to(channel)
        assert lead.profile.name in block_texts(card.args["blocks"])
    await leadbot.settle()
    stored = {
        lead.profile.name: (lead.route_channel, lead.card_channel) for lead in await leadbot.leads()
    }
    assert stored == {
        "Sato": ("C0JAPAN", "C0JAPAN"),
        "Kim": ("C0EXPO", "C0EXPO"),
        "Ann": (SALES, SALES),
    }


async def test_card_survives_rate_limits_and_server_errors(leadbot: Leadbot) -> None:
    leadbot.slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
    leadbot.slack.fail("chat.postMessage", status=500, times=2)

    await leadbot.command(HOT_LINE)
    for _ in range(10):
        await leadbot.settle()
        leadbot.clock.advance(minutes=1)
    await leadbot.settle()

    assert posts_to(leadbot, SALES) == ["429 ratelimited"] * 2 + ["500 internal_error"] * 2 + [None]
    row = await card_row(leadbot)
    assert (row.status, row.attempts) == (SENT, 5)
    [lead] = await leadbot.leads()
    assert lead.card_ts == leadbot.slack.messages[SALES][0]["ts"]


async def test_rate_limited_card_waits_for_retry_after_on_the_injected_clock(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.fail("chat.postMessage", status=429, retry_after=30)

    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()
    leadbot.clock.advance(seconds=29)
    await leadbot.settle()
    assert posts_to(leadbot, SALES) == ["429 ratelimited"]

    leadbot.clock.advance(seconds=1)
    await leadbot.settle()
    await leadbot.posted_to(SALES, count=2)
    assert posts_to(leadbot, SALES) == ["429 ratelimited", None]


async def test_permanent_error_marks_the_card_dead_without_retrying(leadbot: Leadbot) -> None:
    leadbot.slack.fail("chat.postMessage", error="channel_not_found")

    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()
    for _ in range(3):
        leadbot.clock.advance(minutes=10)
        await leadbot.settle()

    row = await card_row(leadbot)
    assert (row.status, row.attempts, row.last_error) == (DEAD, 1, "channel_not_found")
    assert posts_to(leadbot, SALES) == ["200 channel_not_found"]


async def test_restart_after_a_failed_post_still_delivers_one_card(leadbot: Leadbot) -> None:
    leadbot.slack.fail("chat.postMessage", status=500)
    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()

    await leadbot.restart()
    leadbot.clock.advance(minutes=1)
    await leadbot.settle()
    await leadbot.settle()

    assert posts_to(leadbot, SALES) == ["500 internal_error", None]
    assert len(cards_in(leadbot.slack, SALES)) == 1
    assert (await card_row(leadbot)).status == SENT


async def test_card_owed_before_a_restart_is_posted_once_after_it(leadbot: Leadbot) -> None:
    leadbot.slack.fail("chat.postMessage", status=429, retry_after=60)
    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.restart()

    await leadbot.settle()
    assert posts_to(leadbot, SALES) == ["429 ratelimited"]  # the channel hold outlived the restart
    leadbot.clock.advance(seconds=60)
    await leadbot.settle()
    await leadbot.restart()
    await leadbot.settle()

    assert len(cards_in(leadbot.slack, SALES)) == 1
    assert posts_to(leadbot, SALES) == ["429 ratelimited", None]


async def test_failing_card_is_tried_max_attempts_times_then_dead(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LeadbotConfig(delivery=DeliverySettings(max_attempts=3)))
    leadbot.slack.fail("chat.postMessage", status=500, times=10)

    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    for _ in range(6):
        await leadbot.settle()
        leadbot.clock.advance(minutes=1)

    assert posts_to(leadbot, SALES) == ["500 internal_error"] * 3
    row = await card_row(leadbot)
    assert (row.status, row.attempts) == (DEAD, 3)


async def test_first_retry_waits_first_retry_seconds(leadbot: Leadbot) -> None:
    leadbot.slack.fail("chat.postMessage", status=500)
    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()

    leadbot.clock.advance(seconds=DeliverySettings().first_retry_seconds)
    await leadbot.settle()

    await leadbot.posted_to(SALES, count=2)
    assert posts_to(leadbot, SALES) == ["500 internal_error", None]


async def test_cards_to_one_channel_are_paced_one_per_second(leadbot: Leadbot) -> None:
    for name in ("ann", "bob", "cat"):
        await capture(leadbot, name=name.title(), email=f"{name}@initech.com")
    await leadbot.posted_to(SALES)
    await leadbot.settle()
    assert len(cards_in(leadbot.slack, SALES)) == 1

    leadbot.clock.advance(seconds=1)
    await leadbot.settle()
    assert len(await leadbot.posted_to(SALES, count=2)) == 2
    leadbot.clock.advance(seconds=1)
    await leadbot.settle()

    names = [block_texts(call.args["blocks"]) for call in await leadbot.posted_to(SALES, 3)]
    assert [name for name in ("Ann", "Bob", "Cat") if any(name in text for text in names)] == [
        "Ann",
        "Bob",
        "Cat",
    ]
    assert len(cards_in(leadbot.slack, SALES)) == 3


async def test_card_leased_by_a_crashed_worker_is_sent_after_the_lease_expires(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.fail("chat.postMessage", status=500)
    await leadbot.command(HOT_LINE)
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()
    leadbot.clock.advance(minutes=1)
    async with leadbot.svc.db.write() as session:
        [leased] = await claim_due(
            session,
            worker="crashed-worker",
            now=leadbot.clock.now,
            lease=timedelta(seconds=60),
            pace=timedelta(seconds=1),
        )

    await leadbot.settle()
    assert posts_to(leadbot, SALES) == ["500 internal_error"]
    leadbot.clock.advance(seconds=61)
    await leadbot.settle()

    assert leased.key == "lead:1:card"
    assert posts_to(leadbot, SALES) == ["500 internal_error", None]
    assert (await card_row(leadbot)).status == SENT


async def test_a_closed_deliverer_sends_nothing_more(leadbot: Leadbot) -> None:
    await leadbot.svc.deliverer.close()

    await capture(leadbot, name="Late Lead")
    leadbot.svc.deliverer.nudge()
    await leadbot.svc.deliverer.drain()

    assert cards_in(leadbot.slack, SALES) == []
