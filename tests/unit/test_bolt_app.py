"""LeadbotBolt: every request's listeners get the app's one Web API client and logger."""

from __future__ import annotations

from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import LeadbotBolt

TOKEN = "xoxb-shared-test"


def slash_command(text: str) -> AsyncBoltRequest:
    """A /lead request as Bolt receives it."""
    body = urlencode(
        {"command": "/lead", "text": text, "user_id": "U1", "channel_id": "C1", "team_id": "T1"}
    )
    return AsyncBoltRequest(
        body=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def test_listeners_share_the_apps_client_token_and_logger() -> None:
    client = AsyncWebClient(token=TOKEN)

    async def authorize() -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token=TOKEN)

    app = LeadbotBolt(
        client=client, authorize=authorize, request_verification_enabled=False, name="shared"
    )
    seen: list[tuple[object, object, object]] = []

    @app.command("/lead")
    async def listener(ack: AsyncAck, client: AsyncWebClient, context: dict[str, object]) -> None:
        seen.append((client, context["token"], context["logger"]))
        await ack()

    for text in ("one", "two"):
        response = await app.async_dispatch(slash_command(text))
        assert response.status == 200

    assert [entry[0] for entry in seen] == [client, client]
    assert {entry[1] for entry in seen} == {TOKEN}
    assert client.token == TOKEN
    assert seen[0][2] is seen[1][2]
    assert getattr(seen[0][2], "name", "") == "shared"
