"""Two leadbot replicas on one database share the outbox: every card is posted exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.conftest import StartLeadbot
from tests.harness import FakeClock, Leadbot
from workspace.fake_slack import SlackCall


async def test_two_replicas_deliver_each_card_once_and_share_pacing(
    start_leadbot: StartLeadbot, clock: FakeClock
) -> None:
    first, second = await start_leadbot(), await start_leadbot()
    first.slack.fail("chat.postMessage", status=503, times=3)
    captures = [
        (first if n % 2 else second).command(f"Person {n}, Acme {n}, p{n}@acme.example, hot")
        for n in range(12)
    ]
    assert all(reply.status == 200 for reply in await asyncio.gather(*captures))

    posted_per_window = []
    for _ in range(30):
        before = len(_cards(first))
        await asyncio.gather(_deliver(first), _deliver(second))
        posted_per_window.append(len(_cards(first)) - before)
        clock.advance(seconds=1.5)  # past the 1 s pacing of the sales channel

    assert max(posted_per_window) == 1  # both replicas honour one channel's pacing together
    cards = _cards(first)
    names = Counter(c.args["text"].split(":")[1].split("(")[0].strip() for c in cards)
    assert names == Counter({f"Person {n}": 1 for n in range(12)})
    leads = await first.leads()
    assert all(lead.card_ts for lead in leads)


def _cards(bot: Leadbot) -> list[SlackCall]:
    return [
        call
        for call in bot.slack.calls_to("chat.postMessage")
        if call.fault is None and call.args["channel"] == "C0SALES"
    ]


async def _deliver(bot: Leadbot) -> None:
    await bot.svc.deliverer.drain()
    await bot.svc.deliverer.deliver_due()
