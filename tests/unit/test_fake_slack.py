"""FakeSlack driven by a real slack_sdk AsyncWebClient."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from workspace.fake_slack import FakeSlack

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*New lead*"}}]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])


async def api_error(call: Any) -> SlackApiError:
    """Await `call`, expecting SlackApiError, and return it."""
    with pytest.raises(SlackApiError) as info:
        await call
    return info.value


async def test_base_url_points_at_local_api(slack: FakeSlack) -> None:
    assert slack.base_url == f"http://127.0.0.1:{slack.port}/api/"


async def test_auth_test_returns_bot_identity_and_scopes(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    response = await client.auth_test()

    assert response["team_id"] == "T0TEST"
    assert response["user_id"] == "U0BOT"
    assert response["bot_id"] == "B0BOT"
    assert response["is_enterprise_install"] is False
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")
    [call] = slack.calls
    assert (call.method, call.token, call.fault) == ("auth.test", "xoxb-test", None)


async def test_post_message_then_update(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="bye", blocks=[])

    assert posted["channel"] == "C1"
    assert posted["message"]["blocks"] == BLOCKS
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "bye"
    [stored] = slack.messages["C1"]
    assert stored["text"] == "bye"
    assert stored["blocks"] == []
    assert stored["user"] == "U0BOT"
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == BLOCKS


async def test_message_ts_are_unique_and_increasing(client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="C1", text="a")
    second = await client.chat_postMessage(channel="C1", text="b", thread_ts=first["ts"])

    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]


async def test_post_message_to_user_opens_dm(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="U123", text="hi")

    assert posted["channel"] == "DU123"
    assert slack.messages["DU123"][0]["text"] == "hi"


@pytest.mark.parametrize("channel", ["CGONE", ""])
async def test_post_message_to_missing_channel(
    slack: FakeSlack, client: AsyncWebClient, channel: str
) -> None:
    slack.missing_channels.add("CGONE")

    failure = await api_error(client.chat_postMessage(channel=channel, text="hi"))

    assert failure.response.status_code == 200
    assert failure.response["error"] == "channel_not_found"


async def test_post_message_without_content(client: AsyncWebClient) -> None:
    with pytest.warns(UserWarning, match="text"):
        failure = await api_error(client.chat_postMessage(channel="C1"))

    assert failure.response["error"] == "no_text"


async def test_update_unknown_message(client: AsyncWebClient) -> None:
    failure = await api_error(client.chat_update(channel="C1", ts="1.000", text="x"))

    assert failure.response["error"] == "message_not_found"


async def test_form_encoded_blocks_are_decoded(slack: FakeSlack) -> None:
    form = {"channel": "C1", "text": "hi", "blocks": json.dumps(BLOCKS)}
    headers = {"Authorization": "Bearer xoxb-test"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.base_url + "chat.postMessage", data=form, headers=headers) as reply,
    ):
        body = await reply.json()

    assert body["ok"] is True
    assert slack.calls[0].args["blocks"] == BLOCKS
    assert slack.messages["C1"][0]["blocks"] == BLOCKS


async def test_members_pagination(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_members("C1", [f"U{i}" for i in range(5)])
    pages: list[list[str]] = []
    cursor = ""
    while True:
        page = await client.conversations_members(channel="C1", limit=2, cursor=cursor)
        pages.append(page["members"])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert pages == [["U0", "U1"], ["U2", "U3"], ["U4"]]
    everyone = await client.conversations_members(channel="C1")
    assert everyone["members"] == [f"U{i}" for i in range(5)]
    failure = await api_error(client.conversations_members(channel="CNONE"))
    assert failure.response["error"] == "channel_not_found"


async def test_users_info(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.add_user("U1", name="aiko", real_name="Aiko Sato", email="aiko@example.jp")
    slack.missing_users.add("UGONE")

    known = (await client.users_info(user="U1"))["user"]
    generic = (await client.users_info(user="U2"))["user"]
    failure = await api_error(client.users_info(user="UGONE"))

    assert known["profile"]["real_name"] == "Aiko Sato"
    assert known["profile"]["email"] == "aiko@example.jp"
    assert (known["tz"], known["tz_offset"]) == ("Asia/Tokyo", 9 * 3600)
    assert generic["id"] == "U2"
    assert generic["profile"]["real_name"]
    assert failure.response["error"] == "user_not_found"


async def test_usergroup_users(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_usergroup("S1", ["U1", "U2"])

    listed = await client.usergroups_users_list(usergroup="S1")
    failure = await api_error(client.usergroups_users_list(usergroup="S404"))

    assert listed["users"] == ["U1", "U2"]
    assert failure.response["error"] == "no_such_subteam"


async def test_dm_permalink_and_ephemeral(slack: FakeSlack, client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users="U1,U2")
    link = await client.chat_getPermalink(channel="C1", message_ts="1700000000.000100")
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")

    assert opened["channel"]["id"] == "DU1"
    assert link["permalink"] == "https://test.slack.com/archives/C1/p1700000000000100"
    assert slack.ephemerals[0]["user"] == "U1"
    assert slack.ephemerals[0]["ts"] == ephemeral["message_ts"]


async def test_views_open_update_and_publish(slack: FakeSlack, client: AsyncWebClient) -> None:
    title = {"type": "plain_text", "text": "L"}
    modal = {"type": "modal", "callback_id": "lead", "title": title, "blocks": BLOCKS[:1]}
    opened = (await client.views_open(trigger_id="1.2.3", view=modal))["view"]
    updated = await client.views_update(view_id=opened["id"], view={**modal, "blocks": BLOCKS})
    stale = await api_error(
        client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"])
    )
    home = {"type": "home", "blocks": BLOCKS}
    first = (await client.views_publish(user_id="U1", view=home))["view"]
    second = (await client.views_publish(user_id="U1", view=home))["view"]

    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "lead"
    assert updated["view"]["id"] == opened["id"]
    assert slack.views[opened["id"]]["blocks"] == BLOCKS
    assert stale.response["error"] == "hash_conflict"
    assert first["id"] == second["id"] == slack.home_views["U1"]
    assert first["hash"] != second["hash"]


async def test_views_update_by_external_id(client: AsyncWebClient) -> None:
    title = {"type": "plain_text", "text": "L"}
    modal = {"type": "modal", "external_id": "lead-7", "title": title, "blocks": BLOCKS}
    opened = (await client.views_open(trigger_id="1.2.3", view=modal))["view"]

    updated = await client.views_update(external_id="lead-7", view={**modal, "blocks": BLOCKS})
    missing = await api_error(client.views_update(external_id="lead-8", view=modal))

    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["blocks"] == BLOCKS
    assert missing.response["error"] == "not_found"


async def test_views_open_requires_trigger(client: AsyncWebClient) -> None:
    failure = await api_error(client.views_open(trigger_id="", view={"type": "modal"}))

    assert failure.response["error"] == "invalid_trigger_id"


async def test_ratelimit_then_success(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail("chat.postMessage", retry_after=7)

    failure = await api_error(client.chat_postMessage(channel="C1", text="hi"))
    retried = await client.chat_postMessage(channel="C1", text="hi")

    assert failure.response.status_code == 429
    assert failure.response["error"] == "ratelimited"
    assert failure.response.headers["Retry-After"] == "7"
    assert retried["ok"] is True
    assert [call.fault for call in slack.calls] == ["429 ratelimited", None]
    assert len(slack.messages["C1"]) == 1


async def test_sdk_rate_limit_handler_retries_after_429(slack: FakeSlack) -> None:
    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    client = AsyncWebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[handler])
    slack.fail("chat.postMessage", retry_after=0)

    posted = await client.chat_postMessage(channel="C1", text="hi")

    assert posted["ok"] is True
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_server_error_for_several_calls(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail("auth.test", status=503, times=2)

    errors = [await api_error(client.auth_test()) for _ in range(2)]
    ok = await client.auth_test()

    assert [e.response.status_code for e in errors] == [503, 503]
    assert errors[0].response["error"] == "service_unavailable"
    assert ok["ok"] is True


async def test_ok_false_fault(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail("chat.postMessage", error="is_archived")

    failure = await api_error(client.chat_postMessage(channel="C1", text="hi"))

    assert failure.response.status_code == 200
    assert failure.response["error"] == "is_archived"
    assert slack.calls[0].fault == "200 is_archived"


async def test_faults_are_fifo_and_star_matches_any(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail("*", status=500)
    slack.fail("users.info", error="user_not_found")

    first = await api_error(client.users_info(user="U1"))
    second = await api_error(client.users_info(user="U1"))
    third = await client.users_info(user="U1")

    assert first.response.status_code == 500
    assert second.response["error"] == "user_not_found"
    assert third["ok"] is True
    assert slack.pending_faults == []


async def test_delay_holds_the_reply(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.delay("auth.test", 0.2)

    started = time.monotonic()
    await client.auth_test()

    assert time.monotonic() - started >= 0.2
    assert slack.calls[0].fault == "delay 0.2s"


async def test_delay_beyond_client_timeout(slack: FakeSlack) -> None:
    client = AsyncWebClient(
        token="xoxb-test", base_url=slack.base_url, timeout=1, retry_handlers=[]
    )
    slack.delay("chat.postMessage", 30)

    with pytest.raises(asyncio.TimeoutError):
        await client.chat_postMessage(channel="C1", text="hi")
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_wait_for_sees_later_calls(slack: FakeSlack, client: AsyncWebClient) -> None:
    async def post_later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C1", text="one")
        await client.chat_postMessage(channel="C1", text="two")

    task = asyncio.create_task(post_later())
    calls = await slack.wait_for("chat.postMessage", count=2)
    await task

    assert [call.args["text"] for call in calls] == ["one", "two"]


async def test_wait_for_times_out_listing_calls(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.auth_test()

    with pytest.raises(TimeoutError, match=r"chat\.update.*calls seen: auth\.test"):
        await slack.wait_for("chat.update", timeout=0.05)


async def test_reset_forgets_calls_and_faults(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel="C1", text="hi")
    slack.fail("*")

    slack.reset()

    assert slack.calls == []
    assert (await client.auth_test())["ok"] is True
    assert "C1" in slack.messages


@pytest.mark.parametrize(
    ("token", "method", "error"),
    [
        ("xoxp-user", "auth.test", "invalid_auth"),
        (None, "auth.test", "not_authed"),
        ("xoxb-test", "apps.connections.open", "invalid_auth"),
        ("xoxb-test", "nope.nothing", "unknown_method"),
    ],
)
async def test_auth_and_unknown_method_errors(
    slack: FakeSlack, token: str | None, method: str, error: str
) -> None:
    client = AsyncWebClient(token=token, base_url=slack.base_url, retry_handlers=[])

    failure = await api_error(client.api_call(method))

    assert failure.response["error"] == error


async def test_apps_connections_open_with_app_token(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xapp-1-test", base_url=slack.base_url, retry_handlers=[])

    opened = await client.apps_connections_open(app_token="xapp-1-test")

    assert opened["url"] == f"ws://127.0.0.1:{slack.port}/link"


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_rejected_token_fails_every_call(slack: FakeSlack, error: str) -> None:
    slack.reject_token("xoxb-revoked", error)
    revoked = AsyncWebClient(token="xoxb-revoked", base_url=slack.base_url, retry_handlers=[])
    other = AsyncWebClient(token="xoxb-other", base_url=slack.base_url, retry_handlers=[])

    failure = await api_error(revoked.auth_test())

    assert failure.response["error"] == error
    assert (await other.auth_test())["ok"] is True


async def test_without_keep_calls_are_counted_and_observed_but_not_kept() -> None:
    observed: list[str] = []
    async with FakeSlack(keep=False, observer=lambda call: observed.append(call.method)) as fake:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])
        for _ in range(3):
            answer = await client.chat_postMessage(channel="C0SALES", text="hi", blocks=BLOCKS)
            assert answer["ts"]
        assert observed == ["chat.postMessage"] * 3
        assert fake.counts["chat.postMessage"] == 3
        assert fake.calls == []
        assert fake.messages == {}
