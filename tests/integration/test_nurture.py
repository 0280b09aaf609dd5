"""Nurture programs end to end: enrolment, the leased sweep, reminder buttons, /lead mine."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from blocks.nurture import NURTURE_DONE, NURTURE_STOP
from bot.export import export_leads
from leadloop.nurture import NurtureSweep
from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.model import Stage
from leads.nurture import Action, NurtureSettings, Plan, PlanStep, Segment, WorkingHours
from storage.nurture import DONE, SENT, SNOOZED, STOPPED
from storage.tables import LeadRow, NurtureEnrolmentRow, NurtureStepRow, OutboxRow, StageHistoryRow
from tests.conftest import StartLeadbot
from tests.harness import SALES, STAFF, Leadbot, block_texts, cards_in, lead_form, rows_of

TOKYO, NEW_YORK, LONDON = "U0TOKYO", "U0NEWYORK", "U0LONDON"
STEPS = (
    PlanStep(after="1d", action=Action.EMAIL, title="Thank-you email", content="https://x.test/b"),
    PlanStep(after="2d", action=Action.CALL, title="Call about the brochure", points=5),
    PlanStep(after="3d", action=Action.INVITE, title="Seminar invitation"),
)
WARM_PLAN = Plan("warm-follow-up", Segment(interest=("warm",)), STEPS)  # type: ignore[arg-type]
COLD_PLAN = Plan(
    "cold-follow-up",
    Segment(interest=("cold",)),  # type: ignore[arg-type]
    (PlanStep(after="1m", action=Action.CALL, title="Quick call"),),
)


def nurture_config(*plans: Plan, **settings: Any) -> LeadbotConfig:
    """Default rules with these plans (working hours 09:00-18:00 Mon-Fri)."""
    return LeadbotConfig(nurture=NurtureSettings(plans=plans or (WARM_PLAN, COLD_PLAN), **settings))


async def capture_as(bot: Leadbot, user: str, **form: str) -> Lead:
    """Submit the New lead form as `user`; the stored lead."""
    values = lead_form(**form)
    reply = await bot.submit(values, user=user)
    assert reply.status == 200, reply.text
    email = values["email"]["value"]["value"].strip().lower()
    return next(lead for lead in await bot.leads() if lead.profile.email == email)


def reminders_to(bot: Leadbot, user: str) -> list[dict[str, Any]]:
    """The nurture reminder DMs `user` got (successful posts with a Done button)."""
    return [
        call.args
        for call in bot.slack.calls_to("chat.postMessage")
        if call.args.get("channel") == user
        and call.fault is None
        and NURTURE_DONE in str(call.args.get("blocks"))
    ]


def step_buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    """Every button of a reminder DM: action_id, value and label."""
    return [
        {
            "action_id": element["action_id"],
            "value": element["value"],
            "label": element["text"]["text"],
        }
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def reminded_step_ids(bot: Leadbot) -> list[int]:
    """Step ids of every Done button in every reminder sent, repeats included."""
    return [
        int(button["value"])
        for call in bot.slack.calls_to("chat.postMessage")
        if call.fault is None and NURTURE_DONE in str(call.args.get("blocks"))
        for button in step_buttons(call.args)
        if button["action_id"] == NURTURE_DONE
    ]


async def sweep(bot: Leadbot) -> None:
    """Run the nurture sweep as the scheduler does, then deliver what it owes."""
    await bot.run_job("nurture")
    await deliver(bot)


async def deliver(bot: Leadbot) -> None:
    """Deliver what is owed, a few seconds on (posts to one channel are paced), then put
    the clock back."""
    at = bot.clock.now
    for _ in range(60):
        bot.clock.advance(seconds=2)
        await bot.settle()
        pending = await rows_of(bot, OutboxRow, status="pending")
        if not [row for row in pending if row.due_at <= at]:
            break
    bot.clock.now = at


async def steps_of(bot: Leadbot, lead: Lead) -> list[NurtureStepRow]:
    """The lead's nurture steps, oldest first."""
    return await rows_of(bot, NurtureStepRow, lead_id=lead.id)


async def click_step(bot: Leadbot, action: str, value: str, user: str = STAFF) -> None:
    """Click a reminder button in the user's DM; returns once the clicker has been told."""
    told = len(bot.slack.calls_to("chat.postEphemeral"))
    reply = await bot.click(action, value, user=user, channel="D" + user)
    assert reply.status == 200
    await bot.slack.wait_for("chat.postEphemeral", count=told + 1)


async def test_a_lead_enters_the_first_plan_whose_segment_it_matches(
    start_leadbot: StartLeadbot,
) -> None:
    bot = await start_leadbot(nurture_config())
    warm = await capture_as(bot, STAFF, email="warm@initech.com", interest="warm")
    cold = await capture_as(bot, STAFF, email="cold@initech.com", interest="cold")
    hot = await capture_as(bot, STAFF, email="hot@initech.com", interest="hot")
    assert (warm.stage, cold.stage, hot.stage) == (Stage.NURTURING, Stage.NURTURING, Stage.HOT)
    plans = {row.lead_id: row.plan for row in await rows_of(bot, NurtureEnrolmentRow)}
    assert plans == {warm.id: "warm-follow-up", cold.id: "cold-follow-up"}
    [first] = await steps_of(bot, warm)
    assert (first.step_title, first.doer, first.state) == ("Thank-you email", STAFF, "due")
    assert first.due_at == bot.clock.now + timedelta(days=1)
    history = [(h.from_stage, h.to_stage) for h in await rows_of(bot, StageHistoryRow)]
    assert ("new", "nurturing") in history
    # Captured again, the same lead stays in its plan: no second enrolment or first step.
    await capture_as(bot, STAFF, email="warm@initech.com", interest="warm")
    assert len(await steps_of(bot, warm)) == 1


async def test_no_plan_matches_and_the_lead_stays_new(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config(COLD_PLAN))
    lead = await capture_as(bot, STAFF, interest="warm")
    assert lead.stage == Stage.NEW
    assert await rows_of(bot, NurtureStepRow) == []


async def stop_and_check(bot: Leadbot, lead: Lead, second: NurtureStepRow) -> None:
    """Stop nurture on the lead's open step: it is stopped, the lead is new, nothing more."""
    await click_step(bot, NURTURE_STOP, str(second.id))
    [stopped] = [s for s in await steps_of(bot, lead) if s.id == second.id]
    assert stopped.state == STOPPED
    [now] = [found for found in await bot.leads() if found.id == lead.id]
    assert now.stage == Stage.NEW
    [enrolment] = await rows_of(bot, NurtureEnrolmentRow, lead_id=lead.id)
    assert enrolment.end_reason == "stopped"
    bot.clock.advance(days=30)
    await sweep(bot)
    assert len(reminders_to(bot, STAFF)) == 3


async def test_a_whole_plan_walked_with_snooze_done_and_stop(
    start_leadbot: StartLeadbot,
) -> None:
    bot = await start_leadbot(nurture_config())
    bot.slack.add_user(STAFF, tz="Asia/Tokyo", locale="ja-JP")
    lead = await capture_as(bot, STAFF, interest="warm", name="山田太郎")
    # Due Wed 10:00 UTC = 19:00 in Tokyo, after hours: it waits for Thu 09:00 Tokyo.
    bot.clock.advance(days=1)
    await sweep(bot)
    assert reminders_to(bot, STAFF) == []
    [step] = await steps_of(bot, lead)
    assert step.due_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    bot.clock.now = step.due_at
    await sweep(bot)
    [dm] = reminders_to(bot, STAFF)
    text = block_texts(dm["blocks"])
    assert "山田太郎" in text
    assert "Thank-you email" in text
    assert "https://x.test/b" in text
    assert "完了" in text  # rendered in the doer's language at send time
    buttons = step_buttons(dm)
    assert [b["action_id"] for b in buttons] == [
        NURTURE_DONE,
        "nurture_snooze_0",
        "nurture_snooze_1",
        NURTURE_STOP,
    ]
    # Snooze 1 day: back on Fri 09:00 Tokyo, the same time of day.
    await click_step(bot, "nurture_snooze_0", buttons[1]["value"])
    [step] = await steps_of(bot, lead)
    assert (step.state, step.due_at) == (SNOOZED, datetime(2026, 11, 27, 0, 0, tzinfo=UTC))
    await sweep(bot)
    assert len(reminders_to(bot, STAFF)) == 1
    bot.clock.now = step.due_at
    await sweep(bot)
    assert len(reminders_to(bot, STAFF)) == 2
    # Done schedules the next step two days on; a second click changes nothing.
    await click_step(bot, NURTURE_DONE, str(step.id))
    await click_step(bot, NURTURE_DONE, str(step.id))
    first, second = await steps_of(bot, lead)
    assert (first.state, first.done_by, second.state) == (DONE, STAFF, "due")
    assert second.step_title == "Call about the brochure"
    assert second.due_at == bot.clock.now + timedelta(days=2)
    [enrolment] = await rows_of(bot, NurtureEnrolmentRow, lead_id=lead.id)
    assert enrolment.step_index == 1
    bot.clock.now = second.due_at  # Sunday 09:00 in Tokyo: it waits for Monday
    await sweep(bot)
    assert len(reminders_to(bot, STAFF)) == 2
    [second] = [s for s in await steps_of(bot, lead) if s.id == second.id]
    assert second.due_at == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    bot.clock.now = second.due_at
    await sweep(bot)
    assert len(reminders_to(bot, STAFF)) == 3
    await stop_and_check(bot, lead, second)


async def test_reminders_wait_for_each_doers_working_hours(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    for user, zone in ((TOKYO, "Asia/Tokyo"), (NEW_YORK, "America/New_York"), (LONDON, "UTC")):
        bot.slack.add_user(user, tz=zone if user != LONDON else "Europe/London")
        await capture_as(bot, user, email=f"{user.lower()}@initech.com", interest="cold")
    # Tue 10:01 UTC: 10:01 in London (working), 19:01 in Tokyo, 05:01 in New York (night).
    bot.clock.advance(minutes=1)
    await sweep(bot)
    assert len(reminders_to(bot, LONDON)) == 1
    assert reminders_to(bot, TOKYO) == reminders_to(bot, NEW_YORK) == []
    due = {row.doer: row.due_at for row in await rows_of(bot, NurtureStepRow) if row.state == "due"}
    assert due == {
        NEW_YORK: datetime(2026, 11, 24, 14, 0, tzinfo=UTC),  # 09:00 EST
        TOKYO: datetime(2026, 11, 25, 0, 0, tzinfo=UTC),  # 09:00 JST the next day
    }
    bot.clock.now = due[NEW_YORK]
    await sweep(bot)
    assert len(reminders_to(bot, NEW_YORK)) == 1
    assert reminders_to(bot, TOKYO) == []
    bot.clock.now = due[TOKYO]
    await sweep(bot)
    assert len(reminders_to(bot, TOKYO)) == 1


async def test_reminders_due_together_for_one_doer_come_as_one_message(
    start_leadbot: StartLeadbot,
) -> None:
    bot = await start_leadbot(nurture_config())
    bot.slack.add_user(STAFF, tz="Europe/London")
    for n in range(3):
        await capture_as(bot, STAFF, email=f"p{n}@initech.com", interest="cold")
    bot.clock.advance(minutes=1)
    await sweep(bot)
    [dm] = reminders_to(bot, STAFF)
    assert len([b for b in step_buttons(dm) if b["action_id"] == NURTURE_DONE]) == 3


async def test_steps_due_together_are_claimed_doer_by_doer(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    for user in (TOKYO, LONDON):
        bot.slack.add_user(user, tz="Europe/London")
    for n in range(4):  # created alternately for two doers, all due at the same moment
        await capture_as(bot, (TOKYO, LONDON)[n % 2], email=f"d{n}@initech.com", interest="cold")
    bot.clock.advance(minutes=1)
    sweeper = NurtureSweep(bot.svc.loop, bot.svc.people, worker="w")
    first, second = await sweeper.claim(limit=2), await sweeper.claim(limit=2)
    assert [len({step.doer for step in claimed}) for claimed in (first, second)] == [1, 1]
    await sweeper.hand_over(first)
    await sweeper.hand_over(second)
    await deliver(bot)
    assert [len(reminders_to(bot, user)) for user in (TOKYO, LONDON)] == [1, 1]


async def seed_due_steps(bot: Leadbot, count: int) -> None:
    """`count` cold leads captured in London, their first step due now."""
    bot.slack.add_user(STAFF, tz="Europe/London")
    for n in range(count):
        await capture_as(bot, STAFF, email=f"race{n}@initech.com", interest="cold")
    bot.clock.advance(minutes=1)


async def test_two_sweeps_racing_send_each_reminder_once(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    await seed_due_steps(bot, 30)
    sweeps = [NurtureSweep(bot.svc.loop, bot.svc.people, worker=f"w{n}") for n in range(3)]
    await asyncio.gather(*(one.run() for one in sweeps), *(one.run() for one in sweeps))
    await deliver(bot)
    reminded = reminded_step_ids(bot)
    assert len(reminded) == 30
    assert len(set(reminded)) == 30
    assert {row.state for row in await rows_of(bot, NurtureStepRow)} == {SENT}


async def test_a_crash_between_claim_and_send_loses_nothing(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    await seed_due_steps(bot, 3)
    crashed = NurtureSweep(bot.svc.loop, bot.svc.people, worker="crashed")
    assert len(await crashed.claim()) == 3  # ... and the process dies here
    await sweep(bot)
    assert reminded_step_ids(bot) == []  # leased: nobody else takes them yet
    bot.clock.advance(minutes=3)  # the lease ran out
    await sweep(bot)
    await sweep(bot)
    assert sorted(reminded_step_ids(bot)) == sorted(
        r.id for r in await rows_of(bot, NurtureStepRow)
    )
    assert len(reminded_step_ids(bot)) == 3
    await crashed.hand_over(await crashed.claim())  # a late wake-up sends nothing again
    await deliver(bot)
    assert len(reminded_step_ids(bot)) == 3


async def test_done_that_makes_the_lead_hot_alerts_it_at_once(
    start_leadbot: StartLeadbot,
) -> None:
    plan = Plan(
        "push",
        Segment(interest=("cold",)),  # type: ignore[arg-type]
        (
            PlanStep(after="1m", action=Action.CALL, title="Discovery call", points=200),
            PlanStep(after="1d", action=Action.EMAIL, title="Never sent"),
        ),
    )
    bot = await start_leadbot(nurture_config(plan))
    await seed_due_steps(bot, 1)
    await sweep(bot)
    [step_id] = reminded_step_ids(bot)
    await click_step(bot, NURTURE_DONE, str(step_id))
    await bot.posted_to(SALES)
    [lead] = await bot.leads()
    assert lead.stage == Stage.HOT
    assert len(cards_in(bot.slack, SALES)) == 1
    assert [s.state for s in await rows_of(bot, NurtureStepRow)] == [DONE]
    [enrolment] = await rows_of(bot, NurtureEnrolmentRow)
    assert enrolment.end_reason == "hot"


async def test_a_step_removed_from_the_plan_is_skipped(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    bot.slack.add_user(STAFF, tz="Europe/London")
    lead = await capture_as(bot, STAFF, interest="warm")
    edited = Plan(WARM_PLAN.name, WARM_PLAN.segment, STEPS[1:])
    await bot.restart(nurture_config(edited, COLD_PLAN))
    bot.clock.advance(days=1)
    await sweep(bot)
    first, second = await steps_of(bot, lead)
    assert (first.state, second.step_title, second.state) == ("skipped", STEPS[1].title, "due")


async def test_lead_mine_lists_tasks_and_open_leads(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    await capture_as(bot, STAFF, name="Nurtured Person", interest="warm")
    reply = await bot.command("mine")
    assert reply.status == 200
    text = block_texts(reply.json()["blocks"])
    assert "Thank-you email" in text
    assert "Nurtured Person" in text
    assert "You own no open leads." in text
    other = await bot.command("mine", user="U0SOMEONE")
    assert "No nurture tasks are due this week." in block_texts(other.json()["blocks"])


async def test_export_shows_plan_step_and_next_step_time(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config())
    await capture_as(bot, STAFF, email="a@initech.com", interest="warm")
    await capture_as(bot, STAFF, email="b@initech.com", interest="hot")
    output = io.StringIO()
    await export_leads(bot.svc.db, output, fmt="csv")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(output.getvalue()))}
    nurtured, hot = rows["a@initech.com"], rows["b@initech.com"]
    assert (nurtured["status"], nurtured["nurture_plan"], nurtured["nurture_step"]) == (
        "nurturing",
        "warm-follow-up",
        "1",
    )
    assert nurtured["next_step_at"] == "2026-11-25T10:00:00+00:00"
    assert (hot["nurture_plan"], hot["nurture_step"], hot["next_step_at"]) == ("", "", "")


async def test_stale_and_malformed_clicks_are_harmless(start_leadbot: StartLeadbot) -> None:
    bot = await start_leadbot(nurture_config(working_hours=WorkingHours("00:00", "24:00")))
    for action, value in (
        (NURTURE_DONE, "999"),
        (NURTURE_DONE, "not-a-number"),
        ("nurture_snooze_0", "1:99d"),
        (NURTURE_STOP, ""),
    ):
        await click_step(bot, action, value)
    assert len(bot.slack.calls_to("chat.postEphemeral")) == 4
    assert await rows_of(bot, NurtureStepRow) == []


async def test_points_of_a_done_step_outlive_a_rescore_under_new_rules(
    start_leadbot: StartLeadbot,
) -> None:
    plan = Plan(
        "points",
        Segment(interest=("cold",)),  # type: ignore[arg-type]
        (
            PlanStep(after="1m", action=Action.CALL, title="Discovery call", points=30),
            PlanStep(after="1d", action=Action.EMAIL, title="Follow-up"),
        ),
    )
    bot = await start_leadbot(nurture_config(plan))
    await seed_due_steps(bot, 1)
    [before] = await bot.leads()
    await sweep(bot)
    [step_id] = reminded_step_ids(bot)
    await click_step(bot, NURTURE_DONE, str(step_id))
    [done] = await bot.leads()
    async with bot.svc.db.write() as session:
        await session.execute(update(LeadRow).values(rules_version="rules of last year"))

    await bot.run_job("rescore")

    [after] = await bot.leads()
    assert done.score == before.score + 30
    assert after.score == done.score  # recomputed from the touches, the step's points kept
    assert "nurture_step" in {reason.code for reason in after.reasons}
