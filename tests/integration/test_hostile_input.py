"""Hostile and odd input over HTTP, class by class: what Bolt's own parser would lose, forged
headers, nested JSON, errors after the acknowledgement, emails, blank names, absent users."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest

from storage.tables import LeadRow
from tests.harness import (
    SECRET,
    STAFF,
    Leadbot,
    Reply,
    post_raw,
    signed_bytes_headers,
    text_values,
)
from tests.integration.test_request_safety import assert_nothing_stored
from workspace import requests as slack_requests

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def slack_escaped(text: str) -> str:
    """Command text as Slack sends it: &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def command_body(text: str, **fields: str) -> str:
    """The body of `/lead text` (escaped as Slack does) with some fields replaced."""
    body = slack_requests.slash_command(slack_escaped(text))
    return urlencode(dict(parse_qsl(body, keep_blank_values=True)) | fields)


def reply_text(reply: Reply) -> str:
    """The visible text of a command's answer, JSON or plain."""
    if reply.content_type == JSON_TYPE:
        return str(reply.json().get("text", ""))
    return reply.text


# --- what slack-bolt's own parser loses --------------------------------------------------

# Bolt reads a form body that contains "payload" anywhere as an interactivity payload.
BOLT_MISREAD = {
    "text": {"text": "Jane Doe, payload team, jane@example.com"},
    "text-field": {"text": "Jane Doe, jane@example.com, payload=1"},
    "user-name": {"user_name": "payload.engineer"},
    "channel-name": {"channel_name": "payload-team"},
    "team-domain": {"team_domain": "payloadco"},
    "brace-first": {"text": "{Jane Doe}, jane@example.com"},
}


@pytest.mark.parametrize("fields", BOLT_MISREAD.values(), ids=BOLT_MISREAD.keys())
async def test_every_signed_command_is_handled_whatever_its_words(
    leadbot: Leadbot, fields: dict[str, str]
) -> None:
    text = fields.pop("text", "Jane Doe, jane@example.com")
    reply = await leadbot.post(command_body(text, **fields))

    assert reply.status == 200, reply.text
    assert "Saved a new lead" in reply_text(reply)
    assert await leadbot.count(LeadRow) == 1


async def test_a_form_body_that_starts_with_a_brace_is_still_a_form(leadbot: Leadbot) -> None:
    body = "%7B=x&" + command_body("Jane Doe, jane@example.com")

    reply = await leadbot.post(body)

    assert reply.status == 200, reply.text
    assert await leadbot.count(LeadRow) == 1


async def test_a_json_body_sent_as_a_form_is_not_read_as_json(leadbot: Leadbot) -> None:
    body = json.dumps({"command": "/lead", "text": "Jane Doe, jane@example.com"})

    reply = await leadbot.post(body)

    assert reply.status < 500
    await assert_nothing_stored(leadbot)


async def test_an_unknown_content_type_is_a_bad_request(leadbot: Leadbot) -> None:
    reply = await leadbot.post(
        command_body("Jane Doe, jane@example.com"), content_type="text/plain"
    )

    assert reply.status == 400
    await assert_nothing_stored(leadbot)


# --- forged and odd signature headers -----------------------------------------------------


async def post_headers(leadbot: Leadbot, body: str, headers: list[tuple[str, str]]) -> Reply:
    """POST with exactly these header pairs (repeats allowed)."""
    assert leadbot.server is not None
    assert leadbot.http is not None
    url = leadbot.server.make_url("/slack/events")
    async with leadbot.http.post(url, data=body.encode(), headers=headers) as response:
        return Reply(response.status, await response.text(), response.content_type)


def forged(body: str, timestamp: str, signature: str | None = None) -> list[tuple[str, str]]:
    """Headers with this timestamp text and (by default) a signature made over it."""
    sig = signature or slack_requests.sign(SECRET, body, timestamp)  # type: ignore[arg-type]
    return [
        ("Content-Type", FORM),
        ("X-Slack-Request-Timestamp", timestamp),
        ("X-Slack-Signature", sig),
    ]


BODY = slack_requests.slash_command("Jane Doe, jane@example.com")
NOW = str(int(time.time()))
FORGED = {
    "empty-timestamp": forged(BODY, ""),
    "blank-timestamp": forged(BODY, " "),
    "non-numeric": forged(BODY, "soon"),
    "arabic-digits": forged(BODY, "\u0661\u0667\u0660\u0660"),
    "superscript": forged(BODY, "\u00b2"),
    "negative": forged(BODY, "-" + NOW),
    "plus-sign": forged(BODY, "+" + NOW),
    "spaces": forged(BODY, f" {NOW} "),
    "fraction": forged(BODY, NOW + ".0"),
    "absurd": forged(BODY, "9" * 5000),
    "zero": forged(BODY, "0"),
    "empty-signature": forged(BODY, NOW, " "),
    "signature-no-prefix": forged(BODY, NOW, "0" * 64),
    "signature-upper-hex": [
        (name, value.upper() if name == "X-Slack-Signature" else value)
        for name, value in forged(BODY, NOW)
    ],
    "signature-v1": forged(BODY, NOW, "v1=" + slack_requests.sign(SECRET, BODY, int(NOW))[3:]),
    "duplicated-timestamp": [*forged(BODY, NOW), ("X-Slack-Request-Timestamp", NOW)],
    "duplicated-signature": [
        *forged(BODY, NOW),
        ("X-Slack-Signature", slack_requests.sign(SECRET, BODY, int(NOW))),
    ],
}


@pytest.mark.parametrize("headers", FORGED.values(), ids=FORGED.keys())
async def test_odd_signature_headers_get_401_and_change_nothing(
    leadbot: Leadbot, headers: list[tuple[str, str]]
) -> None:
    reply = await post_headers(leadbot, BODY, headers)

    assert reply.status == 401, reply.text
    await assert_nothing_stored(leadbot)


async def test_the_same_headers_done_right_are_accepted(leadbot: Leadbot) -> None:
    reply = await post_headers(leadbot, BODY, forged(BODY, str(int(time.time()))))

    assert reply.status == 200
    assert await leadbot.count(LeadRow) == 1


# --- nested JSON ---------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [70, 100_000])
async def test_deeply_nested_json_event_is_a_bad_request(leadbot: Leadbot, depth: int) -> None:
    body = '{"type": "event_callback", "event": ' + nested(depth) + "}"

    reply = await leadbot.post(body, content_type=JSON_TYPE)

    assert reply.status == 400


@pytest.mark.parametrize("depth", [70, 100_000])
async def test_deeply_nested_interactivity_payload_is_a_bad_request(
    leadbot: Leadbot, depth: int
) -> None:
    payload = '{"type": "block_actions", "user": {"id": "U0STAFF"}, "x": ' + nested(depth) + "}"

    reply = await leadbot.post(urlencode({"payload": payload}))

    assert reply.status == 400
    await assert_nothing_stored(leadbot)


async def test_unsigned_nested_json_is_refused_before_it_is_read(leadbot: Leadbot) -> None:
    reply = await leadbot.post(nested(100_000), headers={"Content-Type": JSON_TYPE})

    assert reply.status == 401


# --- errors after the acknowledgement -------------------------------------------------------


async def test_an_error_after_ack_is_logged_once_and_not_raised_again(
    leadbot: Leadbot, caplog: pytest.LogCaptureFixture
) -> None:
    leadbot.slack.fail("views.publish", status=500, times=5)
    event = {"type": "app_home_opened", "user": STAFF, "channel": "D0STAFF", "tab": "home"}

    with caplog.at_level(logging.WARNING):
        reply = await leadbot.event(event, event_id="Ev0AFTERACK")
        await leadbot.slack.wait_for("views.publish")
        await _until(lambda: any("listener failed" in r.getMessage() for r in caplog.records))

    assert reply.status == 200
    failures = [r for r in caplog.records if "listener failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].levelno == logging.ERROR
    assert not [r for r in caplog.records if "response must be provided" in r.getMessage()]
    assert not [r for r in caplog.records if r.exc_info and r.exc_info[0] is AssertionError]


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Poll a log condition (logging offers nothing to await)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


# --- emails ---------------------------------------------------------------------------------

ATEXT = "!#$%&'*+-/=?^_`{|}~"


@pytest.mark.parametrize("char", list(ATEXT))
async def test_every_atext_character_works_in_the_local_part(leadbot: Leadbot, char: str) -> None:
    email = f"jane{char}doe@example.com"

    reply = await leadbot.command(slack_escaped(f"Jane Doe, Initech, {email}"))

    assert "Saved a new lead" in reply_text(reply), reply.text
    [lead] = await leadbot.leads()
    assert lead.profile.email == email


async def test_all_atext_characters_at_once(leadbot: Leadbot) -> None:
    email = f"a{ATEXT}z@example.com"

    await leadbot.command(slack_escaped(f"Jane Doe, {email}"))

    [lead] = await leadbot.leads()
    assert lead.profile.email == email


IDN = [
    "user@उदाहरण.भारत",  # Devanagari, with vowel signs and a virama
    "user@ตัวอย่าง.ไทย",  # Thai, with tone marks
    "taro@例え.テスト",
    "info@bücher.de",
    "jané@example.com",
]


@pytest.mark.parametrize("email", IDN)
async def test_internationalized_addresses_are_stored_as_typed(
    leadbot: Leadbot, email: str
) -> None:
    reply = await leadbot.command(f"Jane Doe, {email}")

    assert "Saved a new lead" in reply_text(reply), reply.text
    [lead] = await leadbot.leads()
    assert lead.profile.email == email


@pytest.mark.parametrize("email", IDN)
async def test_internationalized_addresses_work_in_the_form(leadbot: Leadbot, email: str) -> None:
    reply = await leadbot.submit(text_values(name="Jane Doe", email=email))

    assert reply.status == 200
    assert reply.text == "", reply.text
    [lead] = await leadbot.leads()
    assert lead.profile.email == email


NOT_CUT = [
    "jane<x@example.com",
    "jane>x@example.com",
    "a\\b@example.com",
    "jane@example.com<x",
    "jane@example.com&x<",
    'jane"@example.com',
    "jane@exa%mple.com",
    "jane@example.co!m",
    "jane@@example.com",
]


@pytest.mark.parametrize("token", NOT_CUT)
async def test_an_invalid_address_is_refused_never_cut_down(leadbot: Leadbot, token: str) -> None:
    reply = await leadbot.command(slack_escaped(f"Jane Doe, {token}"))

    assert "Nothing was saved" in reply_text(reply), (token, reply.text)
    await assert_nothing_stored(leadbot)


# --- blank names ------------------------------------------------------------------------------

BLANK_NAMES = {
    "zero-width": "\u200b\u200c\u200d\u2060\ufeff",
    "ideographic-space": "\u3000\u3000",
    "hangul-fillers": "\u3164\u115f\u1160\uffa0",
    "braille-blank": "\u2800\u2800",
    "marks-alone": "\u0301\u0308\u093f",
    "soft-hyphen-and-nbsp": "\u00ad\u00a0\u2007",
    "tags": "\U000e0041\U000e0042",
}


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
async def test_a_blank_name_alone_is_no_text_and_opens_the_form(
    leadbot: Leadbot, name: str
) -> None:
    reply = await leadbot.command(name)

    assert reply.status == 200
    assert reply.text == ""
    [opened] = await leadbot.slack.wait_for("views.open")
    assert opened.args["view"]["title"]["text"] == "New lead"
    await assert_nothing_stored(leadbot)


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
async def test_a_blank_name_in_the_form_is_an_inline_error(leadbot: Leadbot, name: str) -> None:
    reply = await leadbot.submit(text_values(name=name))

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "name" in answer["errors"]
    await assert_nothing_stored(leadbot)


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
async def test_a_blank_name_with_an_email_stores_no_name(leadbot: Leadbot, name: str) -> None:
    await leadbot.command(f"{name}, jane@example.com")

    [lead] = await leadbot.leads()
    assert lead.profile.name == ""


# --- no user, no channel ----------------------------------------------------------------------


def payload(data: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(data)})


def click(**changes: Any) -> dict[str, Any]:
    """A Claim click's payload with some top-level fields replaced."""
    body = slack_requests.block_action(
        "lead_claim", "1", user_id=STAFF, channel_id="C0SALES", message_ts="1.000"
    )
    return payload_of(body) | changes


def payload_of(body: str) -> dict[str, Any]:
    """The JSON payload of an interactivity body."""
    data: dict[str, Any] = json.loads(parse_qs(body)["payload"][0])
    return data


def submission(**changes: Any) -> dict[str, Any]:
    """A New lead submission's payload with some top-level fields replaced."""
    values = text_values(name="Jane Doe", email="jane@example.com")
    body = slack_requests.view_submission(
        "lead_modal", values, user_id=STAFF, private_metadata="C0BOOTH|0"
    )
    return payload_of(body) | changes


NO_ACTOR_COMMANDS = {
    "no-user": {"user_id": ""},
    "no-channel": {"channel_id": ""},
}
NO_ACTOR_PAYLOADS = {
    "click-user-null": click(user=None),
    "click-user-id-null": click(user={"id": None}),
    "click-user-id-number": click(user={"id": 42}),
    "click-user-string": click(user="U0STAFF"),
    "click-channel-null": click(channel=None, container={"type": "message", "channel_id": None}),
    "click-channel-id-list": click(channel={"id": ["C0SALES"]}),
    "submission-user-missing": {k: v for k, v in submission().items() if k != "user"},
    "submission-user-null": submission(user=None),
    "submission-user-id-false": submission(user={"id": False}),
}


@pytest.mark.parametrize("fields", NO_ACTOR_COMMANDS.values(), ids=NO_ACTOR_COMMANDS.keys())
async def test_a_command_without_user_or_channel_is_answered_and_changes_nothing(
    leadbot: Leadbot, fields: dict[str, str]
) -> None:
    reply = await leadbot.post(command_body("Jane Doe, jane@example.com", **fields))

    assert reply.status == 200
    assert "nothing was saved" in reply.text
    await assert_nothing_stored(leadbot)


async def test_a_command_whose_user_field_is_missing_is_answered(leadbot: Leadbot) -> None:
    fields = parse_qsl(command_body("Jane Doe, jane@example.com"), keep_blank_values=True)
    form = {key: value for key, value in fields if key != "user_id"}

    reply = await leadbot.post(urlencode(form))

    assert reply.status == 200
    await assert_nothing_stored(leadbot)


@pytest.mark.parametrize("data", NO_ACTOR_PAYLOADS.values(), ids=NO_ACTOR_PAYLOADS.keys())
async def test_a_payload_without_a_usable_user_or_channel_changes_nothing(
    leadbot: Leadbot, data: dict[str, Any]
) -> None:
    reply = await leadbot.post(payload(data))

    assert reply.status == 200
    assert reply.text == ""
    await assert_nothing_stored(leadbot)
    assert not leadbot.slack.calls_to("chat.postEphemeral")


@pytest.mark.parametrize(
    "event",
    [
        None,
        "app_home_opened",
        {"type": "app_home_opened", "tab": "home"},
        {"type": "app_home_opened", "tab": "home", "user": None},
        {"type": "app_home_opened", "tab": "home", "user": {"id": STAFF}},
    ],
    ids=["null", "string", "no-user", "null-user", "user-object"],
)
async def test_an_event_without_a_usable_user_changes_nothing(leadbot: Leadbot, event: Any) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "Ev0NOUSER", "event": event})

    reply = await leadbot.post(body, content_type=JSON_TYPE)

    # an envelope whose event is null is malformed: 400; a user that is not an ID: ignored
    assert reply.status == (400 if event is None else 200)
    assert not leadbot.slack.calls_to("views.publish")


async def test_signed_bytes_that_are_not_utf8_in_json_are_a_bad_request(leadbot: Leadbot) -> None:
    raw = b'{"type": "event_callback", "x": "\xff"}'

    reply = await post_raw(leadbot, raw, signed_bytes_headers(raw, content_type=JSON_TYPE))

    assert reply.status == 400
