"""The local workspace's own logic: requests as Socket Mode envelopes, threads, replies."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st

from workspace import requests as slack_requests
from workspace.local import _command_reply, _envelope_of, _threaded


@given(st.text(max_size=300))
def test_a_slash_command_becomes_the_same_fields_in_an_envelope(text: str) -> None:
    body = slack_requests.slash_command(text, user_id="U0STAFF", channel_id="C0BOOTH")

    kind, payload = _envelope_of(body, "application/x-www-form-urlencoded")

    assert kind == "slash_commands"
    assert payload["text"] == text
    assert payload == {key: values[0] for key, values in parse_qs(body, True).items()}


def test_interactions_and_events_become_their_envelopes() -> None:
    click = slack_requests.interaction(
        "block_actions", {"actions": [{"action_id": "claim"}]}, user_id="U1", trigger_id="t.1"
    )
    event = slack_requests.event_callback({"type": "app_home_opened"}, event_id="Ev1")

    kind, payload = _envelope_of(click, "application/x-www-form-urlencoded")
    event_kind, envelope = _envelope_of(event, "application/json")

    assert kind == "interactive"
    assert payload["type"] == "block_actions"
    assert payload["trigger_id"] == "t.1"
    assert payload["user"]["id"] == "U1"
    assert payload["actions"] == [{"action_id": "claim"}]
    assert event_kind == "events_api"
    assert envelope == json.loads(event)


def test_replies_follow_their_parent_and_orphans_keep_their_place() -> None:
    def message(ts: str, thread_ts: str | None = None) -> dict[str, str | None]:
        return {"ts": ts, "thread_ts": thread_ts}

    shown = _threaded(
        [message("3"), message("2.5", "1"), message("1", "1"), message("4", "9"), message("2")]
    )

    assert [m["ts"] for m in shown] == ["1", "2.5", "2", "3", "4"]


def test_command_acks_become_messages() -> None:
    assert _command_reply("") is None
    assert _command_reply("plain words") == {"text": "plain words"}
    assert _command_reply('{"text": "hi", "blocks": []}') == {"text": "hi", "blocks": []}
    assert _command_reply("[1, 2]") == {"text": "[1, 2]"}
