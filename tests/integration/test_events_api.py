"""Events API: the Home tab shows a person's event and leads; Slack's retries do nothing twice."""

from __future__ import annotations

from typing import Any

from storage.tables import SlackEventRow
from tests.harness import STAFF, Leadbot, block_texts

OTHER = "U0OTHER"


def home_opened(user: str, tab: str = "home") -> dict[str, Any]:
    """An app_home_opened event as Slack sends it."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": "1700000000.000100",
    }


def publishes_for(leadbot: Leadbot, user: str) -> list[Any]:
    """The views.publish calls made for `user`."""
    return [c for c in leadbot.slack.calls_to("views.publish") if c.args.get("user_id") == user]


async def test_opening_home_publishes_current_event_and_recent_leads(leadbot: Leadbot) -> None:
    await leadbot.command("event Tokyo Expo 2026")
    await leadbot.command("Kenji Watanabe, Acme Corp, kenji@acme.co.jp, warm")
    await leadbot.command("Priya Patel, Initech, priya@example.com, cold")

    reply = await leadbot.event(home_opened(STAFF), event_id="Ev1")

    assert reply.status == 200
    [call] = await leadbot.slack.wait_for("views.publish")
    assert call.args["user_id"] == STAFF
    view = call.args["view"]
    assert view["type"] == "home"
    shown = block_texts(view["blocks"])
    assert "Tokyo Expo 2026" in shown
    assert "Kenji Watanabe" in shown
    assert "Priya Patel" in shown


async def test_home_shows_only_the_viewers_own_leads(leadbot: Leadbot) -> None:
    await leadbot.command("Kenji Watanabe, Acme Corp, kenji@acme.co.jp, warm", user=STAFF)

    await leadbot.event(home_opened(OTHER), event_id="Ev1")

    [call] = await leadbot.slack.wait_for("views.publish")
    assert call.args["user_id"] == OTHER
    shown = block_texts(call.args["view"]["blocks"])
    assert "Kenji Watanabe" not in shown
    assert "no current event" in shown


async def test_redelivered_event_is_acknowledged_and_not_handled_again(leadbot: Leadbot) -> None:
    await leadbot.event(home_opened(STAFF), event_id="Ev1")
    await leadbot.slack.wait_for("views.publish")

    retry = await leadbot.event(home_opened(STAFF), event_id="Ev1", retry=1)
    # a later, new event: once it is published, the retry has had every chance to be too
    await leadbot.event(home_opened(OTHER), event_id="Ev2")
    await leadbot.slack.wait_for("views.publish", count=2)

    assert retry.status == 200
    assert len(publishes_for(leadbot, STAFF)) == 1
    assert len(publishes_for(leadbot, OTHER)) == 1
    assert await leadbot.count(SlackEventRow) == 2


async def test_redelivery_is_recognized_by_event_id_even_without_retry_headers(
    leadbot: Leadbot,
) -> None:
    await leadbot.event(home_opened(STAFF), event_id="Ev1")
    await leadbot.slack.wait_for("views.publish")

    again = await leadbot.event(home_opened(STAFF), event_id="Ev1")
    await leadbot.event(home_opened(OTHER), event_id="Ev2")
    await leadbot.slack.wait_for("views.publish", count=2)

    assert again.status == 200
    assert len(publishes_for(leadbot, STAFF)) == 1


async def test_each_new_event_id_is_handled(leadbot: Leadbot) -> None:
    await leadbot.event(home_opened(STAFF), event_id="Ev1")
    await leadbot.event(home_opened(STAFF), event_id="Ev2")

    await leadbot.slack.wait_for("views.publish", count=2)
    assert len(publishes_for(leadbot, STAFF)) == 2


async def test_messages_tab_publishes_nothing(leadbot: Leadbot) -> None:
    reply = await leadbot.event(home_opened(STAFF, tab="messages"), event_id="Ev1")
    await leadbot.event(home_opened(OTHER), event_id="Ev2")
    await leadbot.slack.wait_for("views.publish")

    assert reply.status == 200
    assert publishes_for(leadbot, STAFF) == []
    assert len(publishes_for(leadbot, OTHER)) == 1
