"""User text is stored as typed and escaped wherever it is shown, so it never pings or links."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import (
    SALES,
    STAFF,
    Leadbot,
    block_texts,
    select_values,
    text_values,
)

NAME = "<!channel>"
COMPANY = "<https://evil.example|click>"
NOTES = "@here & <@U123>"
RAW_MARKUP = ("<!channel>", "<https://evil", "<@U123>", "<!here>")
ESCAPED_NAME = "&lt;!channel&gt;"

# The same line as a person types it, and as Slack sends it (with &, < and > escaped).
TYPED = f"{NAME}, {COMPANY}, mallory@evil.example, hot, {NOTES}"
AS_SLACK_SENDS = (
    "&lt;!channel&gt;, &lt;https://evil.example|click&gt;, mallory@evil.example, hot,"
    " @here &amp; &lt;@U123&gt;"
)


def message_text(message: dict[str, Any]) -> str:
    """The notification text and every text in the blocks of a message or reply."""
    return str(message.get("text", "")) + "\n" + block_texts(message.get("blocks", []))


def assert_inert(shown: str) -> None:
    """No user text became a mention, broadcast or link; the name is shown escaped."""
    for markup in RAW_MARKUP:
        assert markup not in shown
    assert ESCAPED_NAME in shown


@pytest.mark.parametrize("line", [TYPED, AS_SLACK_SENDS], ids=["typed", "as-slack-sends"])
async def test_quick_capture_stores_markup_raw_and_shows_it_escaped(
    leadbot: Leadbot, line: str
) -> None:
    reply = await leadbot.command(line)

    assert reply.status == 200
    assert_inert(message_text(reply.json()))
    [lead] = await leadbot.leads()
    assert lead.profile.name == NAME
    assert lead.profile.email == "mallory@evil.example"
    [card] = await leadbot.posted_to(SALES)
    assert_inert(message_text(card.args))
    assert not card.args.get("link_names")


async def test_quick_capture_keeps_company_and_notes_exactly_as_typed(leadbot: Leadbot) -> None:
    await leadbot.command(TYPED)

    [lead] = await leadbot.leads()
    assert lead.profile.company == COMPANY
    assert lead.profile.notes == NOTES
    [card] = await leadbot.posted_to(SALES)
    shown = message_text(card.args)
    assert "&lt;https://evil.example|click&gt;" in shown
    assert "@here &amp; &lt;@U123&gt;" in shown


async def test_form_capture_escapes_the_confirmation_dm_and_the_card(leadbot: Leadbot) -> None:
    values = text_values(name=NAME, company=COMPANY, email="mallory@evil.example", notes=NOTES)
    values |= select_values(interest="hot")

    reply = await leadbot.submit(values)

    assert reply.status == 200
    [lead] = await leadbot.leads()
    assert (lead.profile.name, lead.profile.company, lead.profile.notes) == (NAME, COMPANY, NOTES)
    [confirmation] = await leadbot.posted_to(STAFF)
    assert_inert(message_text(confirmation.args))
    [card] = await leadbot.posted_to(SALES)
    assert_inert(message_text(card.args))
    assert "@here &amp; &lt;@U123&gt;" in message_text(card.args)


async def test_edit_reply_and_form_show_the_name_as_typed(leadbot: Leadbot) -> None:
    await leadbot.command(TYPED)
    [lead] = await leadbot.leads()

    await leadbot.click("lead_edit", str(lead.id), user=STAFF)

    [call] = await leadbot.slack.wait_for("views.open")
    name = next(b for b in call.args["view"]["blocks"] if b["block_id"] == "name")
    assert name["element"]["initial_value"] == NAME  # plain_text: shown literally, never parsed


async def test_event_name_with_markup_is_escaped_in_replies_and_home(leadbot: Leadbot) -> None:
    set_reply = await leadbot.command("event <!channel> Expo")
    shown = await leadbot.command("event")
    await leadbot.command("Jane Doe, jane@example.com")
    await leadbot.event(
        {"type": "app_home_opened", "user": STAFF, "tab": "home", "event_ts": "1.2"},
        event_id="Ev1",
    )

    assert_inert(message_text(set_reply.json()))
    assert_inert(message_text(shown.json()))
    [lead] = await leadbot.leads()
    assert lead.profile.event == "<!channel> Expo"
    [home] = await leadbot.slack.wait_for("views.publish")
    assert_inert(block_texts(home.args["view"]["blocks"]))


async def test_home_tab_escapes_lead_names(leadbot: Leadbot) -> None:
    await leadbot.command(TYPED)

    await leadbot.event(
        {"type": "app_home_opened", "user": STAFF, "tab": "home", "event_ts": "1.2"},
        event_id="Ev1",
    )

    [home] = await leadbot.slack.wait_for("views.publish")
    assert_inert(block_texts(home.args["view"]["blocks"]))


async def test_invalid_capture_reply_does_not_echo_markup(leadbot: Leadbot) -> None:
    reply = await leadbot.command("<!channel>, bob@@x")

    shown = message_text(reply.json())
    assert "Nothing was saved" in shown
    for markup in RAW_MARKUP:
        assert markup not in shown
