"""Opt-out: a refusal in an imported list or an `unsubscribed` event stops email and material
steps (calls still come) until explicit consent is given again; both databases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.export import export_leads
from bot.list_import import import_file
from leadloop.list_import import ImportOptions
from leads.config import LeadbotConfig
from leads.intake import IntakeSettings, IntakeSource
from leads.lead import Lead
from leads.nurture import Action, NurtureSettings, Plan, PlanStep, Segment
from storage.nurture import SENT, SKIPPED
from storage.tables import LeadRow, NurtureStepRow, TouchRow
from tests.conftest import StartLeadbot
from tests.harness import STAFF, START, Leadbot, block_texts, capture, rows_of
from tests.integration.test_intake import KENJI, SECRET, hook
from tests.integration.test_nurture import reminders_to, sweep

EMAIL_STEP, CALL_STEP = "Thank-you email", "Call about the brochure"
STEPS = (
    PlanStep(after="1d", action=Action.EMAIL, title=EMAIL_STEP, doer=STAFF),
    PlanStep(after="2d", action=Action.CALL, title=CALL_STEP, doer=STAFF),
    PlanStep(after="3d", action=Action.MATERIAL, title="Send the case study", doer=STAFF),
)
EVERYONE = Plan("follow-up", Segment(), STEPS)
# A plan for consenting leads only, tried first: an opted-out lead falls through to EVERYONE.
CONSENTED = Plan(
    "consented-only",
    Segment(consent=True),
    (PlanStep(after="1d", action=Action.EMAIL, title="Newsletter", doer=STAFF),),
)
EMAILS = ("jane@initech.com", "bob@acme.com", "carol@globex.com", "dan@umbrella.com")
RULES = LeadbotConfig(
    nurture=NurtureSettings(plans=(CONSENTED, EVERYONE)),
    intake=IntakeSettings(sources={"website": IntakeSource(SECRET)}),
)


async def started(start_leadbot: StartLeadbot) -> Leadbot:
    bot = await start_leadbot(RULES)
    bot.slack.add_user(STAFF, tz="Europe/London")
    return bot


async def lead_rows(bot: Leadbot) -> dict[str, LeadRow]:
    return {row.email: row for row in await rows_of(bot, LeadRow)}


async def steps_by_title(bot: Leadbot, lead_id: int) -> dict[str, str]:
    steps = await rows_of(bot, NurtureStepRow, lead_id=lead_id)
    return {row.step_title: row.state for row in steps}


def written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def import_text(bot: Leadbot, path: Path, text: str) -> str:
    summary, _rejected = await import_file(written(path, text), bot.svc.loop, ImportOptions())
    return summary.line()


async def test_an_imported_refusal_opts_out_and_a_later_yes_opts_back_in(
    start_leadbot: StartLeadbot, tmp_path: Path
) -> None:
    bot = await started(start_leadbot)
    line = await import_text(
        bot,
        tmp_path / "list.csv",
        "Name,Email,Interest,Consent\n"
        "Jane Doe,jane@initech.com,warm,no\n"
        "Bob Smith,bob@acme.com,warm,\n"
        "Carol White,carol@globex.com,warm,未\n"  # not yet: no consent, but no refusal
        "Dan Brown,dan@umbrella.com,warm,yes\n",
    )

    assert line == "created 4, merged 0, rejected 0"
    leads = await lead_rows(bot)
    jane, bob, carol, dan = (leads[email] for email in EMAILS)
    assert jane.opted_out_at == START
    assert (jane.consent, jane.notes) == (False, "Consent: no")
    assert [bob.opted_out_at, carol.opted_out_at, dan.opted_out_at] == [None, None, None]
    # Enrolment skips what she may not get: her first step is the call, two days on.
    assert await steps_by_title(bot, jane.id) == {CALL_STEP: "due"}
    assert await steps_by_title(bot, bob.id) == {EMAIL_STEP: "due"}
    assert await steps_by_title(bot, dan.id) == {"Newsletter": "due"}
    output = io.StringIO()
    await export_leads(bot.svc.db, output, fmt="csv")
    exported = {row["email"]: row for row in csv.DictReader(io.StringIO(output.getvalue()))}
    assert exported[jane.email]["opted_out_at"] == START.isoformat()
    assert exported[bob.email]["opted_out_at"] == ""

    bot.clock.advance(days=2)
    await sweep(bot)

    assert await steps_by_title(bot, jane.id) == {CALL_STEP: SENT}
    assert (await steps_by_title(bot, bob.id))[EMAIL_STEP] == SENT
    texts = [block_texts(dm["blocks"]) for dm in reminders_to(bot, STAFF)]
    assert any("Jane Doe" in text and CALL_STEP in text for text in texts)

    again = await import_text(
        bot, tmp_path / "again.csv", "Name,Email,Consent\nJane Doe,jane@initech.com,yes\n"
    )

    assert again == "created 0, merged 1, rejected 0"
    jane = (await lead_rows(bot))[jane.email]
    assert (jane.opted_out_at, jane.consent) == (None, True)


async def test_an_unsubscribed_event_skips_email_steps_until_consent_is_given_again(
    start_leadbot: StartLeadbot,
) -> None:
    bot = await started(start_leadbot)
    without_consent = {**KENJI, "consent": False}
    created = await hook(bot, "/hooks/leads/website", without_consent, webhook_id="lead_1")
    lead_id = created.json()["id"]
    assert await steps_by_title(bot, lead_id) == {EMAIL_STEP: "due"}

    reply = await hook(
        bot,
        "/hooks/engagement/website",
        {"email": KENJI["email"], "kind": "unsubscribed"},
        webhook_id="ev_1",
    )

    assert reply.status == 200, reply.text
    assert (reply.json()["kind"], reply.json()["points"]) == ("unsubscribed", 0)
    [row] = await rows_of(bot, LeadRow)
    assert row.opted_out_at == bot.clock.now
    kinds = [touch.kind for touch in await rows_of(bot, TouchRow, lead_id=lead_id)]
    assert kinds == ["", "unsubscribed"]

    bot.clock.advance(days=1)  # the email step falls due: skipped, the call comes next
    await sweep(bot)
    assert reminders_to(bot, STAFF) == []
    assert await steps_by_title(bot, lead_id) == {EMAIL_STEP: SKIPPED, CALL_STEP: "due"}
    bot.clock.advance(days=2)
    await sweep(bot)
    [dm] = reminders_to(bot, STAFF)
    assert CALL_STEP in block_texts(dm["blocks"])

    # A booth capture without consent leaves the opt-out; a web form with consent ends it.
    await capture(bot, name="Sato Kenji", email="kenji.sato@acme.co.jp", interest="warm")
    assert (await _lead(bot, lead_id)).profile.opted_out
    consented = await hook(bot, "/hooks/leads/website", KENJI, webhook_id="lead_2")
    assert consented.status == 200, consented.text
    [row] = await rows_of(bot, LeadRow)
    assert (row.opted_out_at, row.consent) == (None, True)


async def _lead(bot: Leadbot, lead_id: int) -> Lead:
    return next(lead for lead in await bot.leads() if lead.id == lead_id)


async def test_a_consenting_lead_who_unsubscribes_gets_no_more_email(
    start_leadbot: StartLeadbot,
) -> None:
    bot = await started(start_leadbot)
    consented = await hook(bot, "/hooks/leads/website", KENJI, webhook_id="lead_1")
    await hook(
        bot,
        "/hooks/engagement/website",
        {"email": KENJI["email"], "kind": "unsubscribed"},
        webhook_id="ev_1",
    )
    lead_id = consented.json()["id"]
    assert await steps_by_title(bot, lead_id) == {"Newsletter": "due"}

    bot.clock.advance(days=1)
    await sweep(bot)

    # The newsletter is skipped; that plan has nothing else, so the lead leaves it.
    assert await steps_by_title(bot, lead_id) == {"Newsletter": SKIPPED}
    assert reminders_to(bot, STAFF) == []
