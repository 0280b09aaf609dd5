"""One lifecycle: edits count, repeat captures keep what is new, Pass moves the whole lead,
stage history, and the explanations people get when a click is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.model import Interest, Stage
from leads.routing import RoutingRule
from leads.sla import SlaPolicy
from storage.tables import AuditRow, LeadRow, OutboxRow, StageHistoryRow, TouchRow
from tests.conftest import StartLeadbot
from tests.harness import (
    BOOTH,
    SALES,
    STAFF,
    Leadbot,
    block_texts,
    button_ids,
    capture,
    cards_in,
    claimed_by,
    click,
    ephemerals_to,
    hot_card,
    lead_form,
    lead_now,
    open_outcome_form,
    prefilled_values,
    record_outcome,
    rows_of,
    select_values,
    shown,
    submit_outcome_form,
    text_values,
    until_stage,
)

ANN, BOB, ADMIN = "U0ANN", "U0BOB", "U0ADMIN"
PARTNERS, MANAGER = "C0PARTNERS", "U0MANAGER"


def minute(hour: int, minute: int) -> datetime:
    """That time on the test's Tuesday."""
    return datetime(2026, 11, 24, hour, minute, tzinfo=UTC)


async def dms_to(leadbot: Leadbot, user: str, count: int = 1) -> list[str]:
    """The visible text of the DMs `user` got (once there are `count`)."""
    calls = await leadbot.posted_to(user, count=count)
    return [block_texts(call.args.get("blocks") or []) or call.args["text"] for call in calls]


async def open_edit_form(leadbot: Leadbot, lead: Lead, user: str = STAFF) -> dict[str, object]:
    """Click Edit on the capture reply and return the modal Slack was asked to open."""
    before = len(leadbot.slack.calls_to("views.open"))
    await leadbot.click("lead_edit", str(lead.id), user=user, channel=BOOTH)
    calls = await leadbot.slack.wait_for("views.open", count=before + 1)
    view: dict[str, object] = calls[-1].args["view"]
    return view


async def save_edit(leadbot: Leadbot, lead: Lead, **changes: str) -> None:
    """Open the Edit form, change some fields and save it."""
    view = await open_edit_form(leadbot, lead)
    values = prefilled_values(view)
    selects = {name: changes.pop(name) for name in ("interest", "source") if name in changes}
    values |= text_values(**changes) | select_values(**selects)
    reply = await leadbot.submit(values, metadata=str(view["private_metadata"]))
    assert (reply.status, reply.text) == (200, "")


# --- edits count ------------------------------------------------------------------------


async def test_an_edit_that_makes_a_lead_hot_alerts_sales_and_says_so(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech, jane@initech.example, warm")
    [lead] = await leadbot.leads()
    assert lead.stage == Stage.NEW

    await save_edit(leadbot, lead, interest="hot")

    [card] = await leadbot.posted_to(SALES)
    assert "Jane Doe" in block_texts(card.args["blocks"])
    edited = await lead_now(leadbot, lead)
    assert (edited.stage, edited.profile.interest) == (Stage.HOT, Interest.HOT)
    assert edited.score >= 120
    [confirmation] = await dms_to(leadbot, STAFF)
    assert "Saved your changes to *Jane Doe*: Interest." in confirmation
    assert "It is hot: sales has been alerted." in confirmation


async def test_an_edit_rescores_fit_and_says_the_lead_is_not_hot_yet(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech, jane@initech.example, warm")
    [lead] = await leadbot.leads()

    await save_edit(leadbot, lead, title="VP of Sales")

    edited = await lead_now(leadbot, lead)
    assert edited.score == lead.score + 15
    assert any(reason.code == "title" for reason in edited.reasons)
    [confirmation] = await dms_to(leadbot, STAFF)
    assert "Job title" in confirmation
    assert f"Score *{edited.score}*: not hot yet (hot from 60)." in confirmation
    assert cards_in(leadbot.slack, SALES) == []


async def test_an_edit_redraws_the_posted_card_in_place(leadbot: Leadbot) -> None:
    lead = await hot_card(leadbot, name="Jane Doe", company="Initech")

    await save_edit(leadbot, lead, company="Initrode Global")
    [update] = (call.args for call in await leadbot.slack.wait_for("chat.update"))

    assert (update["channel"], update["ts"]) == (SALES, lead.card_ts)
    assert "Initrode Global" in block_texts(update["blocks"])
    assert button_ids(update["blocks"]) == {"Claim": "lead_claim", "Pass": "lead_pass"}
    assert len(cards_in(leadbot.slack, SALES)) == 1


async def test_an_edit_before_the_card_is_posted_changes_the_card_that_will_be(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.fail("chat.postMessage", status=500)  # the first post of the card fails
    lead = await capture(leadbot, name="Jane Doe", company="Initech")
    await leadbot.slack.wait_for("chat.postMessage")
    await leadbot.settle()

    await save_edit(leadbot, lead, company="Initrode Global")
    leadbot.clock.advance(minutes=1)
    await leadbot.settle()

    [card] = cards_in(leadbot.slack, SALES)
    assert "Initrode Global" in block_texts(card.args["blocks"])
    assert leadbot.slack.calls_to("chat.update") == []


# --- repeat captures keep what is new -------------------------------------------------


async def test_a_repeat_capture_keeps_new_notes_a_later_title_and_the_stronger_interest(
    leadbot: Leadbot,
) -> None:
    await capture(leadbot, interest="warm", notes="Asked about pricing", title="Manager")
    leadbot.clock.advance(days=2)
    values = lead_form(interest="hot", notes="Wants a demo in January", title="Director")
    values |= text_values(company="Someone Else Inc")
    reply = await leadbot.submit(values, user=BOB)
    assert reply.status == 200

    [lead] = await leadbot.leads()
    assert lead.touch_count == 2
    assert lead.profile.company == "Initech"  # what was known stays
    assert lead.profile.title == "Director"
    assert lead.profile.interest == Interest.HOT
    assert lead.profile.notes == (
        "Asked about pricing\n[2026-11-26 U0BOB] Wants a demo in January; company: Someone Else Inc"
    )
    [touched] = await rows_of(leadbot, AuditRow, action="touched")
    assert set(touched.detail["changed"]) == {"title", "interest", "notes"}


async def test_a_repeat_capture_of_an_owned_lead_tells_the_owner_in_their_language(
    leadbot: Leadbot,
) -> None:
    leadbot.slack.add_user(ANN, locale="ja-JP")
    lead = await claimed_by(leadbot, ANN)
    await leadbot.posted_to(ANN)  # the claim DM

    reply = await leadbot.command(f"Jane Doe, {lead.profile.email}, asked for a quote", user=BOB)
    leadbot.clock.advance(seconds=2)  # DMs to one person are paced like any channel
    await leadbot.settle()

    assert f"<@{ANN}> owns this lead and has been told" in reply.json()["blocks"][0]["text"]["text"]
    [_, notice] = await dms_to(leadbot, ANN, count=2)
    assert f"<@{BOB}> さんが、あなたの担当リード *Jane Doe* に再び接触しました" in notice
    assert "asked for a quote" in notice  # typed where a company goes: kept in the note


async def test_the_owner_of_a_won_lead_hears_of_a_repeat_capture_too(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await record_outcome(leadbot, lead, ANN, "won")
    await until_stage(leadbot, lead, Stage.WON)

    await leadbot.command(f"Jane Doe, {lead.profile.email}", user=BOB)
    leadbot.clock.advance(seconds=2)
    await leadbot.settle()

    notices = [text for text in await dms_to(leadbot, ANN, count=2) if "again" in text]
    assert notices
    assert "captured your lead *Jane Doe* again" in notices[0]
    assert (await lead_now(leadbot, lead)).stage == Stage.WON


async def test_the_owner_capturing_their_own_lead_is_not_told(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await leadbot.command(f"Jane Doe, {lead.profile.email}", user=ANN)
    await leadbot.settle()

    assert len(await leadbot.posted_to(ANN, timeout=0)) == 1  # the claim DM only


# --- no touch floods -------------------------------------------------------------------


async def test_a_double_submit_or_a_replay_cannot_turn_a_warm_lead_hot(leadbot: Leadbot) -> None:
    form = lead_form(interest="warm", title="Director", source="event")
    for _ in range(4):
        assert (await leadbot.submit(form)).status == 200
        leadbot.clock.advance(minutes=2)

    [lead] = await leadbot.leads()
    assert lead.touch_count == 4
    assert await leadbot.count(TouchRow, lead_id=lead.id) == 4
    assert (lead.stage, lead.score) == (Stage.NEW, 55)  # 15 title + 30 warm + 10 booth
    await leadbot.settle()
    assert cards_in(leadbot.slack, SALES) == []


async def test_another_capturer_is_a_real_second_touch(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, jane@initech.example, warm")
    await leadbot.command("Jane Doe, jane@initech.example, warm", user=BOB)

    [lead] = await leadbot.leads()
    assert (lead.score, lead.stage) == (70, Stage.HOT)  # 30 + 30 + 10 repeat


# --- Pass moves the whole lead --------------------------------------------------------

PASSING = LeadbotConfig(
    routing=(RoutingRule(channel=SALES, pass_to=PARTNERS),),
    sla=SlaPolicy(reannounce_after_minutes=15, escalate_after_minutes=60, escalate_to=MANAGER),
)


async def passed_on(leadbot: Leadbot) -> tuple[Lead, Lead]:
    """A hot lead passed from #sales to #partners: (before the pass, after its new card)."""
    lead = await hot_card(leadbot, name="Jane Doe")
    await click(leadbot, "lead_pass", lead, ANN)
    await leadbot.posted_to(PARTNERS)
    await leadbot.settle()
    return lead, await lead_now(leadbot, lead)


async def test_after_a_pass_reminders_and_escalation_follow_the_lead(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(PASSING)
    _, moved = await passed_on(leadbot)
    assert (moved.route_channel, moved.card_channel) == (PARTNERS, PARTNERS)

    leadbot.clock.now = minute(10, 15)
    await leadbot.settle()
    [reminder] = [
        call.args
        for call in leadbot.slack.calls_to("chat.postMessage")
        if call.args.get("thread_ts")
    ]
    assert (reminder["channel"], reminder["thread_ts"]) == (PARTNERS, moved.card_ts)

    leadbot.clock.now = minute(11, 0)
    await leadbot.settle()
    [escalation] = await leadbot.posted_to(MANAGER)
    assert f"<#{PARTNERS}>" in escalation.args["text"]
    assert f"<#{SALES}>" not in escalation.args["text"]


async def test_the_card_left_behind_says_where_the_lead_went_and_offers_nothing(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(PASSING)
    original, _ = await passed_on(leadbot)

    left_behind = shown(leadbot, original)
    assert f"Passed on to <#{PARTNERS}>" in block_texts(left_behind)
    assert button_ids(left_behind) == {}

    await click(leadbot, "lead_claim", original, BOB, channel=SALES)  # a stale button
    [note] = await ephemerals_to(leadbot, BOB, count=2)  # ANN was told of her Pass
    assert f"passed on to <#{PARTNERS}>" in note
    assert (await lead_now(leadbot, original)).owner is None


async def test_a_later_claim_keeps_the_passed_by_line(start_leadbot: StartLeadbot) -> None:
    leadbot = await start_leadbot(PASSING)
    leadbot.slack.set_members(PARTNERS, [BOB])
    _, moved = await passed_on(leadbot)

    await click(leadbot, "lead_claim", moved, BOB)
    await until_stage(leadbot, moved, Stage.CLAIMED)
    await leadbot.settle()

    texts = block_texts(shown(leadbot, moved))
    assert f"Claimed by <@{BOB}>" in texts
    assert f"passed by <@{ANN}>" in texts


# --- refusals in words -----------------------------------------------------------------


async def test_an_admin_clicking_an_outcome_on_an_unclaimed_card_is_told_to_claim_first(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LeadbotConfig(admins=(ADMIN,)))
    lead = await hot_card(leadbot)

    await click(leadbot, "lead_won", lead, ADMIN)

    [note] = await ephemerals_to(leadbot, ADMIN)
    assert "Nobody has claimed this lead yet" in note
    assert (await lead_now(leadbot, lead)).stage == Stage.HOT


async def test_refusals_speak_the_clickers_language(leadbot: Leadbot) -> None:
    leadbot.slack.add_user(BOB, locale="ja-JP")
    lead = await claimed_by(leadbot, ANN)

    await click(leadbot, "lead_won", lead, BOB)

    [note] = await ephemerals_to(leadbot, BOB)
    assert f"結果を記録できるのは担当の <@{ANN}> さんか管理者だけです。" == note


# --- stage history ---------------------------------------------------------------------


async def test_every_stage_change_is_in_the_history(leadbot: Leadbot) -> None:
    lead = await claimed_by(leadbot, ANN)
    await click(leadbot, "lead_meeting", lead, ANN)
    await until_stage(leadbot, lead, Stage.MEETING)
    form = await open_outcome_form(leadbot, lead, ANN, "lead_won")
    await submit_outcome_form(leadbot, form, ANN, value="5000")
    await until_stage(leadbot, lead, Stage.WON)
    again = await submit_outcome_form(leadbot, form, ANN, value="5000")  # a double submit
    assert "already recorded as Won" in again.json()["errors"]["deal_value"]

    history = await rows_of(leadbot, StageHistoryRow, lead_id=lead.id)
    assert [(row.from_stage, row.to_stage, row.actor) for row in history] == [
        ("", "new", STAFF),
        ("new", "hot", "leadbot"),
        ("hot", "claimed", ANN),
        ("claimed", "meeting", ANN),
        ("meeting", "won", ANN),
    ]
    assert history[-1].value == 5000


async def test_reasons_are_stored_as_codes_and_old_ones_are_recomputed(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Director, jane@initech.example, warm")
    async with leadbot.svc.db.write() as session:
        row = await session.scalar(select(LeadRow))
        assert row is not None
        assert {reason["code"] for reason in row.reasons} == {"title", "interest"}
        row.reasons = [{"label": "interest: Warm", "points": 30, "kind": "engagement"}]
        row.rules_version = "from-before-codes"

    summary = await leadbot.run_job("rescore")

    assert "recomputed 1" in summary
    [lead] = await leadbot.leads()
    assert [(reason.code, reason.params) for reason in lead.reasons] == [
        ("title", {"level": "director"}),
        ("interest", {"interest": "warm"}),
    ]


# --- reserved words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "help me",
        "HELP",
        "event",
        "stats 30d",
        "stats",
        "find Yamada",
        "mine",
        "admin users",
        "Ｓｔａｔｓ",
    ],
)
async def test_reserved_first_words_are_commands_never_a_leads_name(
    leadbot: Leadbot, text: str
) -> None:
    reply = await leadbot.command(text)

    assert reply.status == 200
    assert "Saved a new lead" not in reply.text
    assert await leadbot.count(LeadRow) == 0


# --- languages -------------------------------------------------------------------------


async def test_a_japanese_user_gets_japanese_help_form_and_replies(leadbot: Leadbot) -> None:
    leadbot.slack.add_user("U0JA", locale="ja-JP")

    help_text = (await leadbot.command("help", user="U0JA")).json()["text"]
    assert "`/lead` でリードを登録する方法" in help_text

    await leadbot.command("", user="U0JA")
    [opened] = await leadbot.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["title"]["text"] == "新規リード"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert {"氏名", "会社名", "メールアドレス", "電話番号", "流入元", "関心度", "メモ"} <= set(
        labels
    )

    saved = (
        await leadbot.command("山田太郎、株式会社アクメ、taro@acme.co.jp、ウォーム", user="U0JA")
    ).json()
    assert saved["text"] == "新しいリードを登録しました：山田太郎"
    assert button_ids(saved["blocks"]) == {"編集": "lead_edit"}

    refused = (await leadbot.command("山田花子, hanako@@acme", user="U0JA")).json()["text"]
    assert refused.startswith("保存していません。")

    errors = (await leadbot.submit(text_values(email="bad@"), user="U0JA")).json()["errors"]
    assert errors["email"] == "name@company.com の形式でメールアドレスを入力してください"


async def test_an_english_user_gets_english(leadbot: Leadbot) -> None:
    leadbot.slack.add_user("U0EN", locale="en-US")

    assert "*How to log a lead" in (await leadbot.command("help", user="U0EN")).json()["text"]
    errors = (await leadbot.submit(text_values(email="bad@"), user="U0EN")).json()["errors"]
    assert errors["email"] == "Enter an email like name@company.com"


async def test_the_rules_file_language_is_the_default_and_speaks_in_channels(
    start_leadbot: StartLeadbot,
) -> None:
    leadbot = await start_leadbot(LeadbotConfig(language="ja"))
    leadbot.slack.add_user("U0EN", locale="en-US")
    leadbot.slack.missing_users.add("U0UNKNOWN")

    assert "How to log" in (await leadbot.command("help", user="U0EN")).json()["text"]
    unknown = (await leadbot.command("help", user="U0UNKNOWN")).json()["text"]
    assert "リードを登録する方法" in unknown

    await leadbot.command("Jane Doe, jane@initech.example, hot", user="U0EN")
    [card] = await leadbot.posted_to(SALES)
    assert button_ids(card.args["blocks"]) == {"担当する": "lead_claim", "見送る": "lead_pass"}


async def test_the_home_tab_speaks_the_viewers_language(leadbot: Leadbot) -> None:
    leadbot.slack.add_user("U0JA", locale="ja-JP")
    await leadbot.command("山田太郎, taro@acme.co.jp, ウォーム", user="U0JA")

    await leadbot.event({"type": "app_home_opened", "user": "U0JA", "tab": "home"}, event_id="Ev1")

    [published] = await leadbot.slack.wait_for("views.publish")
    texts = block_texts(published.args["view"]["blocks"])
    assert "*最近登録したリード*" in texts
    assert "山田太郎：スコア" in texts


async def test_locales_are_looked_up_once_and_cached(leadbot: Leadbot) -> None:
    leadbot.slack.add_user("U0JA", locale="ja-JP")
    for _ in range(3):
        await leadbot.command("help", user="U0JA")

    lookups = [c for c in leadbot.slack.calls_to("users.info") if c.args.get("user") == "U0JA"]
    assert len(lookups) == 1
    assert str(lookups[0].args.get("include_locale")).lower() in ("true", "1")


async def test_outbox_rows_for_a_capture_are_written_with_it(leadbot: Leadbot) -> None:
    lead = await capture(leadbot, name="Jane Doe")
    keys = {row.dedupe_key for row in await rows_of(leadbot, OutboxRow, lead_id=lead.id)}
    assert f"lead:{lead.id}:card" in keys
    assert f"lead:{lead.id}:touch:1:confirm" in keys
