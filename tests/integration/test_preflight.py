"""The checks commands make before they start, called directly."""

from __future__ import annotations

import pytest

from bot.errors import StartupError
from bot.preflight import check_bot_token, open_socket_mode_url
from bot.settings import SettingError
from workspace.fake_slack import FakeSlack

FIX = "copy the Bot User OAuth Token from your app's OAuth & Permissions page"


@pytest.mark.parametrize(
    "error", ["invalid_auth", "not_authed", "token_revoked", "account_inactive"]
)
async def test_a_rejected_bot_token_is_a_setting_to_fix(slack: FakeSlack, error: str) -> None:
    slack.reject_token("xoxb-old", error)
    with pytest.raises(SettingError) as refused:
        await check_bot_token("xoxb-old", slack.base_url)
    assert str(refused.value) == f"SLACK_BOT_TOKEN was rejected by Slack ({error}); {FIX}"


async def test_an_accepted_bot_token_is_checked_once(slack: FakeSlack) -> None:
    await check_bot_token("xoxb-good", slack.base_url)
    assert [(call.method, call.token) for call in slack.calls] == [("auth.test", "xoxb-good")]


async def test_slack_failing_is_not_blamed_on_the_token(slack: FakeSlack) -> None:
    slack.fail("auth.test", status=503)
    with pytest.raises(StartupError) as failed:
        await check_bot_token("xoxb-good", slack.base_url)
    assert not isinstance(failed.value, SettingError)
    assert str(failed.value) == (
        f"Slack at {slack.base_url} could not check SLACK_BOT_TOKEN (service_unavailable);"
        " try again in a moment, or check SLACK_API_URL"
    )


async def test_socket_mode_url_comes_from_the_app_token(slack: FakeSlack) -> None:
    url = await open_socket_mode_url("xapp-1-A0LEADBOT-test", slack.base_url)
    assert url == f"ws://127.0.0.1:{slack.port}/link"
