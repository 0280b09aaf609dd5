"""The SLA ladder on the injected clock: re-announce in the card's thread, then escalate, once."""

from __future__ import annotations

from datetime import UTC, datetime

from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.sla import SlaPolicy
from storage.outbox import CANCELLED
from storage.tables import OutboxRow
from tests.conftest import StartLeadbot
from tests.harness import SALES, STAFF, Leadbot, block_texts, capture, rows_of

MANAGER = "U0MANAGER"
REP = "U0REP"
LADDER = LeadbotConfig(
    sla=SlaPolicy(reannounce_after_minutes=15, escalate_after_minutes=60, escalate_to=MANAGER)
)
FRIDAY_EVENING = datetime(2026, 11, 27, 17, 50, tzinfo=UTC)


async def hot_lead(leadbot: Leadbot) -> Lead:
    """Capture a hot lead now and return it once its card is posted."""
    await capture(leadbot, name="Jane Doe")
    await leadbot.posted_to(SALES)
    await leadbot.settle()
    [lead] = await leadbot.leads()
    assert lead.card_ts
    return lead


async def at(leadbot: Leadbot, when: datetime) -> None:
    """Move the clock to `when` and deliver whatever fell due."""
    assert when >= leadbot.clock.now
    leadbot.clock.now = when
    await leadbot.settle()


def thread_replies(leadbot: Leadbot) -> list[dict[str, object]]:
    """Arguments of every reply posted in a thread of the sales channel."""
    return [
        call.args
        for call in leadbot.slack.calls_to("chat.postMessage")
        if call.args.get("channel") == SALES and call.args.get("thread_ts")
    ]


def escalations(leadbot: Leadbot) -> list[dict[str, object]]:
    """Arguments of every message to the manager."""
    return [
        call.args
        for call in leadbot.slack.calls_to("chat.postMessage")
        if call.args.get("channel") == MANAGER
    ]


def minute(hour: int, minute: int) -> datetime:
    """That time on the test's Tuesday."""
    return datetime(2026, 11, 24, hour, minute, tzinfo=UTC)


async def test_unclaimed_lead_is_reannounced_in_its_thread_then_escalated_once_each(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LADDER)
    lead = await hot_lead(leadbot)

    await at(leadbot, minute(10, 14))
    assert (thread_replies(leadbot), escalations(leadbot)) == ([], [])

    await at(leadbot, minute(10, 15))
    await leadbot.posted_to(SALES, count=2)
    [reply] = thread_replies(leadbot)
    assert reply["thread_ts"] == lead.card_ts
    assert "Jane Doe" in str(reply["text"])
    assert "still unclaimed" in str(reply["text"])

    await at(leadbot, minute(10, 59))
    assert escalations(leadbot) == []
    await at(leadbot, minute(11, 0))
    [escalation] = await leadbot.posted_to(MANAGER)
    assert "Jane Doe" in block_texts(escalation.args["blocks"])

    await at(leadbot, minute(17, 0))
    await at(leadbot, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert len(thread_replies(leadbot)) == 1
    assert len(escalations(leadbot)) == 1


async def test_escalation_says_where_the_unclaimed_card_is(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(LADDER)
    await hot_lead(leadbot)

    await at(leadbot, minute(11, 0))

    [escalation] = await leadbot.posted_to(MANAGER)
    assert f"<#{SALES}>" in escalation.args["text"]


async def test_escalation_can_go_to_a_channel(start_leadbot: StartLeadbot) -> None:
    managers = "C0MANAGERS"
    policy = SlaPolicy(escalate_after_minutes=30, escalate_to=managers)
    leadbot = await start_leadbot(LeadbotConfig(sla=policy))
    await hot_lead(leadbot)

    await at(leadbot, minute(10, 30))

    [escalation] = await leadbot.posted_to(managers)
    assert "Jane Doe" in escalation.args["text"]


async def test_claim_before_the_reannounce_stops_the_whole_ladder(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LADDER)
    leadbot.slack.set_members(SALES, [REP])
    lead = await hot_lead(leadbot)

    await at(leadbot, minute(10, 10))
    await leadbot.click("lead_claim", str(lead.id), user=REP, ts=lead.card_ts)
    await leadbot.slack.wait_for("chat.update")
    for when in (minute(10, 15), minute(11, 0), minute(17, 0)):
        await at(leadbot, when)

    assert (thread_replies(leadbot), escalations(leadbot)) == ([], [])
    steps = await rows_of(leadbot, OutboxRow, lead_id=lead.id)
    assert {row.kind: row.status for row in steps if row.kind.startswith("sla_")} == {
        "sla_reannounce": CANCELLED,
        "sla_escalate": CANCELLED,
    }


async def test_claim_after_the_reannounce_stops_the_escalation(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LADDER)
    leadbot.slack.set_members(SALES, [REP])
    lead = await hot_lead(leadbot)
    await at(leadbot, minute(10, 15))
    await leadbot.posted_to(SALES, count=2)

    await at(leadbot, minute(10, 30))
    await leadbot.click("lead_claim", str(lead.id), user=REP, ts=lead.card_ts)
    await leadbot.slack.wait_for("chat.update")
    await at(leadbot, minute(12, 0))

    assert len(thread_replies(leadbot)) == 1
    assert escalations(leadbot) == []


async def test_reannounce_waits_for_business_hours_over_the_weekend(leadbot: Leadbot) -> None:
    leadbot.clock.now = FRIDAY_EVENING
    await hot_lead(leadbot)

    await at(leadbot, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday noon
    await at(leadbot, datetime(2026, 11, 30, 9, 4, tzinfo=UTC))
    assert thread_replies(leadbot) == []

    await at(leadbot, datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    await leadbot.posted_to(SALES, count=2)
    assert len(thread_replies(leadbot)) == 1


async def test_no_escalation_without_someone_to_escalate_to(leadbot: Leadbot) -> None:
    await hot_lead(leadbot)

    await at(leadbot, minute(10, 15))
    await leadbot.posted_to(SALES, count=2)
    await at(leadbot, minute(17, 0))

    kinds = {row.kind for row in await rows_of(leadbot, OutboxRow)}
    assert "sla_escalate" not in kinds
    assert len(thread_replies(leadbot)) == 1
    posted_to = {call.args["channel"] for call in leadbot.slack.calls_to("chat.postMessage")}
    assert posted_to == {SALES, STAFF}
