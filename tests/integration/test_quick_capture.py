"""`/lead <one line>` stores a lead and answers with what was stored; `/lead event` and help."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage.tables import AuditRow, LeadRow, OutboxRow, TouchRow, UserPrefRow
from tests.harness import (
    BOOTH,
    STAFF,
    Leadbot,
    Reply,
    block_texts,
    button_ids,
    prefilled_values,
    text_values,
)


def full_width(ascii_text: str) -> str:
    """The full-width form of ASCII text, as typed with a Japanese input method."""
    return "".join(chr(ord(char) + 0xFEE0) for char in ascii_text)


@dataclass(frozen=True)
class Expected:
    """The profile fields a one-line capture should store."""

    name: str
    company: str = ""
    email: str = ""
    phone: str = ""
    interest: str | None = None


LINES: list[tuple[str, Expected]] = [
    (
        "Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, hot",
        Expected("Yamada Taro", "Acme Corp", "taro@acme.co.jp", "090-1234-5678", "hot"),
    ),
    (
        "Jane Doe <jane@example.com> Initech warm",
        Expected("Jane Doe", "Initech", "jane@example.com", "", "warm"),
    ),
    (
        "山田太郎、株式会社アクメ、taro@acme.co.jp、ホット",
        Expected("山田太郎", "株式会社アクメ", "taro@acme.co.jp", "", "hot"),
    ),
    (
        "Dr. Sarah O'Neil, Globex Corporation, +1 (555) 010-9999 ext. 12, cold",
        Expected("Dr. Sarah O'Neil", "Globex Corporation", "", "+1 (555) 010-9999 ext. 12", "cold"),
    ),
    (
        "佐藤花子 株式会社サンプル hanako@sample.jp 03-1234-5678 ウォーム",
        Expected("佐藤花子", "株式会社サンプル", "hanako@sample.jp", "03-1234-5678", "warm"),
    ),
    (
        "鈴木一郎、(株)テスト、" + full_width("090-1111-2222") + "、ichiro@test.co.jp",
        Expected("鈴木一郎", "(株)テスト", "ichiro@test.co.jp", "090-1111-2222", None),
    ),
    (
        "田中 一郎 / 有限会社タナカ / 電話 03-9876-5432 / 興味: コールド",
        Expected("田中 一郎", "有限会社タナカ", "", "03-9876-5432", "cold"),
    ),
    (  # Slack turns a typed email into a mailto link before sending the command
        "Jane Doe <mailto:jane@example.com|jane@example.com>, Initech, warm",
        Expected("Jane Doe", "Initech", "jane@example.com", "", "warm"),
    ),
    (
        "Li Wei / Umbrella Ltd / Li.Wei@Umbrella.CN / +86 10 1234 5678 / interest: hot",
        Expected("Li Wei", "Umbrella Ltd", "li.wei@umbrella.cn", "+86 10 1234 5678", "hot"),
    ),
    (
        "Maria Garcia, Acme, Inc., maria@acme.com, 555-123-4567, warm, wants a demo",
        Expected("Maria Garcia", "Acme, Inc.", "maria@acme.com", "555-123-4567", "warm"),
    ),
    (
        "Ken Lee, Hooli GmbH, <tel:+49301234567|+49 30 1234567>, hot!",
        Expected("Ken Lee", "Hooli GmbH", "", "+49 30 1234567", "hot"),
    ),
    (
        "Jean-Luc Picard, Starfleet LLC, tel: 555 0100 1234, cold",
        Expected("Jean-Luc Picard", "Starfleet LLC", "", "555 0100 1234", "cold"),
    ),
    (
        "Bob Smith bob.smith@initech.com",
        Expected("Bob Smith", "", "bob.smith@initech.com"),
    ),
]


def reply_text(reply: Reply) -> str:
    """Everything a person reads in a JSON reply: the fallback text and the blocks."""
    assert reply.status == 200, reply.text
    body = reply.json()
    return str(body["text"]) + "\n" + block_texts(body["blocks"])


@pytest.mark.parametrize(("line", "expected"), LINES, ids=[line for line, _ in LINES])
async def test_one_line_is_stored_and_echoed_back(
    leadbot: Leadbot, line: str, expected: Expected
) -> None:
    reply = await leadbot.command(line)

    [lead] = await leadbot.leads()
    profile = lead.profile
    assert (profile.name, profile.company, profile.email, profile.phone) == (
        expected.name,
        expected.company,
        expected.email,
        expected.phone,
    )
    assert (profile.interest.value if profile.interest else None) == expected.interest
    assert lead.captured_by == STAFF
    body = reply.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    shown = reply_text(reply)
    assert "Saved a new lead" in shown
    for value in (expected.name, expected.company, expected.email, expected.phone):
        assert value in shown
    assert button_ids(body["blocks"]) == {"Edit": "lead_edit"}
    assert await leadbot.count(TouchRow, lead_id=lead.id, via="quick") == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="created") == 1


async def test_edit_button_opens_the_lead_prefilled_in_the_edit_form(leadbot: Leadbot) -> None:
    await leadbot.command("Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, warm")
    [lead] = await leadbot.leads()

    reply = await leadbot.click("lead_edit", str(lead.id), user=STAFF, channel=BOOTH)

    assert reply.status == 200
    [call] = await leadbot.slack.wait_for("views.open")
    view = call.args["view"]
    assert view["title"]["text"] == "Edit lead"
    assert view["private_metadata"] == f"{BOOTH}|{lead.id}"
    initial = {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if block["type"] == "input"
    }
    assert initial["name"] == "Yamada Taro"
    assert initial["company"] == "Acme Corp"
    assert initial["email"] == "taro@acme.co.jp"
    assert initial["phone"] == "090-1234-5678"
    interest = next(block for block in view["blocks"] if block["block_id"] == "interest")
    assert interest["element"]["initial_option"]["value"] == "warm"


async def test_submitting_the_edit_form_changes_the_lead_instead_of_adding_one(
    leadbot: Leadbot,
) -> None:
    await leadbot.command("Yamada Taro, Acme Corp, taro@acme.co.jp, 090-1234-5678, warm")
    [lead] = await leadbot.leads()
    await leadbot.click("lead_edit", str(lead.id), user=STAFF, channel=BOOTH)
    [call] = await leadbot.slack.wait_for("views.open")
    values = prefilled_values(call.args["view"])
    values |= text_values(company="Acme Holdings", phone="03-5555-0000")

    reply = await leadbot.submit(values, metadata=f"{BOOTH}|{lead.id}")

    assert reply.status == 200
    assert reply.text == ""
    [edited] = await leadbot.leads()
    assert edited.id == lead.id
    assert edited.profile.name == "Yamada Taro"
    assert edited.profile.company == "Acme Holdings"
    assert edited.profile.phone == "03-5555-0000"
    assert edited.profile.email == "taro@acme.co.jp"
    assert edited.touch_count == 1
    assert await leadbot.count(TouchRow) == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="edited") == 1
    [confirmation] = await leadbot.posted_to(STAFF)
    texts = block_texts(confirmation.args["blocks"])
    assert "Saved your changes to *Yamada Taro*: Company, Phone." in texts


@pytest.mark.parametrize(
    ("line", "must_mention"),
    [
        ("bob@@x", "Email"),
        ("Bob, bob@@x, hot", "Email"),
        ("Bob Jones, bob@example, warm", "Email"),
        (", , hot", "name or an email"),
        ("Bob, jane@example.com, tel: 12345", "Phone"),
    ],
)
async def test_invalid_one_liner_explains_what_to_fix_and_stores_nothing(
    leadbot: Leadbot, line: str, must_mention: str
) -> None:
    reply = await leadbot.command(line)

    shown = reply_text(reply)
    assert "Nothing was saved" in shown
    assert must_mention in shown
    assert "Edit" not in button_ids(reply.json()["blocks"])
    assert await leadbot.count(LeadRow) == 0
    assert await leadbot.count(TouchRow) == 0
    assert await leadbot.count(OutboxRow) == 0


async def test_current_event_is_set_shown_used_and_cleared(leadbot: Leadbot) -> None:
    set_reply = await leadbot.command("event Tokyo Expo 2026")
    assert "Tokyo Expo 2026" in reply_text(set_reply)

    shown = await leadbot.command("event")
    assert "Tokyo Expo 2026" in reply_text(shown)

    await leadbot.command("Yamada Taro, Acme Corp, taro@acme.co.jp, warm")
    cleared = await leadbot.command("event clear")
    assert "cleared" in reply_text(cleared)
    await leadbot.command("Jane Doe, Initech, jane@example.com, warm")

    at_event, after = await leadbot.leads()
    assert at_event.profile.event == "Tokyo Expo 2026"
    assert at_event.profile.source == "event"
    assert after.profile.event == ""
    assert after.profile.source == "manual"
    assert "no current event" in reply_text(await leadbot.command("event"))


async def test_current_event_is_per_person(leadbot: Leadbot) -> None:
    await leadbot.command("event Tokyo Expo 2026", user="U0OTHER")

    await leadbot.command("Jane Doe, Initech, jane@example.com, warm", user=STAFF)

    [lead] = await leadbot.leads()
    assert lead.profile.event == ""
    assert "no current event" in reply_text(await leadbot.command("event", user=STAFF))


async def test_over_long_event_name_is_refused_and_not_stored(leadbot: Leadbot) -> None:
    reply = await leadbot.command("event " + "E" * 151)

    assert "150 characters" in reply_text(reply)
    assert await leadbot.count(UserPrefRow) == 0
    assert "no current event" in reply_text(await leadbot.command("event"))


async def test_event_name_of_exactly_the_limit_is_accepted(leadbot: Leadbot) -> None:
    name = "E" * 150

    await leadbot.command("event " + name)
    await leadbot.command("Jane Doe, jane@example.com")

    [lead] = await leadbot.leads()
    assert lead.profile.event == name


async def test_help_explains_every_form_of_the_command(leadbot: Leadbot) -> None:
    reply = await leadbot.command("help")

    shown = reply_text(reply)
    assert "`/lead event" in shown
    assert "`/lead event clear`" in shown
    assert "one line" in shown
    assert "New lead" in shown  # the form
    assert "hot" in shown
    assert await leadbot.count(LeadRow) == 0
