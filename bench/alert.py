"""Hot-lead alert latency and per-channel pacing, through leadbot's real HTTP app.

Starts leadbot (SQLite in a temp dir, the fake Slack as its Web API) with routing rules
sending each of 20 events to its own channel (C0CH00..C0CH19). Each of 20 users sets a
current event with `/lead event Event NN`; their hot captures then route to that channel.

Steady phase: 200 hot captures (default), 20 per second round-robin over the 20 channels
for 10 s, so each channel gets one lead per second. For each lead, the latency is the time
from the HTTP 200 of its capture to the chat.postMessage of its card arriving at the fake
Slack (matched by the lead's name in the card's text). No scheduler runs: the capture
handler's nudge makes the outbox deliverer post at once, paced per channel by
DeliverySettings.per_channel_interval_seconds (1 s).

Burst phase: 10 hot leads routed to ONE channel, sent at once; pacing should spread their
cards about 1 s apart.

Loaded phase (speed to lead under load): warm captures from other users keep the app
saturated (50 in flight, continuously, one distinct person each) while 20 hot leads arrive
one every 1.2 s, rotating over the channels, so per-channel pacing never holds a card back.
The warm load starts 1 s before the first hot lead and stops once the last one is
acknowledged. Latency is again capture ack -> card at the fake Slack; the warm captures
acknowledged as saved per second during the hot leads' window are counted too.

Prints p50/p99/max latency, the gaps between consecutive posts to the same channel (min
and median), how the burst was spread, and checks every lead got exactly one card in its
channel, and that every warm capture acknowledged as saved is stored. Targets: p99 < 1 s
where pacing allows, and under load; gaps >= ~1 s. Timings are printed, never asserted; the
exit status is 1 only when a card is missing, duplicated or misrouted, or a lead is lost.

    python bench/alert.py [--leads 200] [--channels 20] [--rate 20] [--burst 10]
        [--loaded 20] [--loaded-gap 1.2] [--warm-in-flight 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    SAME_PROCESS_NOTE,
    SAVED,
    Answer,
    RunningApp,
    client_session,
    command_body,
    post_signed,
    start_leadbot,
    stored_emails,
)
from stats import median, ms, percentile, table

from leads.config import LeadbotConfig
from leads.routing import RoutingRule
from workspace.fake_slack import FakeSlack, SlackCall

BURST_CHANNEL = "C0BURST"
BURST_EVENT = "Burst"
BURST_USER = "U0BURST"
CARD_NAME = re.compile(r"Hot lead: (?P<name>[^(,]+?) \(")
TARGET_P99 = 1.0
WARM_RAMP_SECONDS = 1.0  # the warm load runs this long before the first loaded-phase hot lead


@dataclass(frozen=True)
class HotLead:
    """One hot capture and where its card should go."""

    name: str
    user: str
    channel: str

    def text(self) -> str:
        """The quick-capture line."""
        slug = self.name.lower().replace(" ", ".")
        return f"{self.name}, {self.name} Corp, {slug}@corp.example, hot"


@dataclass
class Sent:
    """A capture that leadbot acknowledged, and its card (once seen)."""

    lead: HotLead
    answer: Answer
    cards: list[SlackCall]

    @property
    def latency(self) -> float:
        """Seconds from the HTTP 200 of the capture to its card reaching Slack."""
        return self.cards[0].at - self.answer.done_at

    @property
    def from_send(self) -> float:
        """Seconds from sending the capture to its card reaching Slack."""
        return self.cards[0].at - self.answer.sent_at


def channel_of(index: int) -> str:
    """The channel that event `index` routes to."""
    return f"C0CH{index:02d}"


def event_of(index: int) -> str:
    """The event name whose leads go to channel_of(index)."""
    return f"Event {index:02d}"


def routing(channels: int) -> tuple[RoutingRule, ...]:
    """One rule per event, plus the burst channel."""
    rules = [RoutingRule(channel=channel_of(i), event=event_of(i)) for i in range(channels)]
    return (*rules, RoutingRule(channel=BURST_CHANNEL, event=BURST_EVENT))


def rep(index: int) -> str:
    """The user working at event `index`."""
    return f"U0REP{index:02d}"


async def set_events(app: RunningApp, channels: int) -> None:
    """Every rep (and the burst user) sets their current event."""
    pairs = [(rep(i), event_of(i)) for i in range(channels)] + [(BURST_USER, BURST_EVENT)]
    async with client_session(10) as http:
        for user, event in pairs:
            answer = await post_signed(http, app.url, command_body(f"event {event}", user=user))
            if answer.status != 200:
                raise SystemExit(f"could not set the event of {user}: HTTP {answer.status}")


async def warm_up(app: RunningApp, slack: FakeSlack) -> None:
    """A few warm captures and one hot lead to the sales channel, so code paths are warm."""
    async with client_session(10) as http:
        for n in range(10):
            text = f"Warmup {n}, Warm Co, warm{n}@warm{n}.example, warm"
            await post_signed(http, app.url, command_body(text, user="U0WARM"))
        text = "Warmup Hot, Warm Co, warmhot@warm.example, hot"
        await post_signed(http, app.url, command_body(text, user="U0WARM"))
    await slack.wait_for("chat.postMessage", 1, timeout=10)


async def send_paced(
    app: RunningApp, leads: list[HotLead], rate: float, concurrency: int
) -> list[tuple[HotLead, Answer]]:
    """Send lead k at k / rate seconds after the start, without waiting for earlier ones."""
    answers: list[tuple[HotLead, Answer]] = []
    async with client_session(concurrency) as http:
        start = time.monotonic()

        async def one(k: int, lead: HotLead) -> None:
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            body = command_body(lead.text(), user=lead.user)
            answers.append((lead, await post_signed(http, app.url, body)))

        await asyncio.gather(*(one(k, lead) for k, lead in enumerate(leads)))
    return answers


def cards_by_name(slack: FakeSlack) -> dict[str, list[SlackCall]]:
    """Every chat.postMessage whose text is a hot-lead card, by lead name."""
    found: dict[str, list[SlackCall]] = defaultdict(list)
    for call in slack.calls_to("chat.postMessage"):
        named = CARD_NAME.match(str(call.args.get("text", "")))
        if named is not None:
            found[named["name"]].append(call)
    return found


async def wait_for_cards(slack: FakeSlack, count: int, within: float) -> None:
    """Until `count` more posts arrived (or `within` s passed), then 1.5 s to catch repeats."""
    with contextlib.suppress(TimeoutError):
        await slack.wait_for("chat.postMessage", count, timeout=within)
    await asyncio.sleep(1.5)


def match(slack: FakeSlack, answers: list[tuple[HotLead, Answer]]) -> list[Sent]:
    """Each acknowledged capture with the cards posted for it."""
    cards = cards_by_name(slack)
    return [Sent(lead, answer, cards.get(lead.name, [])) for lead, answer in answers]


def problems(sent: list[Sent]) -> list[str]:
    """Leads not acknowledged as saved, with no card, several cards, or a misrouted card."""
    found = []
    for item in sent:
        if item.answer.status != 200 or SAVED not in item.answer.text:
            found.append(f"{item.lead.name}: capture not saved (HTTP {item.answer.status})")
        elif len(item.cards) != 1:
            found.append(f"{item.lead.name}: {len(item.cards)} cards")
        elif item.cards[0].args.get("channel") != item.lead.channel:
            found.append(f"{item.lead.name}: card in {item.cards[0].args.get('channel')}")
    return found


def beyond_pacing(sent: list[Sent], posts: list[SlackCall], interval: float) -> list[float]:
    """Latency not explained by pacing: card time - max(ack, previous post there + interval)."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for call in sorted(posts, key=lambda c: c.at):
        by_channel[str(call.args.get("channel"))].append(call.at)
    found = []
    for item in sent:
        card = item.cards[0]
        earlier = [at for at in by_channel[str(card.args.get("channel"))] if at < card.at]
        allowed = max([item.answer.done_at, *(at + interval for at in earlier[-1:])])
        found.append(card.at - allowed)
    return found


def gaps(calls: list[SlackCall]) -> dict[str, list[float]]:
    """Seconds between consecutive posts to the same channel, by channel."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for call in sorted(calls, key=lambda c: c.at):
        by_channel[str(call.args.get("channel"))].append(call.at)
    return {
        channel: [b - a for a, b in itertools.pairwise(times)]
        for channel, times in by_channel.items()
    }


@dataclass(frozen=True)
class PhaseFigures:
    """Latency and pacing of one phase."""

    name: str
    leads: int
    with_one_card: int
    latencies: list[float]
    from_send: list[float]
    unpaced: list[float]
    channel_gaps: list[float]

    def row(self) -> list[str]:
        """A table row (latencies in ms, gaps in s)."""
        return [
            self.name,
            str(self.leads),
            str(self.with_one_card),
            ms(percentile(self.latencies, 50)),
            ms(percentile(self.latencies, 99)),
            ms(max(self.latencies, default=float("nan"))),
            ms(percentile(self.from_send, 99)),
            ms(percentile(self.unpaced, 99)),
            f"{min(self.channel_gaps, default=float('nan')):.3f}",
            f"{median(self.channel_gaps):.3f}",
        ]


def phase_figures(
    name: str, sent: list[Sent], posts: list[SlackCall], interval: float
) -> PhaseFigures:
    """Figures over the leads that got exactly one card."""
    carded = [item for item in sent if len(item.cards) == 1]
    channel_gaps = gaps([item.cards[0] for item in carded])
    return PhaseFigures(
        name=name,
        leads=len(sent),
        with_one_card=len(carded),
        latencies=[item.latency for item in carded],
        from_send=[item.from_send for item in carded],
        unpaced=beyond_pacing(carded, posts, interval),
        channel_gaps=[gap for values in channel_gaps.values() for gap in values],
    )


async def steady(
    app: RunningApp, slack: FakeSlack, *, leads: int, channels: int, rate: float
) -> list[Sent]:
    """Hot captures at `rate` per second, round-robin over the channels."""
    batch = [
        HotLead(f"Alert Lead {k:04d}", rep(k % channels), channel_of(k % channels))
        for k in range(leads)
    ]
    expected = len(slack.calls_to("chat.postMessage")) + len(batch)
    answers = await send_paced(app, batch, rate, concurrency=50)
    await wait_for_cards(slack, expected, within=leads / channels + 15)
    return match(slack, answers)


async def burst(app: RunningApp, slack: FakeSlack, count: int) -> list[Sent]:
    """`count` hot captures for one channel, all at once."""
    batch = [HotLead(f"Burst Lead {k:04d}", BURST_USER, BURST_CHANNEL) for k in range(count)]
    expected = len(slack.calls_to("chat.postMessage")) + len(batch)
    answers = await send_paced(app, batch, rate=1e9, concurrency=count)
    await wait_for_cards(slack, expected, within=count * 1.5 + 10)
    return match(slack, answers)


@dataclass
class WarmLoad:
    """Warm captures fired while the loaded phase's hot leads arrive."""

    answers: list[tuple[str, Answer]] = field(default_factory=list)  # (email, answer)
    window: tuple[float, float] = (0.0, 0.0)  # first hot lead sent .. last one acknowledged

    def saved(self) -> list[tuple[str, Answer]]:
        """Warm captures acknowledged as saved."""
        return [(email, a) for email, a in self.answers if a.status == 200 and SAVED in a.text]

    def per_second(self) -> float:
        """Warm captures acknowledged as saved per second within the window."""
        start, end = self.window
        done = [a for _, a in self.saved() if start <= a.done_at <= end]
        return len(done) / (end - start) if end > start else 0.0

    def latencies(self) -> list[float]:
        """Ack latency of every warm capture that got an HTTP answer."""
        return [a.latency for _, a in self.answers if a.status]


async def keep_busy(app: RunningApp, load: WarmLoad, stop: asyncio.Event, in_flight: int) -> None:
    """Warm captures of distinct people, `in_flight` at a time, until `stop` is set."""
    numbers = itertools.count()
    async with client_session(in_flight) as http:

        async def worker() -> None:
            while not stop.is_set():
                n = next(numbers)
                email = f"busy{n}@busy{n}.example"
                text = f"Busy Person {n}, Busy Co {n}, {email}, warm"
                body = command_body(text, user=f"U0BUSY{n % 25:02d}")
                load.answers.append((email, await post_signed(http, app.url, body)))

        await asyncio.gather(*(worker() for _ in range(in_flight)))


async def loaded(
    app: RunningApp, slack: FakeSlack, *, leads: int, channels: int, gap: float, in_flight: int
) -> tuple[list[Sent], WarmLoad]:
    """Hot captures `gap` s apart over rotating channels while warm captures saturate the app."""
    batch = [
        HotLead(f"Loaded Lead {k:04d}", rep(k % channels), channel_of(k % channels))
        for k in range(leads)
    ]
    expected = len(slack.calls_to("chat.postMessage")) + len(batch)
    load, stop = WarmLoad(), asyncio.Event()
    busy = asyncio.create_task(keep_busy(app, load, stop, in_flight))
    await asyncio.sleep(WARM_RAMP_SECONDS)
    started = time.monotonic()
    answers = await send_paced(app, batch, 1 / gap, concurrency=leads)
    load.window = (started, max((answer.done_at for _, answer in answers), default=started))
    stop.set()
    await busy
    await wait_for_cards(slack, expected, within=15)
    return match(slack, answers), load


async def lost_warm(app: RunningApp, load: WarmLoad) -> list[str]:
    """Warm captures acknowledged as saved whose lead is not in the database."""
    assert app.services is not None
    acked = {email for email, _ in load.saved()}
    stored = await stored_emails(app.services, acked)
    return [f"{email}: acknowledged as saved but not stored" for email in sorted(acked - stored)]


def burst_spread(sent: list[Sent]) -> str:
    """Card arrival offsets (s) after the burst's first acknowledgement, in order."""
    carded = [item for item in sent if item.cards]
    if not carded:
        return "no cards"
    first = min(item.answer.done_at for item in carded)
    offsets = sorted(item.cards[0].at - first for item in carded)
    return " ".join(f"{offset:.2f}" for offset in offsets)


def trend(sent: list[Sent]) -> str:
    """Median latency of the first and last tenth of the steady phase, by send time."""
    carded = sorted((item for item in sent if len(item.cards) == 1), key=lambda i: i.answer.sent_at)
    tenth = max(len(carded) // 10, 1)
    first = median([item.latency for item in carded[:tenth]])
    last = median([item.latency for item in carded[-tenth:]])
    return (
        f"steady latency median: first tenth {ms(first)} ms, last tenth {ms(last)} ms"
        " (growth = the channels' queues are falling behind the arrival rate)"
    )


@dataclass(frozen=True)
class Phases:
    """What each phase sent and got."""

    steady: list[Sent]
    burst: list[Sent]
    loaded: list[Sent]
    warm: WarmLoad


def report(phases: Phases, figures: list[PhaseFigures], wrong: list[str], in_flight: int) -> None:
    """Print the table, the burst spread, the loaded phase, problems and the summary lines."""
    steady_fig, burst_fig, loaded_fig = figures
    print(
        f"alert: {steady_fig.leads} hot captures spread over the channels, then a burst of"
        f" {burst_fig.leads} to one channel, then {loaded_fig.leads} hot captures under a warm"
        f" load of {in_flight} in flight; pacing target 1 card/s per channel"
    )
    print(SAME_PROCESS_NOTE)
    headers = ["phase", "leads", "1 card", "p50 ms", "p99 ms", "max ms", "p99 send ms"]
    headers += ["p99 unpaced ms"]
    headers += ["min gap s", "median gap s"]
    print(table(headers, [fig.row() for fig in figures]))
    print("latency: capture's HTTP 200 -> card at the fake Slack (negative: card came first);")
    print("p99 send: from sending the capture; unpaced: from when pacing let the card go")
    print("(the later of the ack and the channel's previous post + 1 s); gaps: same channel")
    print(f"burst cards at (s after the first ack): {burst_spread(phases.burst)}")
    print(trend(phases.steady))
    print(warm_line(phases.warm))
    for line in wrong[:10]:
        print(f"FAILED: {line}")
    total = steady_fig.leads + burst_fig.leads
    ok = steady_fig.with_one_card + burst_fig.with_one_card
    ok -= len(problems(phases.steady) + problems(phases.burst))
    loaded_ok = loaded_fig.with_one_card - len(problems(phases.loaded))
    gaps_all = steady_fig.channel_gaps + burst_fig.channel_gaps
    arrived = [item.cards[0].at for item in phases.burst if item.cards]
    span = max(arrived, default=0.0) - min(arrived, default=0.0)
    print(
        f"alert: p99 {ms(percentile(steady_fig.latencies, 99))} ms"
        f" (target < {TARGET_P99 * 1000:.0f} ms), p99 beyond pacing"
        f" {ms(percentile(steady_fig.unpaced, 99))} ms, pacing min gap"
        f" {min(gaps_all, default=float('nan')):.2f} s / median {median(gaps_all):.2f} s"
        f" (target >= 1 s), burst of {burst_fig.leads} spread over {span:.1f} s,"
        f" {max(ok, 0)}/{total} leads with exactly one card in the right channel"
    )
    print(
        f"alert under load: p50 {ms(percentile(loaded_fig.latencies, 50))} ms,"
        f" p99 {ms(percentile(loaded_fig.latencies, 99))} ms"
        f" (target < {TARGET_P99 * 1000:.0f} ms),"
        f" max {ms(max(loaded_fig.latencies, default=float('nan')))} ms,"
        f" {max(loaded_ok, 0)}/{loaded_fig.leads} hot leads with exactly one card in the right"
        f" channel; meanwhile {phases.warm.per_second():.0f} warm captures acknowledged per second"
    )


def warm_line(load: WarmLoad) -> str:
    """What the warm load got: acknowledgements, their rate and their latency."""
    start, end = load.window
    latencies = load.latencies()
    return (
        f"loaded: {len(load.answers)} warm captures sent, {len(load.saved())} acknowledged as"
        f" saved; {load.per_second():.0f}/s during the {end - start:.1f} s of hot leads;"
        f" warm ack p50 {ms(percentile(latencies, 50))} ms, p99"
        f" {ms(percentile(latencies, 99))} ms, max {ms(max(latencies, default=float('nan')))} ms"
    )


@dataclass(frozen=True)
class Plan:
    """The flags: how many leads each phase sends, where and how fast."""

    leads: int
    channels: int
    rate: float
    burst: int
    loaded: int
    loaded_gap: float
    warm_in_flight: int


async def run(plan: Plan) -> int:
    """Run the three phases; returns the exit status."""
    config = LeadbotConfig(routing=routing(plan.channels))
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-") as tmp:
        async with FakeSlack() as slack:
            app = await start_leadbot(slack, f"sqlite+aiosqlite:///{Path(tmp) / 'a.db'}", config)
            try:
                phases, lost = await run_phases(app, slack, plan)
            finally:
                await app.stop()
            posts = slack.calls_to("chat.postMessage")
    wrong = problems(phases.steady) + problems(phases.burst)
    wrong += problems(phases.loaded) + lost
    interval = config.delivery.per_channel_interval_seconds
    figures = [
        phase_figures("steady", phases.steady, posts, interval),
        phase_figures("burst", phases.burst, posts, interval),
        phase_figures("loaded", phases.loaded, posts, interval),
    ]
    report(phases, figures, wrong, plan.warm_in_flight)
    return 1 if wrong else 0


async def run_phases(app: RunningApp, slack: FakeSlack, plan: Plan) -> tuple[Phases, list[str]]:
    """Set the events, warm up, run steady, burst and loaded; also the lost warm leads."""
    await set_events(app, plan.channels)
    await warm_up(app, slack)
    steady_sent = await steady(app, slack, leads=plan.leads, channels=plan.channels, rate=plan.rate)
    burst_sent = await burst(app, slack, plan.burst)
    loaded_sent, warm = await loaded(
        app,
        slack,
        leads=plan.loaded,
        channels=plan.channels,
        gap=plan.loaded_gap,
        in_flight=plan.warm_in_flight,
    )
    return Phases(steady_sent, burst_sent, loaded_sent, warm), await lost_warm(app, warm)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--leads", type=int, default=200, help="hot captures, steady phase")
    parser.add_argument("--channels", type=int, default=20, help="channels to spread over")
    parser.add_argument("--rate", type=float, default=20.0, help="captures per second")
    parser.add_argument("--burst", type=int, default=10, help="hot leads for one channel")
    parser.add_argument("--loaded", type=int, default=20, help="hot captures, loaded phase")
    parser.add_argument("--loaded-gap", type=float, default=1.2, help="s between them")
    parser.add_argument("--warm-in-flight", type=int, default=50, help="warm load meanwhile")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    plan = Plan(
        leads=args.leads,
        channels=args.channels,
        rate=args.rate,
        burst=args.burst,
        loaded=args.loaded,
        loaded_gap=args.loaded_gap,
        warm_in_flight=args.warm_in_flight,
    )
    return asyncio.run(run(plan))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
