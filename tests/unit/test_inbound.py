"""Slack's signature and body shapes, checked and parsed once (bot/inbound.py)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.inbound import (
    FORM,
    JSON,
    MAX_DEPTH,
    Inbound,
    ParsedBoltRequest,
    UnreadableBodyError,
    parse_body,
    signed_by_slack,
)
from workspace import requests as slack_requests

SECRET = "unit-secret"
NOW = 1_800_000_000


def headers_for(body: bytes, timestamp: str, signature: str | None = None) -> dict[str, list[str]]:
    sig = signature or slack_requests.sign(SECRET, body.decode(), int(timestamp))
    return {"x-slack-request-timestamp": [timestamp], "x-slack-signature": [sig]}


BODY = slack_requests.slash_command("Jane Doe, jane@example.com").encode()


def test_slacks_signature_is_accepted() -> None:
    assert signed_by_slack(SECRET, BODY, headers_for(BODY, str(NOW)), now=NOW)


@pytest.mark.parametrize("skew", [-300, 300])
def test_five_minutes_either_way_is_still_accepted(skew: int) -> None:
    assert signed_by_slack(SECRET, BODY, headers_for(BODY, str(NOW + skew)), now=NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-slack-request-timestamp": [str(NOW)]},
        {"x-slack-signature": ["v0=" + "0" * 64]},
        headers_for(BODY, str(NOW - 301)),
        headers_for(BODY, str(NOW + 301)),
        headers_for(BODY, str(NOW)) | {"x-slack-request-timestamp": [str(NOW)] * 2},
        headers_for(BODY, str(NOW))
        | {"x-slack-signature": headers_for(BODY, str(NOW))["x-slack-signature"] * 2},
        {"x-slack-request-timestamp": [""], "x-slack-signature": [""]},
        {"x-slack-request-timestamp": ["\u0661\u0662"], "x-slack-signature": ["v0=00"]},
        {"x-slack-request-timestamp": ["9" * 5000], "x-slack-signature": ["v0=" + "0" * 64]},
        {"x-slack-request-timestamp": [str(NOW)], "x-slack-signature": ["v0=" + "0" * 64]},
    ],
    ids=[
        "none",
        "no-signature",
        "no-timestamp",
        "stale",
        "future",
        "two-timestamps",
        "two-signatures",
        "empty",
        "arabic-digits",
        "absurd",
        "wrong",
    ],
)
def test_anything_else_is_refused(headers: dict[str, list[str]]) -> None:
    assert not signed_by_slack(SECRET, BODY, headers, now=NOW)


def test_no_secret_accepts_nothing() -> None:
    headers = {
        "x-slack-request-timestamp": [str(NOW)],
        "x-slack-signature": [slack_requests.sign("", BODY.decode(), NOW)],
    }
    assert not signed_by_slack("", BODY, headers, now=NOW)


@given(
    timestamp=st.lists(st.text(max_size=20), max_size=3),
    signature=st.lists(st.text(max_size=80), max_size=3),
    body=st.binary(max_size=200),
)
def test_any_headers_give_a_yes_or_no_never_an_error(
    timestamp: list[str], signature: list[str], body: bytes
) -> None:
    headers = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
    assert signed_by_slack(SECRET, body, headers, now=NOW) in (True, False)


def test_a_form_with_the_word_payload_is_a_slash_command() -> None:
    body = urlencode({"command": "/lead", "text": "payload=1 payload", "user_name": "payload"})

    assert parse_body(body.encode(), FORM)["text"] == "payload=1 payload"


def test_a_form_with_a_payload_field_is_its_json_object() -> None:
    body = urlencode({"payload": json.dumps({"type": "block_actions"})})

    assert parse_body(body.encode(), FORM) == {"type": "block_actions"}


def test_json_is_an_events_envelope() -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}})

    assert parse_body(body.encode(), JSON)["type"] == "event_callback"


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"caf\xe9", FORM),
        (b"a=1&a=2", FORM),
        (b"payload=%7Bnot-json", FORM),
        (urlencode({"payload": "[1]"}).encode(), FORM),
        (b"[1, 2]", JSON),
        (b"{", JSON),
        (b'"text"', JSON),
        (b"command=%2Flead", "text/plain"),
        (b"command=%2Flead", ""),
        (b"[" * 100_000 + b"]" * 100_000, JSON),
        (b'{"a": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}", JSON),
        ("&".join(f"f{n}=1" for n in range(500)).encode(), FORM),
    ],
    ids=[
        "not-utf8",
        "repeated-field",
        "payload-not-json",
        "payload-not-object",
        "json-array",
        "json-broken",
        "json-string",
        "text-plain",
        "no-content-type",
        "nested-past-recursion",
        "nested-past-limit",
        "too-many-fields",
    ],
)
def test_unreadable_bodies_are_refused(raw: bytes, content_type: str) -> None:
    with pytest.raises(UnreadableBodyError):
        parse_body(raw, content_type)


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    raw = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"

    assert parse_body(raw, JSON)["a"] is not None


@given(raw=st.binary(max_size=300), content_type=st.sampled_from([FORM, JSON, "text/plain"]))
def test_any_bytes_parse_or_are_refused_never_an_error(raw: bytes, content_type: str) -> None:
    try:
        body = parse_body(raw, content_type)
    except UnreadableBodyError:
        return
    assert isinstance(body, dict)


async def test_bolt_with_its_own_verification_accepts_a_parsed_request() -> None:
    """Bolt's verifier (left on where the server does not say it verified) checks the exact
    text the signature was made over, and routes on the parsed body."""
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-unit", base_url="http://127.0.0.1:9/api/"),
        signing_secret=SECRET,
        authorize=_authorize,
    )
    seen: list[str] = []

    @app.command("/lead")
    async def lead(ack: AsyncAck, command: dict[str, str]) -> None:
        seen.append(command["text"])
        await ack()

    text = urlencode({"command": "/lead", "text": "payload", "user_id": "U1", "channel_id": "C1"})
    stamp = str(int(time.time()))
    inbound = Inbound(
        raw_text=text,
        body=parse_body(text.encode(), FORM),
        headers=headers_for(text.encode(), stamp) | {"content-type": [FORM]},
        query="",
    )

    response = await app.async_dispatch(ParsedBoltRequest(inbound))

    assert response.status == 200
    assert seen == ["payload"]
    assert ParsedBoltRequest(inbound).to_copyable().body == inbound.body


async def _authorize(**_: object) -> AuthorizeResult:
    return AuthorizeResult(
        enterprise_id=None, team_id="T1", bot_token="xoxb-unit", bot_user_id="U0BOT"
    )
