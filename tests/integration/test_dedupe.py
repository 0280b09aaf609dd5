"""The same person (same normalized email) captured again is one lead with one more touch."""

from __future__ import annotations

import asyncio

import pytest

from storage.tables import AuditRow, LeadRow, TouchRow
from tests.harness import (
    SALES,
    STAFF,
    Leadbot,
    Reply,
    block_texts,
    button_ids,
    select_values,
    text_values,
)

CONCURRENT = 20


def headline(reply: Reply) -> str:
    """The first line of a capture reply (fails loudly on the error handler's plain text)."""
    assert reply.status == 200, reply.text
    body = reply.json()
    assert button_ids(body["blocks"]) == {"Edit": "lead_edit"}, body
    return str(body["text"])


async def test_same_email_in_other_case_and_spacing_is_a_touch_not_a_new_lead(
    leadbot: Leadbot,
) -> None:
    first = await leadbot.command("Jane Doe, Initech, Jane.Doe@Example.com, warm")
    second = await leadbot.command(
        "Jane D., Other Corp,   JANE.DOE@EXAMPLE.COM  , +1 555-010-9999", user="U0SECOND"
    )

    assert headline(first).startswith("Saved a new lead")
    assert headline(second).startswith("Added a touch to an existing lead")
    [lead] = await leadbot.leads()
    assert lead.touch_count == 2
    assert lead.profile.email == "jane.doe@example.com"
    assert lead.profile.name == "Jane Doe"  # filled fields are never overwritten
    assert lead.profile.company == "Initech"
    assert lead.profile.phone == "+1 555-010-9999"  # an empty field is filled
    assert lead.captured_by == STAFF
    assert await leadbot.count(TouchRow, lead_id=lead.id) == 2
    assert await leadbot.count(TouchRow, lead_id=lead.id, captured_by="U0SECOND") == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="created") == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="touched") == 1


async def test_touch_reply_shows_the_merged_lead(leadbot: Leadbot) -> None:
    await leadbot.command("jane@example.com")

    reply = await leadbot.command("Jane Doe, Initech, jane@example.com, 03-1234-5678")

    shown = block_texts(reply.json()["blocks"])
    assert "Added a touch to an existing lead" in shown
    assert "Jane Doe" in shown
    assert "Initech" in shown
    assert "03-1234-5678" in shown
    [lead] = await leadbot.leads()
    assert button_ids(reply.json()["blocks"]) == {"Edit": "lead_edit"}
    assert reply.json()["blocks"][-1]["elements"][0]["value"] == str(lead.id)


async def test_modal_capture_of_a_known_email_adds_a_touch(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech, jane@example.com, warm")
    values = text_values(name="Jane Doe", email=" JANE@example.com", title="CTO")
    values |= select_values(interest="cold")

    reply = await leadbot.submit(values)

    assert reply.status == 200
    assert reply.text == ""
    [lead] = await leadbot.leads()
    assert lead.touch_count == 2
    assert lead.profile.title == "CTO"
    assert await leadbot.count(TouchRow, lead_id=lead.id, via="modal") == 1
    [confirmation] = await leadbot.posted_to(STAFF)
    assert "Added a touch to an existing lead" in block_texts(confirmation.args["blocks"])


async def test_leads_without_email_or_phone_are_never_merged(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech")
    await leadbot.command("Jane Doe, Initech")

    assert await leadbot.count(LeadRow) == 2


@pytest.mark.parametrize(
    "again",
    [
        "Jane Doe, Initech, 03-1234-5678",
        "Jane Doe, +81 3 1234 5678",
        "Jane Doe, (03) 1234-5678",
        "Jane Doe, 0312345678",
        "jane doe, 03 1234 5678, hot",
    ],
)
async def test_the_same_phone_without_an_email_is_the_same_person(
    leadbot: Leadbot, again: str
) -> None:
    await leadbot.command("Jane Doe, Initech, 03-1234-5678, warm")
    reply = await leadbot.command(again)

    assert headline(reply).startswith("Added a touch")
    [lead] = await leadbot.leads()
    assert lead.touch_count == 2


async def test_the_same_phone_with_another_name_is_another_person(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech, 03-1234-5678")  # the office switchboard
    await leadbot.command("Tanaka Ichiro, Initech, 03-1234-5678")

    assert [lead.profile.name for lead in await leadbot.leads()] == ["Jane Doe", "Tanaka Ichiro"]


async def test_an_email_later_joins_the_lead_known_by_phone(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, Initech, 03-1234-5678")
    await leadbot.command("Jane Doe, jane@initech.example, 03-1234-5678")

    [lead] = await leadbot.leads()
    assert (lead.profile.email, lead.touch_count) == ("jane@initech.example", 2)


async def test_different_emails_are_different_leads(leadbot: Leadbot) -> None:
    await leadbot.command("Jane Doe, jane@example.com")
    await leadbot.command("Jane Doe, jane@example.org")

    assert [lead.profile.email for lead in await leadbot.leads()] == [
        "jane@example.com",
        "jane@example.org",
    ]


async def test_concurrent_captures_of_one_email_make_one_lead_with_every_touch(
    leadbot: Leadbot,
) -> None:
    lines = [
        f"Jane Doe, Initech, {'JANE' if i % 2 else 'jane'}@example.com, warm"
        for i in range(CONCURRENT)
    ]

    replies = await asyncio.gather(
        *(leadbot.command(line, user=f"U0STAFF{i:02d}") for i, line in enumerate(lines))
    )

    assert [reply.status for reply in replies] == [200] * CONCURRENT
    headlines = [headline(reply) for reply in replies]
    assert sum(h.startswith("Saved a new lead") for h in headlines) == 1
    assert sum(h.startswith("Added a touch") for h in headlines) == CONCURRENT - 1
    [lead] = await leadbot.leads()
    assert lead.touch_count == CONCURRENT
    assert await leadbot.count(TouchRow, lead_id=lead.id) == CONCURRENT
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="created") == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="touched") == CONCURRENT - 1


async def test_concurrent_hot_captures_of_one_email_alert_sales_once(leadbot: Leadbot) -> None:
    line = "Jane Doe, Initech, jane@example.com, hot"

    replies = await asyncio.gather(*(leadbot.command(line) for _ in range(CONCURRENT)))

    assert all(reply.status == 200 for reply in replies)
    [lead] = await leadbot.leads()
    assert lead.touch_count == CONCURRENT
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="hot") == 1
    await leadbot.posted_to(SALES)
    await leadbot.settle()
    assert len(await leadbot.posted_to(SALES, timeout=0)) == 1
