"""A fake Slack Web API server (aiohttp, 127.0.0.1) for tests and the offline demo workspace."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

from aiohttp import WSMsgType, web

from workspace.blockkit import block_problems, view_problems

TEAM_ID = "T0TEST"
TEAM_URL = "https://test.slack.com/"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0LEADBOT"
BOT_SCOPES = "commands,chat:write,users:read,im:write,channels:read,groups:read,usergroups:read"
DEFAULT_PAGE_SIZE = 100

_JSON_ENCODED_ARGS = ("blocks", "view", "attachments", "files")
# The recorded "method" of a POST of file bytes to an upload URL; `fail(UPLOAD)` fails it.
UPLOAD = "upload"
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
_METHOD_HEADERS = {"auth.test": {"x-oauth-scopes": BOT_SCOPES}}
_STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
_FIRST_TS = 1_700_000_000
_TS_STEP_MICROS = 100


@dataclass(frozen=True)
class SlackCall:
    """One Web API call received by the fake, with merged args and any injected fault."""

    method: str
    args: dict[str, Any]
    token: str
    at: float
    fault: str | None = None


@dataclass
class _Fault:
    """A pending injected fault for the next `times` calls of `method` ("*" = any)."""

    method: str
    times: int
    status: int = 200
    error: str = ""
    retry_after: int = 1
    delay: float = 0.0

    def label(self) -> str:
        """Describe the fault for SlackCall.fault."""
        return f"delay {self.delay}s" if self.delay else f"{self.status} {self.error}"

    def response(self) -> web.Response:
        """Build the failing HTTP reply."""
        headers = {"Retry-After": str(self.retry_after)} if self.status == 429 else None
        return _json({"ok": False, "error": self.error}, status=self.status, headers=headers)


@dataclass(frozen=True)
class UploadedFile:
    """A file shared through the external upload flow, as the fake keeps it."""

    id: str
    name: str
    content: bytes
    channel: str  # "" when it was completed without a channel (a private file)
    title: str
    initial_comment: str
    thread_ts: str | None
    ts: str  # the message in `channel` that shows it ("" for a private file)


@dataclass
class _PendingUpload:
    """An upload URL handed out by files.getUploadURLExternal, waiting for its completion."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None


class _ApiError(Exception):
    """Raised by handlers to answer HTTP 200 {"ok": false, "error": ...}."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        """Slack's error reply, with `response_metadata.messages` when there are any."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


# Called with (method, args, reply) after every call that succeeded (the demo's live updates).
Listener = Callable[[str, dict[str, Any], dict[str, Any]], None]


class FakeSlack:
    """Fake Slack Web API: records every call, keeps workspace state, injects faults.

    With `keep=False` (benchmarks) it keeps no call and no posted message: each call is only
    counted in `counts` and handed to `observer`, so memory stays flat however many it gets.
    """

    def __init__(
        self, *, keep: bool = True, observer: Callable[[SlackCall], None] | None = None
    ) -> None:
        self.keep = keep
        self.observer = observer
        self.counts: Counter[str] = Counter()
        self.calls: list[SlackCall] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.files: list[UploadedFile] = []
        self.pending_uploads: dict[str, _PendingUpload] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_members: dict[str, list[str]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.missing_channels: set[str] = set()
        self.missing_users: set[str] = set()
        self.rejected_tokens: dict[str, str] = {}
        self.pending_faults: list[_Fault] = []
        self.port = 0
        self.base_url = ""
        self._seq = itertools.count(1)
        self._recorded = asyncio.Condition()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.sockets: list[web.WebSocketResponse] = []
        self._socket_opened = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Listener] = []

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(
        self, *, port: int = 0, routes: Callable[[web.Application], None] | None = None
    ) -> None:
        """Listen on 127.0.0.1 (`port` 0: an ephemeral one) and set `port` and `base_url`;
        `routes` adds more routes (the demo's page) to the same server."""
        app = web.Application()
        if routes is not None:
            routes(app)
        app.router.add_get("/api/{method}", self._handle)
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/link", self._socket_mode)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}/api/"

    async def close(self) -> None:
        """Stop the server, cutting short any injected delays."""
        self._closing.set()
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- Socket Mode -----------------------------------------------------------------

    async def wait_for_socket(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until an app has opened a Socket Mode connection."""
        await asyncio.wait_for(self._socket_opened.wait(), timeout)

    async def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, by design
    ) -> dict[str, Any]:
        """Push an envelope (slash_commands, interactive, events_api); return the app's ack."""
        if not self.sockets:
            raise RuntimeError("no Socket Mode connection is open")
        envelope_id = self.next_id("env")
        acked = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acked
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        await self.sockets[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(acked, timeout)
        finally:
            self._acks.pop(envelope_id, None)

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        self._socket_opened.set()
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self.sockets),
                "connection_info": {"app_id": "A0LEADBOT"},
            }
        )
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._take_ack(message.data)
        finally:
            self.sockets.remove(socket)
        return socket

    def _take_ack(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            return
        future = self._acks.get(ack.get("envelope_id", "")) if isinstance(ack, dict) else None
        if future is not None and not future.done():
            future.set_result(ack)

    # --- recorded calls -------------------------------------------------------------

    def uploaded_files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files shared through the upload flow (to `channel`, if given), oldest first."""
        return [file for file in self.files if channel is None or file.channel == channel]

    def calls_to(self, method: str) -> list[SlackCall]:
        """Return the recorded calls to `method`, oldest first."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, by design
    ) -> list[SlackCall]:
        """Wait until at least `count` calls to `method` were recorded and return them."""
        try:
            async with asyncio.timeout(timeout), self._recorded:
                await self._recorded.wait_for(lambda: len(self.calls_to(method)) >= count)
        except TimeoutError:
            seen = ", ".join(call.method for call in self.calls) or "none"
            got = len(self.calls_to(method))
            raise TimeoutError(
                f"expected {count} call(s) to {method} within {timeout}s but got {got};"
                f" calls seen: {seen}"
            ) from None
        return self.calls_to(method)

    def reset(self) -> None:
        """Forget recorded calls and pending faults; workspace state is kept."""
        self.calls.clear()
        self.pending_faults.clear()

    # --- fault injection ------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` ("*" = any): 429 unless status/error given."""
        if status is None:
            status = 200 if error else 429
        error = error or _STATUS_ERRORS.get(status, "fatal_error")
        self._add_fault(_Fault(method, times, status, error, retry_after))

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Sleep `seconds` before answering the next `times` calls of `method` ("*" = any)."""
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self._add_fault(_Fault(method, times, delay=seconds))

    def _add_fault(self, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self.pending_faults.append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self.pending_faults:
            if fault.method in (method, "*"):
                fault.times -= 1
                if fault.times == 0:
                    self.pending_faults.remove(fault)
                return fault
        return None

    def reject_token(self, token: str, error: str = "invalid_auth") -> None:
        """Answer every call made with `token` with `error` (invalid_auth, token_revoked, ...)."""
        self.rejected_tokens[token] = error

    # --- workspace state ------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "Asia/Tokyo",
        locale: str = "en-US",
        email: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> dict[str, Any]:
        """Register a user record served by users.info and return it."""
        user = _user_record(
            user_id,
            name=name,
            real_name=real_name,
            tz=tz,
            locale=locale,
            email=email,
            is_bot=is_bot,
            deleted=deleted,
        )
        self.users[user_id] = user
        return user

    def set_members(self, channel: str, users: Iterable[str]) -> None:
        """Set the members listed by conversations.members for `channel`."""
        self.channel_members[channel] = list(users)

    def set_usergroup(self, group_id: str, users: Iterable[str]) -> None:
        """Set the users listed by usergroups.users.list for `group_id`."""
        self.usergroups[group_id] = list(users)

    def find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """Return the stored message `ts` in `channel`, if any."""
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def store_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        """Keep `view` (a new one, or a new version of `view_id`) as views.open would."""
        return _store_view(self, view, view_id)

    def next_ts(self) -> str:
        """Return a new unique, increasing message ts like "1700000000.000100"."""
        micros = next(self._seq) * _TS_STEP_MICROS
        return f"{_FIRST_TS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """Return a new unique Slack-style ID such as "V0000000007"."""
        return f"{prefix}{next(self._seq):010d}"

    # --- HTTP -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await _read_args(request)
        except ValueError:
            return _json({"ok": False, "error": "invalid_json"})
        token = _bearer_token(request)
        failed = await self._record_and_fault(method, args, token)
        return failed or self._answer(method, args, token)

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: takes the raw bytes of a file and answers 200 "OK - <length>"."""
        file_id = request.match_info["file_id"]
        content = await request.read()
        args = {"file_id": file_id, "length": len(content)}
        failed = await self._record_and_fault(UPLOAD, args, _bearer_token(request))
        if failed is not None:
            return failed
        pending = self.pending_uploads.get(file_id)
        if pending is None:
            return web.Response(status=404, text="upload URL not found or expired")
        pending.content = content
        return web.Response(text=f"OK - {len(content)}")

    async def _record_and_fault(
        self, method: str, args: dict[str, Any], token: str
    ) -> web.Response | None:
        """Record the call; the injected failure's reply, if one is due (after any delay)."""
        fault = self._take_fault(method)
        label = fault.label() if fault else None
        await self._record(SlackCall(method, args, token, time.monotonic(), label))
        if fault is not None and not fault.delay:
            return fault.response()
        if fault is not None:
            await self._sleep(fault.delay)
        return None

    def response_url(self) -> str:
        """A response_url for a command or a click, answered by this fake (as hooks.slack.com)."""
        return f"http://127.0.0.1:{self.port}/respond/{self.next_id('R')}"

    async def _respond(self, request: web.Request) -> web.Response:
        """A message posted to a response_url: recorded as the call "response_url"."""
        try:
            args = await _read_args(request)
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        args["response_url"] = str(request.url)
        await self._record(SlackCall("response_url", args, "", time.monotonic(), None))
        self._notify("response_url", args, {"ok": True})
        return web.Response(text="ok")

    def _notify(self, method: str, args: dict[str, Any], body: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(method, args, body)

    async def _record(self, call: SlackCall) -> None:
        self.counts[call.method] += 1
        if self.observer is not None:
            self.observer(call)
        if not self.keep:
            return
        async with self._recorded:
            self.calls.append(call)
            self._recorded.notify_all()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _answer(self, method: str, args: dict[str, Any], token: str) -> web.Response:
        auth_error = self.rejected_tokens.get(token) or _auth_error(method, token)
        if auth_error:
            return _json({"ok": False, "error": auth_error})
        handler = _HANDLERS.get(method)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        try:
            body = {"ok": True, **handler(self, args)}
        except _ApiError as e:
            body = e.body()
        else:
            self._notify(method, args, body)
        return _json(body, headers=_METHOD_HEADERS.get(method))


# --- request parsing ------------------------------------------------------------------


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Merge query string, form fields and JSON body; decode JSON-encoded blocks/view."""
    args: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            args.update(body)
    elif request.method == "POST":
        form = await request.post()
        args.update({key: value for key, value in form.items() if isinstance(value, str)})
    for key in _JSON_ENCODED_ARGS:
        if isinstance(args.get(key), str):
            args[key] = _maybe_json(args[key])
    return args


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _bearer_token(request: web.Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _auth_error(method: str, token: str) -> str | None:
    if not token:
        return "not_authed"
    prefix = "xapp-" if method in _APP_TOKEN_METHODS else "xoxb-"
    return None if token.startswith(prefix) else "invalid_auth"


def _json(
    body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


# --- shared argument checks -----------------------------------------------------------


def _arg(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    return "" if value is None else str(value)


def _channel(slack: FakeSlack, args: dict[str, Any]) -> str:
    """Return the target channel, with a user ID turned into that user's DM channel."""
    channel = _arg(args, "channel")
    if not channel or channel in slack.missing_channels:
        raise _ApiError("channel_not_found")
    return "D" + channel if channel[0] in "UW" else channel


def _require_content(args: dict[str, Any]) -> None:
    if not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise _ApiError("no_text")
    _check_blocks(args)


def _check_blocks(args: dict[str, Any]) -> None:
    """Refuse Block Kit that Slack would refuse, with Slack's error and messages."""
    if "blocks" in args and args["blocks"] not in (None, "", []):
        problems = block_problems(args["blocks"])
        if problems:
            raise _ApiError("invalid_blocks", problems)


def _content(args: dict[str, Any]) -> dict[str, Any]:
    content = {"text": _arg(args, "text"), "blocks": args.get("blocks") or []}
    if args.get("attachments"):
        content["attachments"] = args["attachments"]
    return content


def _user_record(
    user_id: str,
    *,
    name: str | None = None,
    real_name: str | None = None,
    tz: str = "Asia/Tokyo",
    locale: str = "en-US",
    email: str | None = None,
    is_bot: bool = False,
    deleted: bool = False,
) -> dict[str, Any]:
    name = name or user_id.lower()
    real_name = real_name or f"User {user_id}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": real_name,
        "deleted": deleted,
        "is_bot": is_bot,
        "tz": tz,
        "tz_offset": _utc_offset_seconds(tz),
        "locale": locale,
        "profile": {
            "display_name": name,
            "real_name": real_name,
            "email": email or f"{name}@example.com",
            "team": TEAM_ID,
        },
    }


def _utc_offset_seconds(tz: str) -> int:
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


# --- method handlers: (slack, args) -> reply fields after "ok": true ------------------------


def _auth_test(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": TEAM_URL,
        "team": "Test Team",
        "user": "leadbot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _chat_post_message(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, args)
    _require_content(args)
    message = {
        "type": "message",
        "channel": channel,
        "ts": slack.next_ts(),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        **_content(args),
        "thread_ts": args.get("thread_ts") or None,
    }
    if slack.keep:
        slack.messages.setdefault(channel, []).append(message)
    return {"channel": channel, "ts": message["ts"], "message": message}


def _chat_update(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, args)
    message = slack.find_message(channel, _arg(args, "ts"))
    if message is None:
        raise _ApiError("message_not_found")
    _check_blocks(args)
    message.update({key: args[key] for key in ("text", "blocks", "attachments") if key in args})
    return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}


def _chat_post_ephemeral(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, args)
    user = _arg(args, "user")
    if not user or user in slack.missing_users:
        raise _ApiError("user_not_found")
    _require_content(args)
    ephemeral = {
        "channel": channel,
        "user": user,
        "ts": slack.next_ts(),
        **_content(args),
        "thread_ts": args.get("thread_ts") or None,
    }
    if slack.keep:
        slack.ephemerals.append(ephemeral)
    return {"message_ts": ephemeral["ts"]}


def _chat_get_permalink(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = _channel(slack, args)
    ts = _arg(args, "message_ts")
    if not ts:
        raise _ApiError("message_not_found")
    permalink = f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    return {"channel": channel, "permalink": permalink}


def _view_arg(args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict):
        raise _ApiError("invalid_arguments")
    problems = view_problems(view)
    if problems:
        raise _ApiError("invalid_arguments", problems)
    return view


def _check_hash(args: dict[str, Any], current: dict[str, Any]) -> None:
    if args.get("hash") and args["hash"] != current["hash"]:
        raise _ApiError("hash_conflict")


def _store_view(
    slack: FakeSlack, view: dict[str, Any], view_id: str | None = None
) -> dict[str, Any]:
    view_id = view_id or slack.next_id("V")
    stored = {
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "root_view_id": view_id,
        "previous_view_id": None,
        **view,
        "id": view_id,
        "team_id": TEAM_ID,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "hash": f"{_FIRST_TS}.{slack.next_id('h')}",
    }
    slack.views[view_id] = stored
    return stored


def _views_open(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("trigger_id"):
        raise _ApiError("invalid_trigger_id")
    return {"view": _store_view(slack, _view_arg(args))}


def _views_update(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    view = _view_arg(args)
    view_id, external_id = _arg(args, "view_id"), _arg(args, "external_id")
    current = slack.views.get(view_id) or next(
        (v for v in slack.views.values() if external_id and v["external_id"] == external_id),
        None,
    )
    if current is None:
        raise _ApiError("not_found")
    _check_hash(args, current)
    return {"view": _store_view(slack, view, current["id"])}


def _views_publish(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    user_id, view = _arg(args, "user_id"), _view_arg(args)
    if not user_id or view.get("type") != "home":
        raise _ApiError("invalid_arguments")
    current_id = slack.home_views.get(user_id)
    if current_id is not None:
        _check_hash(args, slack.views[current_id])
    stored = _store_view(slack, view, current_id)
    slack.home_views[user_id] = stored["id"]
    return {"view": stored}


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor, validate=True).decode().removeprefix("offset:"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _ApiError("invalid_cursor") from None


def _page_size(limit: str) -> int:
    try:
        size = int(limit) if limit else DEFAULT_PAGE_SIZE
    except ValueError:
        raise _ApiError("invalid_limit") from None
    if size < 1:
        raise _ApiError("invalid_limit")
    return size


def _conversations_members(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    channel = _arg(args, "channel")
    if channel not in slack.channel_members or channel in slack.missing_channels:
        raise _ApiError("channel_not_found")
    start = _decode_cursor(_arg(args, "cursor"))
    end = start + _page_size(_arg(args, "limit"))
    members = slack.channel_members[channel]
    next_cursor = _encode_cursor(end) if end < len(members) else ""
    return {"members": members[start:end], "response_metadata": {"next_cursor": next_cursor}}


def _conversations_open(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    users = [user for user in _arg(args, "users").split(",") if user]
    if users:
        return {"channel": {"id": "D" + users[0]}}
    if args.get("channel"):
        return {"channel": {"id": _channel(slack, args)}}
    raise _ApiError("users_list_not_supplied")


def _users_info(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    user_id = _arg(args, "user")
    if not user_id or user_id in slack.missing_users:
        raise _ApiError("user_not_found")
    user = dict(slack.users.get(user_id) or _user_record(user_id))
    if str(args.get("include_locale", "")).lower() not in ("true", "1"):
        user.pop("locale", None)  # Slack sends the locale only when asked for it
    return {"user": user}


def _usergroups_users_list(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    group_id = _arg(args, "usergroup")
    if group_id not in slack.usergroups:
        raise _ApiError("no_such_subteam")
    return {"users": slack.usergroups[group_id]}


def _files_get_upload_url_external(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    filename, length = _arg(args, "filename"), _arg(args, "length")
    if not filename or not length.isdigit() or int(length) < 1:
        raise _ApiError("invalid_arguments")
    file_id = slack.next_id("F")
    slack.pending_uploads[file_id] = _PendingUpload(file_id, filename, int(length))
    upload_url = f"http://127.0.0.1:{slack.port}/upload/v1/{file_id}"
    return {"upload_url": upload_url, "file_id": file_id}


def _files_complete_upload_external(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    wanted = _files_arg(args)
    channel = _channel(slack, {"channel": args["channel_id"]}) if args.get("channel_id") else ""
    uploads = [_finished_upload(slack, item["id"]) for item in wanted]
    ts = slack.next_ts() if channel else ""
    thread_ts = args.get("thread_ts") or None
    comment = _arg(args, "initial_comment")
    shared = [
        UploadedFile(
            id=upload.file_id,
            name=upload.filename,
            content=upload.content or b"",
            channel=channel,
            title=str(item.get("title") or upload.filename),
            initial_comment=comment,
            thread_ts=thread_ts,
            ts=ts,
        )
        for upload, item in zip(uploads, wanted, strict=True)
    ]
    for upload in uploads:
        del slack.pending_uploads[upload.file_id]  # completing is allowed once
    slack.files.extend(shared)
    if channel:
        _post_file_message(slack, shared)
    return {"files": [_file_object(file) for file in shared]}


def _files_arg(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The `files` argument: a JSON list of {"id": …, "title": …}."""
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise _ApiError("invalid_arguments")
    if not all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in files):
        raise _ApiError("invalid_arguments")
    return files


def _finished_upload(slack: FakeSlack, file_id: str) -> _PendingUpload:
    """An upload whose bytes arrived, all of them; refused as Slack refuses it otherwise."""
    upload = slack.pending_uploads.get(file_id)
    if upload is None or upload.content is None:
        raise _ApiError("file_not_found")
    if len(upload.content) != upload.length:
        raise _ApiError("invalid_length")
    return upload


def _post_file_message(slack: FakeSlack, files: list[UploadedFile]) -> None:
    """The channel message that shows the shared files under their initial comment."""
    first = files[0]
    message = {
        "type": "message",
        "channel": first.channel,
        "ts": first.ts,
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "text": first.initial_comment,
        "blocks": [],
        "files": [_file_object(file) for file in files],
        "upload": True,
        "thread_ts": first.thread_ts,
    }
    slack.messages.setdefault(first.channel, []).append(message)


def _file_object(file: UploadedFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "name": file.name,
        "title": file.title,
        "size": len(file.content),
        "user": BOT_USER_ID,
    }


def _apps_connections_open(slack: FakeSlack, args: dict[str, Any]) -> dict[str, Any]:
    return {"url": f"ws://127.0.0.1:{slack.port}/link"}


Handler = Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[str, Handler] = {
    "auth.test": _auth_test,
    "chat.postMessage": _chat_post_message,
    "chat.update": _chat_update,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.getPermalink": _chat_get_permalink,
    "views.open": _views_open,
    "views.push": _views_open,
    "views.update": _views_update,
    "views.publish": _views_publish,
    "conversations.members": _conversations_members,
    "conversations.open": _conversations_open,
    "users.info": _users_info,
    "usergroups.users.list": _usergroups_users_list,
    "apps.connections.open": _apps_connections_open,
    "files.getUploadURLExternal": _files_get_upload_url_external,
    "files.completeUploadExternal": _files_complete_upload_external,
}
