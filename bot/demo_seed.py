"""`leadbot demo --seed`: twelve weeks of history written through the use cases, each step
at its own moment of an injected clock."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from leadloop.capture import CaptureRequest, Captures
from leadloop.cards import Click, OutcomeForm, claim, record_outcome
from leadloop.context import Loop
from leadloop.nurture import NurtureSweep, StepClick, complete_step
from leads.lifecycle import Step
from leads.model import CompanySize, Interest, LeadDraft, Source
from leads.outcomes import LostReason
from storage.nurture import SENT
from storage.outbox import CANCELLED, PENDING
from storage.tables import NurtureStepRow, OutboxRow

WEEKS = 12
EVENTS = (  # (name, weeks before now it was held, leads captured there)
    ("Tokyo Expo 2026", 10, 110),
    ("Osaka DX Summit", 5, 70),
    ("London SaaS Live", 1, 60),
)
WEB_SOURCES = ((Source.WEB, 50), (Source.INBOUND, 30))
FIRST = [
    "Aiko",
    "Ben",
    "Chen",
    "Daisuke",
    "Emily",
    "Farah",
    "George",
    "Haruto",
    "Ines",
    "Jun",
    "Kenji",
    "Laura",
    "Mei",
    "Nina",
    "Omar",
]
LAST = [
    "Abe",
    "Brown",
    "Clark",
    "Endo",
    "Fujita",
    "Garcia",
    "Hayashi",
    "Ito",
    "Jones",
    "Kato",
    "Lopez",
    "Mori",
    "Ota",
    "Smith",
    "Tanaka",
]
COMPANIES = (
    ("Acme", "acme.co.jp"),
    ("Initech", "initech.com"),
    ("Globex", "globex.com"),
    ("Umbrella", "umbrella.jp"),
    ("Hooli", "hooli.com"),
    ("Stark Industries", "stark.com"),
    ("Wayne Tech", "wayne.tech"),
    ("Soylent", "soylent.co.uk"),
    ("Kaiju Logistics", "kaiju.co.jp"),
    ("Tyrell", "tyrell.com"),
)
TITLES = (
    "CEO",
    "Head of Sales",
    "IT Manager",
    "Engineer",
    "情報システム部 部長",
    "VP Marketing",
    "",
)
NURTURE_DONE_SHARE = 0.7  # of the reminders sent on a day, those marked Done that day
NURTURE_LEFT_OPEN_DAYS = 3  # the last days' steps are still waiting when the demo opens
INTEREST_WEIGHTS = ((Interest.HOT, 0.22), (Interest.WARM, 0.48), (Interest.COLD, 0.30))


@dataclass
class SeedClock:
    """The clock the seeding use cases read; set to each step's moment in turn."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Seeded:
    """What `seed_history` wrote."""

    leads: int
    hot: int
    claimed: int
    won: int
    lost: int
    nurture_steps_done: int = 0


async def seed_history(
    loop: Loop, clock: SeedClock, *, end: datetime, reps: tuple[str, ...], staff: str
) -> Seeded:
    """A few hundred leads from three events and two web sources over twelve weeks before
    `end`, with claims and outcomes; the Slack messages they would have owed are dropped."""
    seeding = _Seeding(loop, clock, random.Random(2026), end, reps)
    plan = _plan(seeding.rng, end)
    requests = [
        CaptureRequest(
            draft=_draft(seeding.rng, number, source, event),
            captured_by=staff,
            channel_id="",
            via="seed",
            at=at,
        )
        for number, (at, source, event) in enumerate(plan)
    ]
    captures = Captures(loop)
    try:  # submitted together, written in a few group commits; each keeps its own moment
        clock.now = end
        outcomes = await asyncio.gather(*(captures.capture(request) for request in requests))
    finally:
        await captures.close()
    for request, outcome in zip(requests, outcomes, strict=True):
        if outcome.became_hot:
            seeding.counts["hot"] += 1
            await seeding.work_the_lead(outcome.lead.id, request.at)
    steps_done = await seeding.walk_nurture(min(request.at for request in requests))
    await _drop_owed_messages(loop)
    counts = seeding.counts
    return Seeded(
        len(plan), counts["hot"], counts["claimed"], counts["won"], counts["lost"], steps_done
    )


def _plan(rng: random.Random, end: datetime) -> list[tuple[datetime, Source, str]]:
    """When each lead is captured, from where: events in bursts, the web spread out."""
    plan: list[tuple[datetime, Source, str]] = []
    for name, weeks_ago, count in EVENTS:
        day = end - timedelta(weeks=weeks_ago)
        for _ in range(count):
            plan.append((day + timedelta(minutes=rng.uniform(0, 2 * 24 * 60)), Source.EVENT, name))
    for source, count in WEB_SOURCES:
        for _ in range(count):
            minutes = rng.uniform(0, WEEKS * 7 * 24 * 60 - 120)
            plan.append((end - timedelta(weeks=WEEKS) + timedelta(minutes=minutes), source, ""))
    return sorted(plan, key=lambda item: item[0])


def _draft(rng: random.Random, number: int, source: Source, event: str) -> LeadDraft:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company, domain = rng.choice(COMPANIES)
    interests = [interest for interest, _ in INTEREST_WEIGHTS]
    weights = [weight for _, weight in INTEREST_WEIGHTS]
    return LeadDraft(
        name=f"{first} {last}",
        company=company,
        email=f"{first.lower()}.{last.lower()}{number}@{domain}",
        title=rng.choice(TITLES),
        company_size=rng.choice(list(CompanySize)),
        source=source,
        event=event,
        interest=rng.choices(interests, weights)[0],
        notes="Seeded by leadbot demo",
    )


@dataclass
class _Seeding:
    """What claiming and deciding the seeded hot leads needs."""

    loop: Loop
    clock: SeedClock
    rng: random.Random
    end: datetime
    reps: tuple[str, ...]
    counts: dict[str, int] = field(
        default_factory=lambda: {"hot": 0, "claimed": 0, "won": 0, "lost": 0}
    )

    async def work_the_lead(self, lead_id: int, captured: datetime) -> None:
        """Claim most hot leads within hours; decide many of them within weeks."""
        if self.rng.random() > 0.85:
            return
        rep = self.rng.choice(self.reps)
        claimed_at = min(captured + timedelta(minutes=self.rng.uniform(3, 240)), self.end)
        self.clock.now = claimed_at
        claimed = await claim(self.loop, Click(lead_id, rep, "", "", claimed_at))
        if not claimed.done:
            return
        self.counts["claimed"] += 1
        decided_at = claimed_at + timedelta(days=self.rng.uniform(2, 30))
        if decided_at < self.end:
            self.clock.now = decided_at
            await self.decide(Click(lead_id, rep, "", "", decided_at))

    async def decide(self, click: Click) -> None:
        """Most go through a meeting; then won (with a value), lost (with a reason) or open."""
        won_below, lost_below = 0.1, 0.6  # without a meeting
        if self.rng.random() < 0.6:
            await record_outcome(self.loop, click, OutcomeForm(Step.BOOK_MEETING))
            later = click.at + timedelta(days=self.rng.uniform(1, 14))
            if later >= self.end:
                return
            self.clock.now = later
            click = Click(click.lead_id, click.user, "", "", later)
            won_below, lost_below = 0.45, 0.8
        roll = self.rng.random()
        if roll < won_below:
            value = float(self.rng.choice((800_000, 1_200_000, 2_500_000, 4_000_000, 9_000_000)))
            done = await record_outcome(self.loop, click, OutcomeForm(Step.WIN, value=value))
            self.counts["won"] += done.done
        elif roll < lost_below:
            reason = self.rng.choice(list(LostReason))
            detail = "Seeded" if reason == LostReason.OTHER else ""
            form = OutcomeForm(Step.LOSE, reason=reason, detail=detail)
            self.counts["lost"] += (await record_outcome(self.loop, click, form)).done

    async def walk_nurture(self, start: datetime) -> int:
        """Day by day: the nurture sweep reminds the doers, who mark most steps Done; the
        last few days' reminders are left open, as they would be."""
        done = 0
        day = start.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        sweep = NurtureSweep(self.loop, None, worker="demo-seed")
        while day < self.end - timedelta(days=NURTURE_LEFT_OPEN_DAYS):
            self.clock.now = day
            await sweep.run()
            for step_id, doer in await _sent_steps(self.loop):
                if self.rng.random() < NURTURE_DONE_SHARE:
                    at = day + timedelta(hours=self.rng.uniform(1, 8))
                    self.clock.now = at
                    outcome = await complete_step(self.loop, StepClick(step_id, doer, at))
                    done += outcome.lead is not None
            day += timedelta(days=1)
        return done


async def _sent_steps(loop: Loop) -> list[tuple[int, str]]:
    """Steps whose reminder has gone out and that wait for Done."""
    async with loop.db.read() as session:
        found = await session.execute(
            select(NurtureStepRow.id, NurtureStepRow.doer).where(NurtureStepRow.state == SENT)
        )
        return [(int(step_id), str(doer)) for step_id, doer in found]


async def _drop_owed_messages(loop: Loop) -> None:
    """History owes Slack nothing now: cards, DMs and reminders of the past are not sent."""
    async with loop.db.write() as session:
        await session.execute(
            update(OutboxRow).where(OutboxRow.status == PENDING).values(status=CANCELLED)
        )
