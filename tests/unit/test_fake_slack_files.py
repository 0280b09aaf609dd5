"""FakeSlack serves Slack's external file upload flow, driven by a real AsyncWebClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from workspace.fake_slack import UPLOAD, FakeSlack

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[])


async def api_error(call: Any) -> str:
    """Await `call`, expecting SlackApiError, and return Slack's error code."""
    with pytest.raises(SlackApiError) as info:
        await call
    return str(info.value.response["error"])


async def upload_bytes(url: str, content: bytes) -> tuple[int, str]:
    """POST raw bytes to an upload URL as slack_sdk does; the status and the text answered."""
    async with aiohttp.ClientSession() as session, session.post(url, data=content) as response:
        return response.status, await response.text()


async def test_files_upload_v2_shares_the_bytes_in_the_channel(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    answer = await client.files_upload_v2(
        channel="C0MARKETING",
        content=PNG,
        filename="funnel.png",
        title="Lead funnel",
        initial_comment="This week's funnel",
    )

    [shared] = slack.uploaded_files("C0MARKETING")
    assert (shared.name, shared.content, shared.title) == ("funnel.png", PNG, "Lead funnel")
    assert (shared.channel, shared.initial_comment) == ("C0MARKETING", "This week's funnel")
    assert answer["file"]["id"] == shared.id
    assert answer["files"] == [answer["file"]]
    [message] = slack.messages["C0MARKETING"]
    assert message["text"] == "This week's funnel"
    assert message["ts"] == shared.ts
    assert [file["id"] for file in message["files"]] == [shared.id]
    assert [call.method for call in slack.calls] == [
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    get_url, posted, completed = slack.calls
    assert get_url.args == {"filename": "funnel.png", "length": str(len(PNG))}
    assert posted.args == {"file_id": shared.id, "length": len(PNG)}
    assert completed.args["files"] == [{"id": shared.id, "title": "Lead funnel"}]


async def test_the_upload_url_points_at_the_fake_and_answers_like_slack(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    issued = await client.files_getUploadURLExternal(filename="a.txt", length=3)

    assert issued["upload_url"].startswith(f"http://127.0.0.1:{slack.port}/")
    assert await upload_bytes(issued["upload_url"], b"abc") == (200, "OK - 3")
    unknown = issued["upload_url"].replace(issued["file_id"], "F0NOSUCH")
    assert (await upload_bytes(unknown, b"abc"))[0] == 404


async def test_a_file_completed_in_a_thread_without_a_comment(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    parent = await client.chat_postMessage(channel="C1", text="digest")
    await client.files_upload_v2(
        channel="C1", content=b"report", filename="r.txt", thread_ts=parent["ts"]
    )

    [shared] = slack.uploaded_files()
    assert (shared.thread_ts, shared.initial_comment, shared.title) == (parent["ts"], "", "r.txt")
    assert slack.messages["C1"][-1]["thread_ts"] == parent["ts"]


async def test_unknown_or_unsent_or_short_files_are_refused(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    never_sent = await client.files_getUploadURLExternal(filename="a.png", length=3)
    short = await client.files_getUploadURLExternal(filename="b.png", length=10)
    await upload_bytes(short["upload_url"], b"abc")

    complete = client.files_completeUploadExternal
    assert await api_error(complete(files=[{"id": "F0NOSUCH"}], channel_id="C1")) == (
        "file_not_found"
    )
    assert await api_error(complete(files=[{"id": never_sent["file_id"]}])) == "file_not_found"
    assert await api_error(complete(files=[{"id": short["file_id"]}])) == "invalid_length"
    assert slack.uploaded_files() == []
    assert "C1" not in slack.messages


async def test_a_file_is_completed_once(slack: FakeSlack, client: AsyncWebClient) -> None:
    issued = await client.files_getUploadURLExternal(filename="a.png", length=3)
    await upload_bytes(issued["upload_url"], b"abc")
    files = [{"id": issued["file_id"], "title": "A"}]

    await client.files_completeUploadExternal(files=files, channel_id="C1")
    assert await api_error(client.files_completeUploadExternal(files=files)) == "file_not_found"
    assert len(slack.uploaded_files("C1")) == 1


async def test_bad_arguments_are_refused(slack: FakeSlack, client: AsyncWebClient) -> None:
    get_url = client.files_getUploadURLExternal
    assert await api_error(get_url(filename="", length=3)) == "invalid_arguments"
    assert await api_error(get_url(filename="a.png", length=0)) == "invalid_arguments"
    assert await api_error(client.files_completeUploadExternal(files=[])) == "invalid_arguments"
    issued = await get_url(filename="a.png", length=3)
    await upload_bytes(issued["upload_url"], b"abc")
    slack.missing_channels.add("C0GONE")
    refused = client.files_completeUploadExternal(
        files=[{"id": issued["file_id"]}], channel_id="C0GONE"
    )
    assert await api_error(refused) == "channel_not_found"


async def test_a_private_file_has_no_channel_message(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    await client.files_upload_v2(content=b"abc", filename="a.txt")

    [shared] = slack.uploaded_files()
    assert (shared.channel, shared.ts, shared.content) == ("", "", b"abc")
    assert slack.messages == {}


@pytest.mark.parametrize("step", ["files.getUploadURLExternal", "files.completeUploadExternal"])
async def test_api_steps_can_be_rate_limited(
    slack: FakeSlack, client: AsyncWebClient, step: str
) -> None:
    slack.fail(step, status=429, retry_after=7)

    with pytest.raises(SlackApiError) as info:
        await client.files_upload_v2(channel="C1", content=b"abc", filename="a.txt")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert slack.uploaded_files() == []


async def test_the_byte_upload_can_fail(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail(UPLOAD, status=500)

    with pytest.raises(SlackRequestError, match="status: 500"):
        await client.files_upload_v2(channel="C1", content=b"abc", filename="a.txt")
    [call] = slack.calls_to(UPLOAD)
    assert call.fault == "500 internal_error"
    assert slack.uploaded_files() == []
    assert [call.method for call in slack.calls][-1] == UPLOAD  # nothing was completed
