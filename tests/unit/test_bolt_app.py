"""LeadbotBolt: every request's listeners get the app's one Web API client and logger."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import LeadbotBolt
from tests.unit.test_early_acks import slash_command

TOKEN = "xoxb-shared-test"


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
