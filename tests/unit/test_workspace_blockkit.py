"""The workspace is faithful: Block Kit that Slack would refuse gets Slack's error, with the
reasons in response_metadata.messages; what the bot sends is accepted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.messages import help_message, home_view
from blocks.modal import ModalContext, lead_modal
from leads.language import LANGUAGES, Language
from leads.model import LeadDraft
from workspace.blockkit import block_problems, view_problems
from workspace.fake_slack import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}
TITLE = {"type": "plain_text", "text": "New lead"}


@pytest.fixture
async def client() -> AsyncIterator[AsyncWebClient]:
    async with FakeSlack() as fake:
        yield AsyncWebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])


async def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        await call
    body: dict[str, Any] = info.value.response.data
    return body


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "3000"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "150"),
        ([{"type": "section"}], "text or fields"),
        ([{"type": "carousel"}], "unsupported type"),
        ([{"text": "no type"}], "type"),
        ([SECTION] * 51, "50"),
        (
            [{"type": "actions", "elements": [{"type": "button", "text": TITLE, "style": "x"}]}],
            "style",
        ),
    ],
    ids=["long-section", "long-header", "empty-section", "unknown", "no-type", "51", "style"],
)
async def test_invalid_blocks_get_slacks_error(
    client: AsyncWebClient, blocks: list[Any], reason: str
) -> None:
    body = await _refused(client.chat_postMessage(channel="C1", text="t", blocks=blocks))

    assert body["ok"] is False
    assert body["error"] == "invalid_blocks"
    [message] = body["response_metadata"]["messages"][:1]
    assert message.startswith("[ERROR] ")
    assert reason in message
    assert "[json-pointer:/blocks" in message


async def test_updates_and_ephemerals_are_checked_too(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="t", blocks=[SECTION])
    bad = [{"type": "section"}]

    update = await _refused(client.chat_update(channel="C1", ts=posted["ts"], text="t", blocks=bad))
    ephemeral = await _refused(
        client.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=bad)
    )

    assert update["error"] == ephemeral["error"] == "invalid_blocks"


@pytest.mark.parametrize(
    ("view", "reason"),
    [
        (
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "t" * 25},
                "blocks": [SECTION],
            },
            "24",
        ),
        ({"type": "modal", "title": TITLE, "blocks": []}, "between 1 and 100"),
        ({"type": "modal", "title": TITLE, "blocks": [SECTION] * 101}, "100"),
        ({"type": "dialog", "title": TITLE, "blocks": [SECTION]}, "modal, home"),
    ],
    ids=["long-title", "no-blocks", "101-blocks", "not-a-view"],
)
async def test_invalid_views_get_slacks_error(
    client: AsyncWebClient, view: dict[str, Any], reason: str
) -> None:
    body = await _refused(client.views_open(trigger_id="1.2.3", view=view))

    assert body["error"] == "invalid_arguments"
    assert any(reason in message for message in body["response_metadata"]["messages"])


async def test_home_with_submit_is_refused(client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [SECTION], "submit": TITLE}

    body = await _refused(client.views_publish(user_id="U1", view=home))

    assert body["error"] == "invalid_arguments"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bots_own_block_kit_is_accepted(language: Language) -> None:
    modal = lead_modal(draft=LeadDraft(), context=ModalContext("C0BOOTH", 0), language=language)

    assert view_problems(modal) == []
    assert view_problems(home_view("Tokyo Expo", [], language)) == []
    assert block_problems(help_message(language)["blocks"]) == []
