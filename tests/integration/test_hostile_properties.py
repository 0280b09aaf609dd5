"""Property tests over the real HTTP app: generated slash commands, interactive payloads of
every type, events and headers, signed and unsigned, on both databases.

Every example asserts: no 5xx; a signed `/lead` is handled; unsigned or badly signed gets
401; a refused request changes no stored row; no mention from user text reaches Slack
unescaped; every block sent is valid Block Kit. The budget is the hypothesis profile's
(tests/conftest.py): fixed seed and few examples in CI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import select

from blocks.cards import CHANGE_OUTCOME, CLAIM, LOST, MEETING, PASS, RECYCLE, WON
from blocks.catalogue import SORRY
from blocks.messages import EDIT
from blocks.modal import NEW_LEAD_CALLBACK
from blocks.outcome_forms import CHANGE_FORM, LOST_FORM, WON_FORM
from storage.tables import Base
from tests.harness import SECRET, STAFF, Leadbot, Reply
from workspace import requests as slack_requests
from workspace.fake_slack import SlackCall

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
# Mentions, broadcasts and links a person could type; none may reach Slack as markup.
MENTIONS = ("<@U0EVIL>", "<!channel>", "<!here>", "<!everyone>", "<#C0EVIL>", "<!subteam^S0EVIL>")
MARKUP = ("<@U0EVIL", "<!channel", "<!here", "<!everyone", "<#C0EVIL", "<!subteam")
FRAGMENTS = (
    *MENTIONS,
    "payload",
    "payload=",
    "{",
    "}",
    "&",
    "<",
    ">",
    "&amp;",
    "&lt;",
    "=",
    "%zz",
    "+",
    "hot",
    "warm",
    "help",
    "stats",
    "event",
    "find",
    "mailto:",
    "@",
    "jane@example.com",
    "a&b@example.com",
    "user@उदाहरण.भारत",
    "<mailto:jane@example.com|jane@example.com>",
    "090-1234-5678",
    "\u200b",
    "\u3164",
    "\u3000",
    "\n",
    ",",
    "山田太郎",
)
ACTION_IDS = (CLAIM, PASS, MEETING, WON, LOST, CHANGE_OUTCOME, RECYCLE, EDIT)
CALLBACKS = (NEW_LEAD_CALLBACK, WON_FORM, LOST_FORM, CHANGE_FORM)
REFUSED = (400, 401, 413)  # 404 is Bolt's "no listener": not a refusal
METADATA = ("C0BOOTH|0", "C0SALES|1", "1|new|C0SALES|1.000")
FORM_FIELDS = ("name", "company", "email", "phone", "title", "notes", "interest", "source")
KINDS = (
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "block_suggestion",
)

words = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10))
free_text = st.lists(words, max_size=8).map(" ".join)
short_text = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
odd_value = st.one_of(
    st.none(), st.booleans(), st.integers(), short_text, st.lists(short_text, max_size=2)
)


def slack_escaped(text: str) -> str:
    """Command text as Slack sends it: &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def slash_commands(draw: st.DrawFn) -> str:
    """A /lead body with generated text, user name, channel name and team domain."""
    text = draw(free_text)
    if draw(st.booleans()):
        text = slack_escaped(text)
    fields = dict(
        parse_qsl(slack_requests.slash_command(text), keep_blank_values=True),
        user_name=draw(short_text),
        channel_name=draw(short_text),
        team_domain=draw(short_text),
    )
    return urlencode(fields)


users = st.one_of(
    st.just(STAFF),
    st.fixed_dictionaries({"id": st.just(STAFF)}),
    st.fixed_dictionaries({"id": odd_value}),
    odd_value,
)


@st.composite
def state_values(draw: st.DrawFn) -> dict[str, Any]:
    """Modal state values: the form's blocks, with text, selects or odd shapes."""
    values: dict[str, Any] = {}
    for field in draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=5, unique=True)):
        kind = draw(st.sampled_from(["text", "select", "odd"]))
        if kind == "text":
            state: Any = {"type": "plain_text_input", "value": draw(free_text)}
        elif kind == "select":
            state = slack_requests.select_value(draw(st.sampled_from(["hot", "warm", "x", None])))
        else:
            state = draw(odd_value)
        values[field] = {"value": state}
    return values


@st.composite
def interactive_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """An interactivity payload of any type, mostly well formed, sometimes not."""
    kind = draw(st.sampled_from(KINDS))
    body: dict[str, Any] = {
        "type": kind,
        "team": {"id": slack_requests.TEAM_ID, "domain": draw(short_text)},
        "api_app_id": slack_requests.APP_ID,
        "trigger_id": slack_requests.new_trigger_id(),
    }
    if draw(st.integers(0, 5)):
        body["user"] = draw(users)
    lead_value = st.one_of(st.sampled_from(["1", "2", "0", "-1", "\u0661", "9" * 30]), short_text)
    if kind in ("block_actions", "block_suggestion"):
        action = {
            "action_id": draw(st.one_of(st.sampled_from(ACTION_IDS), short_text)),
            "block_id": draw(short_text),
            "value": draw(st.one_of(lead_value, odd_value)),
            "type": "button",
        }
        body["actions"] = [action] if kind == "block_actions" else None
        if kind == "block_suggestion":
            body |= {"action_id": action["action_id"], "value": action["value"]}
        channel = draw(st.one_of(st.just("C0SALES"), odd_value))
        body["container"] = {"type": "message", "channel_id": channel, "message_ts": "1.000"}
        body["channel"] = {"id": channel}
        body["message"] = {"ts": "1.000", "text": draw(free_text)}
    if kind in ("view_submission", "view_closed"):
        body["view"] = {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": draw(st.one_of(st.sampled_from(CALLBACKS), short_text)),
            "private_metadata": draw(st.one_of(st.sampled_from(METADATA), free_text)),
            "state": {"values": draw(state_values())},
        }
    if kind in ("shortcut", "message_action"):
        body["callback_id"] = draw(short_text)
        body["channel"] = {"id": draw(st.one_of(st.just("C0BOOTH"), odd_value))}
    return body


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
# Payloads of any shape: Slack's keys with values of any JSON type.
odd_payloads = st.builds(
    lambda kind, rest: {"type": kind, **rest},
    st.one_of(st.sampled_from(KINDS), json_values),
    st.dictionaries(
        st.sampled_from(
            ["user", "actions", "view", "channel", "container", "callback_id", "state"]
        ),
        json_values,
        max_size=5,
    ),
)


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """An Events API envelope (or url_verification) with a generated event."""
    if draw(st.integers(0, 4)) == 0:
        return {"type": "url_verification", "challenge": draw(st.text(max_size=40)), "token": "x"}
    event = draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["app_home_opened", "message", "app_mention"]),
                    "user": st.one_of(st.just(STAFF), odd_value),
                    "tab": st.sampled_from(["home", "messages"]),
                    "text": free_text,
                }
            ),
            odd_value,
        )
    )
    return {
        "type": "event_callback",
        "event_id": "Ev" + draw(st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=12)),
        "team_id": slack_requests.TEAM_ID,
        "event": event,
    }


def payload_body(data: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(data)})


@st.composite
def any_bodies(draw: st.DrawFn) -> tuple[str, str]:
    """(body, content type) of any kind a request could carry."""
    return draw(
        st.one_of(
            slash_commands().map(lambda body: (body, FORM)),
            st.one_of(interactive_payloads(), odd_payloads).map(
                lambda data: (payload_body(data), FORM)
            ),
            events().map(lambda data: (json.dumps(data), JSON_TYPE)),
            st.tuples(st.text(max_size=60), st.sampled_from([FORM, JSON_TYPE, "text/plain"])),
        )
    )


TIMESTAMP_TEXTS = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1e9", "\u0661\u0662", "\u00b2", "9" * 400]),
    st.text(max_size=12),
)


@st.composite
def bad_headers(draw: st.DrawFn, body: str) -> list[tuple[str, str]]:
    """Headers that are not Slack's signature over `body` right now."""
    now = int(time.time())
    kind = draw(
        st.sampled_from(
            [
                "none",
                "no-signature",
                "no-timestamp",
                "wrong-secret",
                "stale",
                "future",
                "odd-timestamp",
                "odd-signature",
                "other-body",
                "duplicate-timestamp",
                "duplicate-signature",
            ]
        )
    )
    good = slack_requests.signed_headers(SECRET, body, timestamp=now)
    stamp, signature = good["X-Slack-Request-Timestamp"], good["X-Slack-Signature"]
    pairs: list[tuple[str, str]] = []
    match kind:
        case "none":
            pass
        case "no-signature":
            pairs = [("X-Slack-Request-Timestamp", stamp)]
        case "no-timestamp":
            pairs = [("X-Slack-Signature", signature)]
        case "wrong-secret":
            other = slack_requests.signed_headers(draw(short_text) + "x", body, timestamp=now)
            pairs = [(k, v) for k, v in other.items() if k != "Content-Type"]
        case "stale" | "future":
            skew = draw(st.integers(301, 10**9)) * (-1 if kind == "stale" else 1)
            off = slack_requests.signed_headers(SECRET, body, timestamp=now + skew)
            pairs = [(k, v) for k, v in off.items() if k != "Content-Type"]
        case "odd-timestamp":
            text = draw(TIMESTAMP_TEXTS.filter(lambda t: t != stamp and _latin1(t)))
            pairs = [("X-Slack-Request-Timestamp", text), ("X-Slack-Signature", signature)]
        case "odd-signature":
            text = draw(st.text(max_size=70).filter(lambda t: t != signature and _latin1(t)))
            pairs = [("X-Slack-Request-Timestamp", stamp), ("X-Slack-Signature", text)]
        case "other-body":
            other = slack_requests.signed_headers(SECRET, body + " ", timestamp=now)
            pairs = [(k, v) for k, v in other.items() if k != "Content-Type"]
        case "duplicate-timestamp":
            pairs = [
                ("X-Slack-Request-Timestamp", stamp),
                ("X-Slack-Signature", signature),
                ("X-Slack-Request-Timestamp", stamp),
            ]
        case _:
            pairs = [
                ("X-Slack-Request-Timestamp", stamp),
                ("X-Slack-Signature", signature),
                ("X-Slack-Signature", signature),
            ]
    return pairs


def _latin1(text: str) -> bool:
    """Whether a header can carry the text: printable Latin-1 (no controls, no line breaks)."""
    return all(" " <= char <= "~" or "\xa0" <= char <= "\xff" for char in text)


# --- the checks -----------------------------------------------------------------------------


async def send(bot: Leadbot, body: str, headers: list[tuple[str, str]]) -> Reply:
    """POST exactly this body with exactly these header pairs."""
    assert bot.server is not None
    assert bot.http is not None
    url = bot.server.make_url("/slack/events")
    async with bot.http.post(url, data=body.encode(), headers=headers) as response:
        return Reply(response.status, await response.text(), response.content_type)


def signed(body: str, content_type: str) -> list[tuple[str, str]]:
    """Slack's headers for `body`, now."""
    headers = slack_requests.signed_headers(
        SECRET, body, timestamp=int(time.time()), content_type=content_type
    )
    return list(headers.items())


async def snapshot(bot: Leadbot) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with bot.svc.db.read() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows


def reply_payload(reply: Reply) -> Any:
    """The reply's JSON, or its text as a message."""
    if reply.text.startswith("{"):
        return json.loads(reply.text)
    return {"text": reply.text}


def shown_texts(node: Any, parent_type: str = "") -> Iterator[str]:
    """Every text Slack would render as mrkdwn (plain_text and input values never ping)."""
    if isinstance(node, dict):
        kind = node.get("type", "")
        text = node.get("text")
        if isinstance(text, str) and kind != "plain_text":
            yield text
        for key, value in node.items():
            if key not in ("initial_value", "value", "private_metadata", "placeholder"):
                yield from shown_texts(value, kind)
    elif isinstance(node, list):
        for item in node:
            yield from shown_texts(item, parent_type)


def assert_no_markup(message: Any) -> None:
    """No mention, broadcast or channel link a person typed, as markup."""
    for text in shown_texts(message):
        for markup in MARKUP:
            assert markup not in text, (markup, text)


def assert_valid_blocks(message: Any) -> None:
    """Every block list and view passes slack_sdk's validators."""
    if not isinstance(message, dict):
        return
    for block in message.get("blocks") or []:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.to_dict()
    view = message.get("view")
    if isinstance(view, dict):
        View(**view).to_dict()


def assert_sent_safely(reply: Reply, calls: list[SlackCall]) -> None:
    """The reply and every Slack call made: no typed markup, valid blocks."""
    for message in [reply_payload(reply), *(call.args for call in calls)]:
        assert_no_markup(message)
        assert_valid_blocks(message)


def new_calls(bot: Leadbot, before: int) -> list[SlackCall]:
    return bot.slack.calls[before:]


# --- the properties -------------------------------------------------------------------------

# Each example is a real HTTP request (and a table snapshot): few examples keep the suite
# well under a minute per database; the profile (tests/conftest.py) fixes the seed in CI.
http_examples = settings(max_examples=100)


@http_examples
@given(body=slash_commands())
async def test_every_signed_lead_command_is_handled(leadbot: Leadbot, body: str) -> None:
    before, opened = len(leadbot.slack.calls), len(leadbot.slack.calls_to("views.open"))

    reply = await send(leadbot, body, signed(body, FORM))
    if not reply.text:  # /lead alone: acknowledged, then the form opens
        await leadbot.slack.wait_for("views.open", count=opened + 1)
    await leadbot.settle()

    assert reply.status == 200, reply.text
    assert "unhandled" not in reply.text
    assert SORRY("en") not in reply.text
    assert_sent_safely(reply, new_calls(leadbot, before))


@http_examples
@given(data=st.one_of(interactive_payloads(), odd_payloads))
async def test_signed_interactive_payloads_never_fail(
    leadbot: Leadbot, data: dict[str, Any]
) -> None:
    await _seed_hot_lead(leadbot)
    body = payload_body(data)
    before_rows, before = await snapshot(leadbot), len(leadbot.slack.calls)

    reply = await send(leadbot, body, signed(body, FORM))
    await leadbot.settle()

    assert reply.status < 500, reply.text
    if reply.status in REFUSED:
        assert await snapshot(leadbot) == before_rows
    assert_sent_safely(reply, new_calls(leadbot, before))


@http_examples
@given(data=events())
async def test_signed_events_never_fail(leadbot: Leadbot, data: dict[str, Any]) -> None:
    body = json.dumps(data)
    before_rows, before = await snapshot(leadbot), len(leadbot.slack.calls)

    reply = await send(leadbot, body, signed(body, JSON_TYPE))
    await leadbot.settle()

    assert reply.status < 500, reply.text
    if data["type"] == "url_verification":
        assert reply.json() == {"challenge": data["challenge"]}
    if reply.status in REFUSED:
        assert await snapshot(leadbot) == before_rows
    assert_sent_safely(reply, new_calls(leadbot, before))


@http_examples
@given(data=st.data(), sent=any_bodies())
async def test_unsigned_or_badly_signed_requests_get_401_and_change_nothing(
    leadbot: Leadbot, data: st.DataObject, sent: tuple[str, str]
) -> None:
    await _seed_hot_lead(leadbot)
    body, content_type = sent
    headers = [("Content-Type", content_type), *data.draw(bad_headers(body))]
    before_rows, before = await snapshot(leadbot), len(leadbot.slack.calls)

    reply = await send(leadbot, body, headers)

    assert reply.status == 401, reply.text
    assert await snapshot(leadbot) == before_rows
    assert new_calls(leadbot, before) == []


async def _seed_hot_lead(bot: Leadbot) -> None:
    """Lead 1, hot, with its card in the sales channel: something for clicks to act on."""
    if not bot.slack.calls_to("chat.postMessage"):
        await bot.command("Seed Lead, Initech, seed@example.com, hot")
        await bot.settle()
