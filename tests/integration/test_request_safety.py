"""Requests Slack did not sign, or bodies nobody should trust, change nothing and never 500."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from storage.tables import AuditRow, LeadRow, OutboxRow, TouchRow
from tests.harness import (
    SECRET,
    STAFF,
    Leadbot,
    post_raw,
    signed_bytes_headers,
    text_values,
)
from workspace import requests as slack_requests

CAPTURE = slack_requests.slash_command("Jane Doe, Initech, jane@example.com, hot")
FORM = "application/x-www-form-urlencoded"


async def assert_nothing_stored(leadbot: Leadbot) -> None:
    """No lead, touch, audit row or owed Slack message exists."""
    counts = {
        table.__name__: await leadbot.count(table)
        for table in (LeadRow, TouchRow, AuditRow, OutboxRow)
    }
    assert counts == dict.fromkeys(counts, 0)


async def test_a_correctly_signed_capture_is_stored(leadbot: Leadbot) -> None:
    """The control for every refusal below: the same body, signed, does store a lead."""
    reply = await leadbot.post(CAPTURE)

    assert reply.status == 200
    assert await leadbot.count(LeadRow) == 1


async def test_wrong_signing_secret_is_refused(leadbot: Leadbot) -> None:
    reply = await leadbot.post(CAPTURE, secret="not-the-signing-secret")

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


@pytest.mark.parametrize("skew", [-301, 301], ids=["stale", "future"])
async def test_timestamp_more_than_five_minutes_off_is_refused(leadbot: Leadbot, skew: int) -> None:
    reply = await leadbot.post(CAPTURE, timestamp=int(time.time()) + skew)

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


async def test_missing_signature_headers_are_refused(leadbot: Leadbot) -> None:
    reply = await leadbot.post(CAPTURE, headers={"Content-Type": FORM})

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


async def test_signature_of_another_body_is_refused(leadbot: Leadbot) -> None:
    stamp = int(time.time())
    other = slack_requests.signed_headers(SECRET, "text=hello", timestamp=stamp)

    reply = await leadbot.post(CAPTURE, headers=other)

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


NOT_UTF8 = CAPTURE.encode() + b"&note=caf\xe9\xff"


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": FORM},
        signed_bytes_headers(NOT_UTF8, secret="not-the-signing-secret"),
        # a signature over the text with replacement characters is not one over the bytes sent
        signed_bytes_headers(NOT_UTF8.decode("utf-8", errors="replace").encode()),
    ],
    ids=["unsigned", "wrong-secret", "signed-other-bytes"],
)
async def test_unsigned_body_that_is_not_utf8_is_refused(
    leadbot: Leadbot, headers: dict[str, str]
) -> None:
    reply = await post_raw(leadbot, NOT_UTF8, headers)

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


async def test_signed_body_that_is_not_utf8_is_a_bad_request(leadbot: Leadbot) -> None:
    reply = await post_raw(leadbot, NOT_UTF8, signed_bytes_headers(NOT_UTF8))

    assert reply.status == 400
    await assert_nothing_stored(leadbot)


async def test_stale_signed_body_that_is_not_utf8_is_refused(leadbot: Leadbot) -> None:
    stale = signed_bytes_headers(NOT_UTF8, timestamp=int(time.time()) - 301)

    reply = await post_raw(leadbot, NOT_UTF8, stale)

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


def _payload(data: Any) -> str:
    return urlencode({"payload": json.dumps(data)})


MALFORMED_PAYLOADS = {
    "not-json": "payload=%7Bnot-json",
    "empty": "payload=",
    "json-array": _payload([1, 2]),
    "json-string": _payload("view_submission"),
    "no-type": _payload({"user": {"id": STAFF}}),
    "actions-not-a-list": _payload(
        {"type": "block_actions", "user": {"id": STAFF}, "actions": "lead_edit"}
    ),
    "edit-huge-id": _payload(
        {
            "type": "block_actions",
            "user": {"id": STAFF},
            "trigger_id": "1.2.3",
            "actions": [{"action_id": "lead_edit", "value": "9" * 40, "block_id": "capture"}],
        }
    ),
    "edit-negative-id": _payload(
        {
            "type": "block_actions",
            "user": {"id": STAFF},
            "trigger_id": "1.2.3",
            "actions": [{"action_id": "lead_edit", "value": "-1", "block_id": "capture"}],
        }
    ),
    "submission-without-view": _payload({"type": "view_submission", "user": {"id": STAFF}}),
    "view-without-type": _payload(
        {
            "type": "view_submission",
            "user": {"id": STAFF},
            "view": {"callback_id": "lead_modal", "state": {"values": {}}},
        }
    ),
    "submission-odd-state": _payload(
        {
            "type": "view_submission",
            "user": {"id": STAFF},
            "view": {
                "type": "modal",
                "callback_id": "lead_modal",
                "private_metadata": "C0BOOTH|x|y",
                "state": {"values": {"name": [], "email": {"value": "jane@example.com"}}},
            },
        }
    ),
    "submission-select-odd": _payload(
        {
            "type": "view_submission",
            "user": {"id": STAFF},
            "view": {
                "type": "modal",
                "callback_id": "lead_modal",
                "private_metadata": "C0BOOTH|0",
                "state": {
                    "values": {
                        "name": {"value": {"type": "plain_text_input", "value": 42}},
                        "interest": {"value": {"selected_option": {"value": "scorching"}}},
                    }
                },
            },
        }
    ),
}


@pytest.mark.parametrize("body", MALFORMED_PAYLOADS.values(), ids=MALFORMED_PAYLOADS.keys())
async def test_signed_malformed_interactivity_payload_never_fails_or_stores(
    leadbot: Leadbot, body: str
) -> None:
    reply = await leadbot.post(body)

    assert reply.status == 200 or 400 <= reply.status < 500, reply.text
    await assert_nothing_stored(leadbot)


@pytest.mark.parametrize("body", MALFORMED_PAYLOADS.values(), ids=MALFORMED_PAYLOADS.keys())
async def test_unsigned_malformed_interactivity_payload_is_refused(
    leadbot: Leadbot, body: str
) -> None:
    reply = await leadbot.post(body, headers={"Content-Type": FORM})

    assert reply.status == 401
    await assert_nothing_stored(leadbot)


async def test_edit_click_on_a_lead_that_does_not_exist_opens_nothing(leadbot: Leadbot) -> None:
    reply = await leadbot.click("lead_edit", "424242", user=STAFF)

    assert reply.status == 200
    await leadbot.command("")  # opens the New lead form: a barrier for the click's listener
    [call] = await leadbot.slack.wait_for("views.open")
    assert call.args["view"]["title"]["text"] == "New lead"


async def test_huge_name_in_the_form_is_an_inline_length_error(leadbot: Leadbot) -> None:
    values = text_values(name="N" * 100_000, email="jane@example.com")

    reply = await leadbot.submit(values)

    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "200 characters" in answer["errors"]["name"]
    await assert_nothing_stored(leadbot)


async def test_huge_one_line_capture_is_refused_with_a_message(leadbot: Leadbot) -> None:
    reply = await leadbot.command("N" * 50_000 + ", jane@example.com")

    assert reply.status == 200
    assert "Nothing was saved" in reply.json()["text"]
    await assert_nothing_stored(leadbot)


async def test_body_over_one_megabyte_is_too_large_not_a_crash(leadbot: Leadbot) -> None:
    raw = slack_requests.slash_command("Jane Doe, jane@example.com, " + "x" * 1024 * 1024).encode()

    reply = await post_raw(leadbot, raw, signed_bytes_headers(raw))

    assert reply.status == 413
    await assert_nothing_stored(leadbot)


async def test_ssl_check_is_answered_ok(leadbot: Leadbot) -> None:
    body = urlencode({"ssl_check": "1", "token": slack_requests.VERIFICATION_TOKEN})

    reply = await leadbot.post(body)

    assert reply.status == 200
    await assert_nothing_stored(leadbot)


async def test_url_verification_gets_its_challenge_back(leadbot: Leadbot) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps(
        {
            "token": slack_requests.VERIFICATION_TOKEN,
            "challenge": challenge,
            "type": "url_verification",
        }
    )

    reply = await leadbot.post(body, content_type="application/json")

    assert reply.status == 200
    assert reply.json() == {"challenge": challenge}


async def test_unsigned_url_verification_is_refused(leadbot: Leadbot) -> None:
    body = json.dumps({"challenge": "abc", "type": "url_verification"})

    reply = await leadbot.post(body, headers={"Content-Type": "application/json"})

    assert reply.status == 401
    assert "abc" not in reply.text


async def test_form_body_with_broken_percent_escapes_does_not_crash(leadbot: Leadbot) -> None:
    body = "command=%2Flead&text=" + quote("Jane Doe, jane@example.com") + "%zz%&user_id=U0STAFF"

    reply = await leadbot.post(body)

    assert reply.status < 500
