"""Outbound webhooks, pure parts: Standard Webhooks signatures, the rules, the outbox rows."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks import Webhook as Verifier
from standardwebhooks import WebhookVerificationError

from bot.config import parse_config
from bot.settings import SettingError
from leadloop.webhooks import WEBHOOK, endpoint_tag, webhook_messages
from leads.config import LeadbotConfig, Webhook
from leads.signing import secret_key, signature, signed_headers
from storage.outbox import OutboxMessage

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(bytes(range(1, 33))).decode()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CRM = "https://crm.example.com/hooks/leadbot"
CHAT = "http://127.0.0.1:8080/events"


def test_the_specifications_test_vector() -> None:
    # The example of the Standard Webhooks specification and its reference libraries.
    key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signed = signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signed == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signed_headers_verify_with_the_standardwebhooks_library() -> None:
    body = json.dumps({"type": "lead.hot", "data": {"name": "山田 太郎"}}, ensure_ascii=False)
    headers = signed_headers(SECRET, "msg_1", int(time.time()), body.encode())

    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-signature"].startswith("v1,")
    assert Verifier(SECRET).verify(body.encode(), headers) == json.loads(body)


@pytest.mark.parametrize(
    ("body", "changed_headers", "secret"),
    [
        (b'{"type":"lead.cold"}', {}, SECRET),
        (b'{"type":"lead.hot"}', {"webhook-id": "msg_2"}, SECRET),
        (b'{"type":"lead.hot"}', {"webhook-timestamp": "later"}, SECRET),
        (b'{"type":"lead.hot"}', {}, OTHER_SECRET),
    ],
)
def test_anything_changed_fails_verification(
    body: bytes, changed_headers: dict[str, str], secret: str
) -> None:
    now = int(time.time())
    headers = signed_headers(SECRET, "msg_1", now, b'{"type":"lead.hot"}')
    if changed_headers.get("webhook-timestamp") == "later":
        changed_headers = {"webhook-timestamp": str(now + 1)}

    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(body, headers | changed_headers)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must be whsec_"),
        ("whsec_not base64!", "is not base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "decodes to 5 bytes"),
        ("whsec_" + base64.b64encode(bytes(65)).decode(), "decodes to 65 bytes"),
        ("whsec_", "decodes to 0 bytes"),
    ],
)
def test_malformed_secrets_are_refused_without_being_quoted(secret: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as refused:
        secret_key(secret)
    quoted = secret.removeprefix("whsec_")
    assert not quoted or quoted not in str(refused.value)


def test_unpadded_secrets_are_read_as_the_library_reads_them() -> None:
    padded = "whsec_" + base64.b64encode(bytes(range(25))).decode()
    assert padded.endswith("=")
    assert secret_key(padded.rstrip("=")) == secret_key(padded) == bytes(range(25))


# --- the rules file ------------------------------------------------------------------------


def rules(*entries: str) -> str:
    return "webhooks:\n" + "".join(entries)


def entry(url: str = CRM, secret: str = SECRET, events: str = "[lead.hot]") -> str:
    return f"  - url: {url}\n    secret: {secret}\n    events: {events}\n"


def test_webhooks_are_read_from_the_rules_file() -> None:
    config = parse_config(rules(entry(), entry(CHAT, OTHER_SECRET, "[lead.claimed, lead.outcome]")))

    assert config.webhooks == (
        Webhook(url=CRM, secret=SECRET, events=("lead.hot",)),
        Webhook(url=CHAT, secret=OTHER_SECRET, events=("lead.claimed", "lead.outcome")),
    )
    assert config.webhook(CHAT) == config.webhooks[1]
    assert config.webhook("https://gone.example.com/") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            rules(entry(url="ftp://crm.example.com/")),
            "rules.yml line 2: webhooks.0.url: must be an http:// or https:// URL",
        ),
        (rules(entry(url="crm.example.com/hooks")), "rules.yml line 2: webhooks.0.url: must be"),
        (rules(entry(url="https://")), "rules.yml line 2: webhooks.0.url: must be"),
        (
            rules(entry(secret="hunter2hunter2hunter2")),
            "rules.yml line 3: webhooks.0.secret: must be whsec_ followed by the base64 of",
        ),
        (
            rules(entry(), entry(CHAT, events="[lead.cold]")),
            "rules.yml line 7: webhooks.1.events: 'lead.cold' is not an event; use lead.hot,",
        ),
        (rules(entry(events="[]")), "rules.yml line 4: webhooks.0.events: must list at least"),
        (
            rules(f"  - url: {CRM}\n    secret: {SECRET}\n"),
            "rules.yml line 2: webhooks.0.events: Field required",
        ),
        (
            rules(f"  - url: {CRM}\n    secret: {SECRET}\n    event: [lead.hot]\n"),
            "rules.yml line 4: unknown setting webhooks.0.event (did you mean events?)",
        ),
        (rules(entry(), entry()), f"rules.yml line 2: webhooks: {CRM} is listed twice"),
    ],
)
def test_bad_webhooks_are_refused_at_their_line(text: str, expected: str) -> None:
    with pytest.raises(SettingError) as refused:
        parse_config(text, source="rules.yml")
    assert str(refused.value).startswith(expected)
    assert "hunter2" not in str(refused.value)


# --- the outbox rows ---------------------------------------------------------------------


def two_endpoints() -> LeadbotConfig:
    return LeadbotConfig(
        webhooks=(
            Webhook(url=CRM, secret=SECRET, events=("lead.hot", "lead.outcome")),
            Webhook(url=CHAT, secret=OTHER_SECRET, events=("lead.outcome",)),
        )
    )


def owed(
    config: LeadbotConfig, event: str, data: dict[str, Any], step: str = "1"
) -> list[OutboxMessage]:
    """The rows owed for lead 7's `event`, the `step`-th change of its stage history."""
    return webhook_messages(config, event, data, lead_id=7, now=NOW, discriminator=step)


def test_one_row_per_subscribed_endpoint_with_the_event_as_standard_webhooks_shapes_it() -> None:
    data = {"id": 7, "name": "山田 太郎", "stage": "won", "deal_value": 1200000}
    rows = webhook_messages(
        two_endpoints(), "lead.outcome", data, lead_id=7, now=NOW, discriminator="3"
    )

    assert [row.payload["url"] for row in rows] == [CRM, CHAT]
    for row in rows:
        assert (row.method, row.kind, row.lead_id, row.due_at) == (WEBHOOK, WEBHOOK, 7, NOW)
        assert row.key == f"lead:7:webhook:lead.outcome:{endpoint_tag(row.payload['url'])}:3"
        assert len(row.channel) <= 32
        assert row.payload["webhook_id"].startswith("msg_")
        assert json.loads(row.payload["body"]) == {
            "type": "lead.outcome",
            "timestamp": "2026-11-24T10:00:00Z",
            "data": data,
        }
        assert "山田" in row.payload["body"]
        assert SECRET not in json.dumps(row.payload)
        assert OTHER_SECRET not in json.dumps(row.payload)
    assert rows[0].payload["webhook_id"] != rows[1].payload["webhook_id"]


def test_an_event_nobody_subscribed_to_owes_nothing() -> None:
    assert (
        webhook_messages(two_endpoints(), "lead.claimed", {}, lead_id=7, now=NOW, discriminator="2")
        == []
    )
    assert (
        webhook_messages(LeadbotConfig(), "lead.hot", {}, lead_id=7, now=NOW, discriminator="1")
        == []
    )


def test_the_same_event_twice_has_the_same_key_and_a_later_one_another() -> None:
    config = two_endpoints()
    first = owed(config, "lead.hot", {"id": 7}, step="1")
    again = owed(config, "lead.hot", {"id": 7}, step="1")
    later = owed(config, "lead.hot", {"id": 7}, step="4")

    assert [row.key for row in first] == [row.key for row in again]
    assert {row.key for row in first}.isdisjoint(row.key for row in later)


def test_an_unknown_event_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"lead\.cold"):
        owed(two_endpoints(), "lead.cold", {"id": 7})
