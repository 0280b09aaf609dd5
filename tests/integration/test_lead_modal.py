"""`/lead` with no text opens the New lead modal; submitting it stores the lead."""

from __future__ import annotations

from storage.tables import AuditRow, LeadRow, OutboxRow, TouchRow
from tests.harness import STAFF, Leadbot, block_texts, select_values, text_values
from workspace.requests import checkbox_values

LABELS = ["Name", "Company", "Email", "Phone", "Source", "Interest", "Notes"]


async def test_slash_lead_opens_the_new_lead_modal(leadbot: Leadbot) -> None:
    reply = await leadbot.command("")

    assert reply.status == 200
    [call] = await leadbot.slack.wait_for("views.open")
    view = call.args["view"]
    assert view["title"]["text"] == "New lead"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert set(LABELS) <= set(labels)
    interest = next(b for b in view["blocks"] if b.get("label", {}).get("text") == "Interest")
    assert interest["element"]["type"] == "static_select"
    options = [option["text"]["text"] for option in interest["element"]["options"]]
    assert {"Hot", "Warm", "Cold"} <= set(options)


async def test_modal_is_prefilled_with_the_current_event(leadbot: Leadbot) -> None:
    await leadbot.command("event Tokyo Expo 2026")
    await leadbot.command("")

    [call] = await leadbot.slack.wait_for("views.open")
    event = next(b for b in call.args["view"]["blocks"] if b["block_id"] == "event")
    assert event["element"]["initial_value"] == "Tokyo Expo 2026"


async def test_valid_submission_stores_lead_touch_and_audit(leadbot: Leadbot) -> None:
    values = text_values(
        name="Jane Doe",
        company="Initech",
        email=" Jane@Example.COM ",
        phone="+1 555-010-9999",
        title="Director of IT",
        notes="met at booth",
    )
    values |= select_values(interest="warm", source="seminar")
    values["consent"] = {"value": checkbox_values(["yes"])}

    reply = await leadbot.submit(values)

    assert reply.status == 200
    assert reply.text == ""
    [lead] = await leadbot.leads()
    assert lead.profile.name == "Jane Doe"
    assert lead.profile.email == "jane@example.com"
    assert lead.profile.consent is True
    assert lead.captured_by == STAFF
    assert await leadbot.count(TouchRow, lead_id=lead.id) == 1
    assert await leadbot.count(AuditRow, lead_id=lead.id, action="created") == 1
    [confirmation] = await leadbot.posted_to(STAFF)
    assert "Jane Doe" in block_texts(confirmation.args["blocks"])


async def test_malformed_email_is_an_inline_error_and_nothing_is_stored(leadbot: Leadbot) -> None:
    reply = await leadbot.submit(text_values(name="Bob", email="bob@@example"))

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"email"}
    assert await leadbot.count(LeadRow) == 0
    assert await leadbot.count(OutboxRow) == 0


async def test_name_or_email_is_required(leadbot: Leadbot) -> None:
    reply = await leadbot.submit(text_values(company="Acme"))

    assert reply.json()["errors"].keys() == {"name"}
    assert await leadbot.count(LeadRow) == 0
