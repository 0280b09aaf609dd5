"""EarlyAcks: Slack gets its answer at the ack, the listener finishes afterwards."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.acks import EarlyAcks


def bolt_app(early: EarlyAcks) -> AsyncApp:
    """A Bolt app as create_app makes it: answered at the ack, errors answered politely."""
    app = AsyncApp(
        client=AsyncWebClient(),
        authorize=authorize,
        request_verification_enabled=False,
        process_before_response=True,
        name="early-acks-test",
    )

    async def on_error(error: Exception) -> BoltResponse:
        return BoltResponse(status=200, body=f"sorry: {error}")

    app.error(on_error)
    return app


async def authorize() -> AuthorizeResult:
    """Any request is from the one test workspace (no auth.test call)."""
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test")


def slash_command(text: str) -> AsyncBoltRequest:
    """A /lead request as Bolt receives it."""
    body = urlencode(
        {"command": "/lead", "text": text, "user_id": "U1", "channel_id": "C1", "team_id": "T1"}
    )
    return AsyncBoltRequest(
        body=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def test_answered_at_the_ack_while_the_listener_is_still_working() -> None:
    early = EarlyAcks()
    app = bolt_app(early)
    release = asyncio.Event()
    finished: list[str] = []

    @app.command("/lead")
    async def listener(ack: AsyncAck, command: dict[str, str]) -> None:
        await ack(text=f"got {command['text']}")
        await release.wait()
        finished.append(command["text"])

    early.install(app)
    response = await asyncio.wait_for(app.async_dispatch(slash_command("hello")), timeout=2)

    assert (response.status, response.body) == (200, "got hello")
    assert finished == []
    release.set()
    await early.drain(1)
    assert finished == ["hello"]


async def test_an_error_after_the_ack_is_logged_once_and_the_ack_stands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    early = EarlyAcks()
    app = bolt_app(early)
    release = asyncio.Event()

    @app.command("/lead")
    async def listener(ack: AsyncAck) -> None:
        await ack(text="saved")
        await release.wait()
        raise RuntimeError("after the ack")

    early.install(app)
    with caplog.at_level(logging.ERROR, logger="leadbot"):
        response = await app.async_dispatch(slash_command("x"))
        release.set()
        await early.drain(1)

    assert response.body == "saved"
    failures = [record for record in caplog.records if record.exc_info]
    assert [str(record.exc_info[1]) for record in failures if record.exc_info] == ["after the ack"]


async def test_an_error_before_the_ack_reaches_the_error_handler() -> None:
    early = EarlyAcks()
    app = bolt_app(early)

    @app.command("/lead")
    async def listener(ack: AsyncAck) -> None:
        raise RuntimeError("before the ack")

    early.install(app)
    response = await app.async_dispatch(slash_command("x"))

    assert response.body == "sorry: before the ack"


async def test_a_listener_that_never_acks_is_given_up_on_after_the_timeout() -> None:
    early = EarlyAcks(ack_timeout=0.05)
    app = bolt_app(early)
    release = asyncio.Event()

    @app.command("/lead")
    async def listener(ack: AsyncAck) -> None:
        await release.wait()

    early.install(app)
    response = await app.async_dispatch(slash_command("x"))

    assert response.status == 404  # Bolt's answer when nothing acked, as before
    release.set()
    await early.drain(1)
