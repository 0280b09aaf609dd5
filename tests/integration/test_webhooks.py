"""Outbound webhooks through the outbox: signed, retried until a 2xx, never lost.

A real receiver (an aiohttp app on 127.0.0.1) verifies every delivery with the
`standardwebhooks` library, as a receiver in the wild would.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from standardwebhooks import Webhook as Verifier

from leadloop.webhooks import webhook_messages
from leads.config import DeliverySettings, LeadbotConfig, Webhook
from leads.lead import Lead
from leads.model import Stage
from storage.outbox import CANCELLED, PENDING, SENT, enqueue
from storage.tables import OutboxRow
from tests.conftest import StartLeadbot
from tests.harness import (
    SALES,
    FakeClock,
    Leadbot,
    capture,
    claimed_by,
    click,
    record_outcome,
    rows_of,
    until_stage,
)

SECRET = "whsec_" + base64.b64encode(b"leadbot test webhook secret 32b!").decode()
WAIT = 5.0  # seconds a test waits for a receiver before failing


@dataclass
class Hit:
    """One POST the receiver got."""

    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self) -> Any:
        """The event, once the standardwebhooks library has verified its signature."""
        return Verifier(SECRET).verify(self.body, self.headers)


@dataclass
class Receiver:
    """A webhook endpoint: 500 to the first `failures` POSTs, then 204; `hold` makes it wait."""

    url: str = ""
    failures: int = 0
    hits: list[Hit] = field(default_factory=list)
    hold: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.hits.append(Hit(headers, await request.read()))
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        return web.Response(status=500 if len(self.hits) <= self.failures else 204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver listening on an ephemeral port of 127.0.0.1."""
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/leadbot", found.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    found.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks/leadbot"
    yield found
    if found.hold is not None:
        found.hold.set()
    await runner.cleanup()


@pytest.fixture
def real_time(clock: FakeClock) -> FakeClock:
    """The hand-moved clock, started at the real time: receivers check webhook-timestamp."""
    clock.now = datetime.now(UTC).replace(microsecond=0)
    return clock


def rules(url: str, *events: str, delivery: DeliverySettings | None = None) -> LeadbotConfig:
    """Rules with one endpoint at `url` subscribed to `events`."""
    return LeadbotConfig(
        webhooks=(Webhook(url=url, secret=SECRET, events=events),),
        delivery=delivery or DeliverySettings(),
    )


async def owe(leadbot: Leadbot, event: str, lead: Lead, step: str = "1") -> list[OutboxRow]:
    """Owe `event` about `lead` (as a use case would, in a transaction); its outbox rows."""
    now = leadbot.clock()
    data = {"id": lead.id, "name": lead.profile.name, "company": lead.profile.company}
    messages = webhook_messages(
        leadbot.config, event, data, lead_id=lead.id, now=now, discriminator=step
    )
    async with leadbot.svc.db.write() as session:
        await enqueue(session, messages, now)
    leadbot.svc.nudge_delivery()
    keys = {message.key for message in messages}
    return [
        row for row in await rows_of(leadbot, OutboxRow, kind="webhook") if row.dedupe_key in keys
    ]


async def the_row(leadbot: Leadbot, lead_id: int | None = None) -> OutboxRow:
    """The single webhook row (of the lead, when given), as stored now."""
    where = {"lead_id": lead_id} if lead_id is not None else {}
    [row] = await rows_of(leadbot, OutboxRow, kind="webhook", **where)
    return row


async def until_retry(leadbot: Leadbot) -> timedelta:
    """Move the clock to the webhook row's next try and deliver; how long the wait was."""
    row = await the_row(leadbot)
    assert row.status == PENDING
    wait = row.due_at - leadbot.clock.now
    leadbot.clock.now = row.due_at
    await leadbot.settle()
    return wait


async def test_a_failing_receiver_gets_the_event_on_the_third_try_with_the_same_id(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    receiver.failures = 2
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    lead = await capture(leadbot, name="Jane Doe", company="Initech", interest="cold")
    started = int(real_time.now.timestamp())

    [row] = await owe(leadbot, "lead.hot", lead)
    await leadbot.settle()
    waits = [await until_retry(leadbot), await until_retry(leadbot)]

    assert len(receiver.hits) == 3
    assert {hit.webhook_id for hit in receiver.hits} == {row.payload["webhook_id"]}
    assert {hit.body for hit in receiver.hits} == {row.payload["body"].encode()}
    events = [hit.verified() for hit in receiver.hits]
    assert events[0]["type"] == "lead.hot"
    assert events[0]["data"] == {"id": lead.id, "name": "Jane Doe", "company": "Initech"}
    assert waits == [timedelta(seconds=2), timedelta(seconds=4)]  # first_retry_seconds, doubled
    stamps = [int(hit.headers["webhook-timestamp"]) for hit in receiver.hits]
    assert stamps == [started, started + 2, started + 6]  # signed when sent, not when owed
    assert all(hit.headers["content-type"] == "application/json" for hit in receiver.hits)
    sent = await the_row(leadbot)
    assert (sent.status, sent.attempts) == (SENT, 3)


async def test_an_event_the_endpoint_did_not_subscribe_to_is_not_sent(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    leadbot = await start_leadbot(rules(receiver.url, "lead.claimed"))
    lead = await capture(leadbot, interest="cold")

    assert await owe(leadbot, "lead.hot", lead) == []
    await leadbot.settle()
    assert receiver.hits == []

    await owe(leadbot, "lead.claimed", lead, step="2")
    await leadbot.settle()
    [hit] = receiver.hits
    assert hit.verified()["type"] == "lead.claimed"


async def test_the_same_event_owed_twice_is_sent_once(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    lead = await capture(leadbot, interest="cold")

    await owe(leadbot, "lead.hot", lead, step="1")
    await owe(leadbot, "lead.hot", lead, step="1")
    await leadbot.settle()

    assert len(receiver.hits) == 1
    assert (await the_row(leadbot)).status == SENT


async def test_a_webhook_is_never_given_up_and_its_backoff_is_capped(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    receiver.failures = 6
    patient = DeliverySettings(max_attempts=2, first_retry_seconds=1.0, max_retry_seconds=4.0)
    leadbot = await start_leadbot(rules(receiver.url, "lead.outcome", delivery=patient))
    lead = await capture(leadbot, interest="cold")

    await owe(leadbot, "lead.outcome", lead)
    await leadbot.settle()
    waits = [await until_retry(leadbot) for _ in range(6)]

    assert [wait.total_seconds() for wait in waits] == [1, 2, 4, 4, 4, 4]
    assert len(receiver.hits) == 7
    assert len({hit.webhook_id for hit in receiver.hits}) == 1
    row = await the_row(leadbot)
    assert (row.status, row.attempts) == (SENT, 7)


async def test_an_unreachable_receiver_is_retried(
    start_leadbot: StartLeadbot, real_time: FakeClock
) -> None:
    with socket.socket() as probe:  # a port on which nothing listens once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    leadbot = await start_leadbot(rules(f"http://127.0.0.1:{port}/hooks", "lead.hot"))
    lead = await capture(leadbot, interest="cold")

    await owe(leadbot, "lead.hot", lead)
    await leadbot.settle()

    row = await the_row(leadbot)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert row.last_error.startswith("transport: ")
    assert row.due_at == real_time.now + timedelta(seconds=2)


async def test_an_endpoint_no_longer_configured_is_dropped_with_a_warning(
    start_leadbot: StartLeadbot,
    receiver: Receiver,
    real_time: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.failures = 1
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    lead = await capture(leadbot, interest="cold")
    await owe(leadbot, "lead.hot", lead)
    await leadbot.settle()

    await leadbot.restart(LeadbotConfig())
    with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
        await until_retry(leadbot)

    assert len(receiver.hits) == 1
    assert (await the_row(leadbot)).status == CANCELLED
    assert "no longer configured" in caplog.text
    assert receiver.url not in caplog.text


async def test_a_slow_receiver_holds_up_no_hot_card(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    receiver.hold = asyncio.Event()
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    cold = await capture(leadbot, email="cold@initech.com", interest="cold")
    await owe(leadbot, "lead.hot", cold)
    await asyncio.wait_for(receiver.arrived.wait(), WAIT)

    await capture(leadbot, email="hot@initech.com", interest="hot")
    [card] = await leadbot.posted_to(SALES)

    assert card.fault is None
    assert (await the_row(leadbot, cold.id)).status == PENDING  # its receiver still answers
    receiver.hold.set()
    await leadbot.settle()
    assert (await the_row(leadbot, cold.id)).status == SENT


async def test_a_post_cut_short_by_shutdown_is_sent_after_the_restart_with_the_same_id(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    receiver.hold = asyncio.Event()
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    lead = await capture(leadbot, interest="cold")
    await owe(leadbot, "lead.hot", lead)
    await asyncio.wait_for(receiver.arrived.wait(), WAIT)

    await leadbot.stop()
    receiver.hold.set()
    await leadbot.start()
    row = await the_row(leadbot)
    assert (row.status, row.attempts) == (PENDING, 1)  # failed by the shutdown, not lost
    await until_retry(leadbot)

    assert [hit.webhook_id for hit in receiver.hits] == [row.payload["webhook_id"]] * 2
    assert receiver.hits[1].verified()["data"]["id"] == lead.id
    assert (await the_row(leadbot)).status == SENT


async def test_the_deliver_sweep_waits_for_the_webhooks_it_started(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot"))
    lead = await capture(leadbot, interest="cold")
    messages = webhook_messages(
        leadbot.config,
        "lead.hot",
        {"id": lead.id},
        lead_id=lead.id,
        now=real_time(),
        discriminator="1",
    )
    async with leadbot.svc.db.write() as session:
        await enqueue(session, messages, real_time())  # owed, and no nudge: the sweep sends it

    await leadbot.run_job("deliver")  # as `leadbot jobs run deliver` does, before it exits

    assert len(receiver.hits) == 1
    assert (await the_row(leadbot)).status == SENT


async def test_webhooks_are_not_paced_like_posts_to_a_channel(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    leadbot = await start_leadbot(rules(receiver.url, "lead.hot", "lead.claimed"))
    lead = await capture(leadbot, interest="cold")

    for step, event in enumerate(("lead.hot", "lead.claimed", "lead.hot"), start=1):
        await owe(leadbot, event, lead, step=str(step))
    await leadbot.settle()  # the clock stands still: a paced second event would wait

    assert sorted(hit.verified()["type"] for hit in receiver.hits) == [
        "lead.claimed",
        "lead.hot",
        "lead.hot",
    ]
    assert len({hit.webhook_id for hit in receiver.hits}) == 3


async def until_hits(receiver: Receiver, count: int) -> list[dict[str, Any]]:
    """The verified events once `count` have arrived."""
    for _ in range(int(WAIT / 0.01)):
        if len(receiver.hits) >= count:
            break
        await asyncio.sleep(0.01)
    return [hit.verified() for hit in receiver.hits]


async def test_the_loop_hands_every_stage_change_to_the_crm(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    events = ("lead.hot", "lead.claimed", "lead.outcome", "lead.recycled")
    leadbot = await start_leadbot(rules(receiver.url, *events))
    lead = await claimed_by(leadbot, "U0ANN")
    await record_outcome(leadbot, lead, "U0ANN", "lost", reason="timing")
    await until_stage(leadbot, lead, Stage.LOST)
    await click(leadbot, "lead_recycle", lead, "U0ANN")
    await until_stage(leadbot, lead, Stage.RECYCLED)
    await leadbot.settle()

    received = await until_hits(receiver, 4)
    assert [event["type"] for event in received] == list(events)
    hot, claimed, lost, recycled = (event["data"] for event in received)
    assert hot["lead"]["email"] == lead.profile.email
    assert (hot["change"]["from"], hot["change"]["to"], hot["change"]["by"]) == (
        "new",
        "hot",
        "leadbot",
    )
    assert (claimed["change"]["to"], claimed["change"]["by"]) == ("claimed", "U0ANN")
    assert (lost["change"]["to"], lost["change"]["lost_reason"]) == ("lost", "timing")
    assert (recycled["change"]["from"], recycled["change"]["to"]) == ("lost", "recycled")
    assert len({hit.webhook_id for hit in receiver.hits}) == 4


async def test_a_won_deal_tells_its_value(
    start_leadbot: StartLeadbot, receiver: Receiver, real_time: FakeClock
) -> None:
    leadbot = await start_leadbot(rules(receiver.url, "lead.outcome"))
    lead = await claimed_by(leadbot, "U0ANN")
    await record_outcome(leadbot, lead, "U0ANN", "won", value="2500000")
    await until_stage(leadbot, lead, Stage.WON)
    await leadbot.settle()

    [won] = await until_hits(receiver, 1)
    assert won["data"]["change"]["deal_value"] == 2_500_000
    assert won["data"]["lead"]["stage"] == "won"
