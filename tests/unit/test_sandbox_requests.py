"""Signed request builders checked against slack_sdk's verifier and slack_bolt's parser."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncSay
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from workspace import requests as slack_requests
from workspace.fake_slack import FakeSlack

SECRET = "shhh-signing-secret"
FORM = "application/x-www-form-urlencoded"


def test_sign_is_accepted_by_sdk_verifier() -> None:
    body = slack_requests.slash_command("acme 3")
    now = int(time.time())

    signature = slack_requests.sign(SECRET, body, now)

    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, str(now), signature)
    assert signature == verifier.generate_signature(timestamp=str(now), body=body)
    assert not verifier.is_valid(body + "x", str(now), signature)


def test_stale_timestamp_is_rejected() -> None:
    body = slack_requests.slash_command()
    stale = int(time.time()) - 301

    headers = slack_requests.signed_headers(SECRET, body, timestamp=stale)

    assert not SignatureVerifier(SECRET).is_valid_request(body, headers)


def test_signed_headers() -> None:
    headers = slack_requests.signed_headers(
        SECRET, "{}", timestamp=1_700_000_000, content_type="application/json"
    )

    assert headers == {
        "X-Slack-Request-Timestamp": "1700000000",
        "X-Slack-Signature": slack_requests.sign(SECRET, "{}", 1_700_000_000),
        "Content-Type": "application/json",
    }
    assert SignatureVerifier(SECRET, clock=_FixedClock(1_700_000_100)).is_valid_request(
        "{}", headers
    )


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_slash_command_fields() -> None:
    text = "Acme Corp & Sons <vip> 田中 100%"

    body = parse_body(slack_requests.slash_command(text, user_id="U9", trigger_id="t1"), FORM)

    assert body["text"] == text
    assert body["user_id"] == "U9"
    assert body["channel_id"] == "C0BOOTH"
    assert body["command"] == "/lead"
    assert body["team_id"] == "T0TEST"
    assert body["api_app_id"] == "A0LEADBOT"
    assert body["is_enterprise_install"] == "false"
    assert body["response_url"] == "https://hooks.slack.com/commands/T0TEST/1/abc"
    assert body["trigger_id"] == "t1"
    assert {"token", "team_domain", "channel_name", "user_name"} <= body.keys()


def test_generated_trigger_ids_are_unique() -> None:
    triggers = {parse_body(slack_requests.slash_command(), FORM)["trigger_id"] for _ in range(3)}

    assert len(triggers) == 3


def test_block_action_fields() -> None:
    raw = slack_requests.block_action(
        "lead_claim", "42", user_id="U9", channel_id="C1", message_ts="1700000000.000100"
    )

    body = parse_body(raw, FORM)

    assert raw.startswith("payload=")
    assert body["type"] == "block_actions"
    assert body["user"]["id"] == "U9"
    assert body["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert body["channel"]["id"] == "C1"
    assert body["message"]["ts"] == "1700000000.000100"
    assert body["trigger_id"]
    [action] = body["actions"]
    assert (action["type"], action["action_id"], action["block_id"], action["value"]) == (
        "button",
        "lead_claim",
        "actions",
        "42",
    )


def test_block_action_keeps_given_message() -> None:
    message = {"type": "message", "ts": "1.2", "text": "lead", "blocks": [{"type": "divider"}]}

    raw = slack_requests.block_action(
        "a", "v", user_id="U9", channel_id="C1", message_ts="1.2", message=message
    )

    assert parse_body(raw, FORM)["message"] == message


def test_view_submission_fields() -> None:
    values = {
        "company": {"company": slack_requests.text_value("Acme")},
        "size": {"size": slack_requests.select_value("50-200", "50 to 200")},
        "topics": {"topics": slack_requests.checkbox_values(["crm", "ai"])},
    }

    raw = slack_requests.view_submission(
        "lead_form", values, user_id="U9", private_metadata='{"channel": "C1"}'
    )
    body = parse_body(raw, FORM)

    assert body["type"] == "view_submission"
    assert body["user"]["id"] == "U9"
    assert body["response_urls"] == []
    view = body["view"]
    assert (view["id"], view["type"], view["callback_id"]) == ("V0MODAL", "modal", "lead_form")
    assert json.loads(view["private_metadata"]) == {"channel": "C1"}
    assert view["state"]["values"] == values


def test_value_builders() -> None:
    assert slack_requests.text_value(None) == {"type": "plain_text_input", "value": None}
    assert slack_requests.select_value(None) == {
        "type": "static_select",
        "selected_option": None,
    }
    assert slack_requests.select_value("a")["selected_option"]["text"]["text"] == "a"
    ticked = slack_requests.checkbox_values(["x", "y"])["selected_options"]
    assert [option["value"] for option in ticked] == ["x", "y"]


def test_event_callback_fields() -> None:
    event = {"type": "app_home_opened", "user": "U9", "channel": "D1", "tab": "home"}

    raw = slack_requests.event_callback(event, event_id="Ev1")
    body = parse_body(raw, "application/json")

    assert body["type"] == "event_callback"
    assert body["event"] == event
    assert body["event_id"] == "Ev1"
    assert body["team_id"] == "T0TEST"
    assert body["authorizations"][0]["team_id"] == "T0TEST"
    assert isinstance(body["event_time"], int)


def test_form_bodies_are_plain_urlencoding() -> None:
    raw = slack_requests.slash_command("a b")

    assert parse_qs(raw)["text"] == ["a b"]


async def test_bolt_app_accepts_signed_command_and_answers_via_fake() -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])
        app = AsyncApp(signing_secret=SECRET, client=client)

        @app.command("/lead")
        async def lead(ack: AsyncAck, say: AsyncSay, command: dict[str, str]) -> None:
            await ack()
            await say(text=f"got {command['text']}")

        body = slack_requests.slash_command("acme")
        headers = slack_requests.signed_headers(SECRET, body, timestamp=int(time.time()))
        response = await app.async_dispatch(
            AsyncBoltRequest(body=body, headers={k.lower(): [v] for k, v in headers.items()})
        )
        [post] = await slack.wait_for("chat.postMessage")

        assert response.status == 200
        assert (post.args["channel"], post.args["text"]) == ("C0BOOTH", "got acme")
