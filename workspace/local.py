"""The local workspace: people, channels, views and live updates around the fake Web API,
sending the app slash commands, clicks, submissions and events exactly as Slack does."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from workspace import requests as slack_requests
from workspace.blockkit import view_problems
from workspace.directory import CHANNELS, PEOPLE, Channel, Person, dm_channel
from workspace.fake_slack import BOT_ID, BOT_USER_ID, FakeSlack
from workspace.render import render_blocks, render_message

log = logging.getLogger("workspace")
APP_TIMEOUT_SECONDS = 10.0  # Slack gives up after 3 s; the demo waits longer on a slow laptop
BOT_NAME = "leadbot"


@dataclass
class Answer:
    """What the page is told after it sent something: inline errors or a notice."""

    errors: dict[str, str] = field(default_factory=dict)
    notice: str = ""

    def json(self) -> dict[str, Any]:
        """The JSON sent back to the page."""
        return {"errors": self.errors, "notice": self.notice}


@dataclass
class _ReplyTarget:
    """Where a response_url's messages go: whose, in which channel, replacing what."""

    user: str
    channel: str
    original_ts: str = ""
    original_ephemeral: bool = True


class LocalWorkspace:
    """Slack's side of the demo: state, signed requests to the app, and page updates."""

    def __init__(
        self,
        slack: FakeSlack,
        *,
        app_url: str,
        signing_secret: str,
        people: Iterable[Person] = PEOPLE,
        channels: Iterable[Channel] = CHANNELS,
        socket_mode: bool = False,
    ) -> None:
        self.slack = slack
        self.app_url = app_url
        self.socket_mode = socket_mode  # deliver over the app's Socket Mode connection
        self.signing_secret = signing_secret
        self.people = {person.id: person for person in people}
        self.channels = {channel.id: channel for channel in channels}
        self.stacks: dict[str, list[str]] = {}  # user -> open modal view IDs, top last
        self.sockets: set[web.WebSocketResponse] = set()
        self._triggers: dict[str, str] = {}  # trigger_id -> user
        self._reply_targets: dict[str, _ReplyTarget] = {}  # response_url token -> target
        self._events = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: ClientSession | None = None
        self._register()
        slack.listeners.append(self._on_call)

    def _register(self) -> None:
        for person in self.people.values():
            self.slack.add_user(
                person.id,
                name=person.name,
                real_name=person.real_name,
                tz=person.tz,
                locale=person.locale,
            )
        everyone = list(self.people)
        for channel in self.channels.values():
            self.slack.set_members(channel.id, everyone)

    async def close(self) -> None:
        """Close the page sockets and the HTTP client."""
        for socket in list(self.sockets):
            await socket.close()
        if self._http is not None:
            await self._http.close()
        for task in list(self._tasks):
            task.cancel()

    # --- what the page shows -------------------------------------------------------

    def names(self) -> dict[str, str]:
        """ID -> name for mentions: people, channels and the bot."""
        names = {person.id: person.real_name for person in self.people.values()}
        names.update({channel.id: channel.name for channel in self.channels.values()})
        names[BOT_USER_ID] = BOT_NAME
        return names

    def directory(self) -> dict[str, Any]:
        """People and channels for the page's sidebar and user switcher."""
        return {
            "people": [
                {"id": p.id, "name": p.real_name, "role": p.role, "locale": p.locale, "tz": p.tz}
                for p in self.people.values()
            ],
            "channels": [
                {"id": c.id, "name": c.name, "purpose": c.purpose} for c in self.channels.values()
            ],
            "bot": {"id": BOT_USER_ID, "name": BOT_NAME},
        }

    def channel_messages(self, channel: str, user: str) -> list[dict[str, Any]]:
        """The messages of `channel` as `user` sees them (their ephemerals included), oldest
        first, each thread's replies right after its parent."""
        names = self.names()
        shown = [
            self._shown(message, names, ephemeral=False)
            for message in self.slack.messages.get(channel, [])
        ]
        shown += [
            self._shown(message, names, ephemeral=True)
            for message in self.slack.ephemerals
            if message.get("channel") == channel and message.get("user") == user
        ]
        return _threaded(shown)

    def _shown(
        self, message: dict[str, Any], names: dict[str, str], *, ephemeral: bool
    ) -> dict[str, Any]:
        author = BOT_USER_ID if ephemeral or message.get("bot_id") else message.get("user", "")
        return {
            "ts": message["ts"],
            "thread_ts": message.get("thread_ts") or None,
            "author": names.get(str(author), str(author)),
            "is_bot": author == BOT_USER_ID,
            "ephemeral": ephemeral,
            "edited": bool(message.get("edited")),
            "html": render_message(message, names),
        }

    def top_view(self, user: str) -> dict[str, Any] | None:
        """The modal on top of `user`'s stack, ready to show, or None."""
        stack = self.stacks.get(user) or []
        view = self.slack.views.get(stack[-1]) if stack else None
        return None if view is None else self._shown_view(view, depth=len(stack))

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab the app published for `user`, or None."""
        view_id = self.slack.home_views.get(user)
        view = self.slack.views.get(view_id) if view_id else None
        return None if view is None else self._shown_view(view, depth=0)

    def _shown_view(self, view: dict[str, Any], *, depth: int) -> dict[str, Any]:
        def label(key: str) -> str:
            value = view.get(key)
            return str(value.get("text", "")) if isinstance(value, dict) else ""

        return {
            "id": view["id"],
            "title": label("title"),
            "submit": label("submit"),
            "close": label("close") or "Cancel",
            "depth": depth,
            "html": render_blocks(view.get("blocks"), self.names()),
        }

    # --- what people do --------------------------------------------------------------

    async def command(self, user: str, channel: str, text: str, command: str = "/lead") -> Answer:
        """Run a slash command as `user` in `channel`, as Slack would send it."""
        trigger = self._trigger_for(user)
        response_url = self.slack.response_url()
        target = _ReplyTarget(user, channel)
        self._reply_targets[_token(response_url)] = target
        body = slack_requests.slash_command(
            text,
            user_id=user,
            channel_id=channel,
            command=command,
            trigger_id=trigger,
            response_url=response_url,
        )
        status, answer = await self._send(body)
        if status != 200:
            return Answer(notice=f"{command} failed: the app answered HTTP {status}")
        message = _command_reply(answer)
        if message is not None:
            target.original_ts = self._post_reply(target, message)
        return Answer()

    async def say(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        """Post a plain message as `user` (the app subscribes to no message events)."""
        message: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "ts": self.slack.next_ts(),
            "user": user,
            "text": _slack_escape(text),
            "blocks": [],
            "thread_ts": thread_ts or None,
        }
        self.slack.messages.setdefault(channel, []).append(message)
        self._publish({"kind": "channel", "channel": channel})

    async def click(self, user: str, action: dict[str, Any], where: dict[str, Any]) -> Answer:
        """A click or a choice in a message (`where`: channel, ts, ephemeral) or a view
        (`where`: view_id, values)."""
        fields = self._action_context(user, where)
        if fields is None:
            return Answer(notice="that message or view is gone")
        fields["actions"] = [_action(action)]
        body = slack_requests.interaction(
            "block_actions", fields, user_id=user, trigger_id=self._trigger_for(user)
        )
        status, _answer = await self._send(body)
        return Answer(notice="" if status == 200 else f"the app answered HTTP {status}")

    async def submit(self, user: str, view_id: str, values: dict[str, Any]) -> Answer:
        """Submit `user`'s modal with these state values; inline errors come back."""
        view = self.slack.views.get(view_id)
        if view is None or view_id not in self.stacks.get(user, []):
            return Answer(notice="that form is no longer open")
        fields = {"view": _with_state(view, values), "response_urls": []}
        body = slack_requests.interaction(
            "view_submission", fields, user_id=user, trigger_id=self._trigger_for(user)
        )
        status, answer = await self._send(body)
        if status != 200:
            return Answer(notice=f"the app answered HTTP {status}")
        return self._after_submission(user, view_id, _json_or_empty(answer))

    async def close_view(self, user: str, view_id: str) -> Answer:
        """Close `user`'s modal; the app hears view_closed when the view asked for it."""
        view = self.slack.views.get(view_id)
        stack = self.stacks.get(user, [])
        if view is None or view_id not in stack:
            return Answer()
        del stack[stack.index(view_id) :]
        self._publish({"kind": "view", "user": user})
        if view.get("notify_on_close"):
            fields = {"view": view, "is_cleared": False}
            await self._send(slack_requests.interaction("view_closed", fields, user_id=user))
        return Answer()

    async def open_home(self, user: str) -> Answer:
        """Open the app's Home tab as `user`: the app hears app_home_opened."""
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": dm_channel(user),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        body = slack_requests.event_callback(event, event_id=f"Ev{next(self._events):08d}")
        status, _answer = await self._send(body, content_type="application/json")
        return Answer(notice="" if status == 200 else f"the app answered HTTP {status}")

    # --- sending to the app --------------------------------------------------------

    async def _send(
        self, body: str, *, content_type: str = "application/x-www-form-urlencoded"
    ) -> tuple[int, str]:
        """POST a signed request to the app (or push it as a Socket Mode envelope); return
        (status, body), 599 when the app cannot be reached."""
        if self.socket_mode:
            return await self._push(body, content_type)
        if self._http is None:
            self._http = ClientSession(timeout=ClientTimeout(total=APP_TIMEOUT_SECONDS))
        headers = slack_requests.signed_headers(
            self.signing_secret, body, timestamp=int(time.time()), content_type=content_type
        )
        try:
            async with self._http.post(self.app_url, data=body.encode(), headers=headers) as reply:
                return reply.status, await reply.text()
        except (ClientError, TimeoutError) as error:
            log.warning("the app could not be reached: %s", error)
            return 599, ""

    async def _push(self, body: str, content_type: str) -> tuple[int, str]:
        """The same request as a Socket Mode envelope; the ack's payload is the answer."""
        kind, payload = _envelope_of(body, content_type)
        try:
            ack = await self.slack.send_envelope(kind, payload, timeout=APP_TIMEOUT_SECONDS)
        except (RuntimeError, TimeoutError) as error:
            log.warning("the app did not answer over Socket Mode: %s", error)
            return 599, ""
        answer = ack.get("payload")
        return 200, json.dumps(answer) if answer else ""

    def _trigger_for(self, user: str) -> str:
        trigger = slack_requests.new_trigger_id()
        self._triggers[trigger] = user
        return trigger

    def _action_context(self, user: str, where: dict[str, Any]) -> dict[str, Any] | None:
        view_id = str(where.get("view_id") or "")
        if view_id:
            view = self.slack.views.get(view_id)
            if view is None:
                return None
            state_view = _with_state(view, where.get("values") or {})
            return {"container": {"type": "view", "view_id": view_id}, "view": state_view}
        channel, ts = str(where.get("channel", "")), str(where.get("ts", ""))
        ephemeral = bool(where.get("ephemeral"))
        message = self._find(channel, ts, user, ephemeral=ephemeral)
        if message is None:
            return None
        response_url = self.slack.response_url()
        self._reply_targets[_token(response_url)] = _ReplyTarget(user, channel, ts, ephemeral)
        return {
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel, "name": self._channel_name(channel)},
            "message": {k: v for k, v in message.items() if k != "channel"},
            "state": {"values": {}},
            "response_url": response_url,
        }

    def _find(self, channel: str, ts: str, user: str, *, ephemeral: bool) -> Any:
        if not ephemeral:
            return self.slack.find_message(channel, ts)
        return next(
            (
                m
                for m in self.slack.ephemerals
                if m["ts"] == ts and m["channel"] == channel and m["user"] == user
            ),
            None,
        )

    def _channel_name(self, channel: str) -> str:
        known = self.channels.get(channel)
        return known.name if known else "directmessage"

    def _after_submission(self, user: str, view_id: str, answer: dict[str, Any]) -> Answer:
        action = answer.get("response_action")
        stack = self.stacks.setdefault(user, [])
        if action == "errors":
            errors = answer.get("errors")
            return Answer(errors={str(k): str(v) for k, v in (errors or {}).items()})
        if action in ("update", "push") and isinstance(answer.get("view"), dict):
            problems = view_problems(answer["view"])
            if problems:
                return Answer(notice="the app answered with an invalid view: " + problems[0])
            keep = view_id if action == "update" else None
            stored = self.slack.store_view(answer["view"], keep)
            if action == "push":
                stack.append(stored["id"])
        elif action == "clear":
            stack.clear()
        elif view_id in stack:
            stack.remove(view_id)
        self._publish({"kind": "view", "user": user})
        return Answer()

    def _post_reply(self, target: _ReplyTarget, message: dict[str, Any]) -> str:
        """Show an answer to a command or a response_url post; return its ts."""
        content = {
            "text": str(message.get("text") or ""),
            "blocks": message.get("blocks") or [],
            "thread_ts": message.get("thread_ts") or None,
        }
        ts = self.slack.next_ts()
        if message.get("response_type") == "in_channel":
            posted: dict[str, Any] = {"type": "message", "channel": target.channel, "ts": ts}
            posted |= {"user": BOT_USER_ID, "bot_id": BOT_ID, **content}
            self.slack.messages.setdefault(target.channel, []).append(posted)
        else:
            ephemeral = {"channel": target.channel, "user": target.user, "ts": ts, **content}
            self.slack.ephemerals.append(ephemeral)
        self._publish({"kind": "channel", "channel": target.channel})
        return ts

    def _on_response_url(self, args: dict[str, Any]) -> None:
        target = self._reply_targets.get(_token(str(args.get("response_url", ""))))
        if target is None:
            return
        original = (
            self._find(target.channel, target.original_ts, target.user,
                       ephemeral=target.original_ephemeral)
            if target.original_ts
            else None
        )  # fmt: skip
        if original is not None and _truthy(args.get("delete_original")):
            self._remove(original, ephemeral=target.original_ephemeral)
        elif original is not None and _truthy(args.get("replace_original")):
            original.update(
                {"text": str(args.get("text") or ""), "blocks": args.get("blocks") or []}
            )
        else:
            target.original_ts = self._post_reply(target, args)
            target.original_ephemeral = args.get("response_type") != "in_channel"
            return
        self._publish({"kind": "channel", "channel": target.channel})

    def _remove(self, message: dict[str, Any], *, ephemeral: bool) -> None:
        if ephemeral:
            self.slack.ephemerals.remove(message)
        else:
            self.slack.messages.get(message["channel"], []).remove(message)

    # --- live updates --------------------------------------------------------------

    def _on_call(self, method: str, args: dict[str, Any], reply: dict[str, Any]) -> None:
        """Turn a Web API call the app made into page updates."""
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = str(reply.get("channel") or args.get("channel") or "")
            if method == "chat.update" and isinstance(reply.get("message"), dict):
                reply["message"]["edited"] = {"user": BOT_USER_ID}
            if method == "chat.postEphemeral" and channel.startswith(("U", "W")):
                channel = dm_channel(channel)
            self._publish({"kind": "channel", "channel": channel})
        elif method == "files.completeUploadExternal" and args.get("channel_id"):
            self._publish({"kind": "channel", "channel": str(args["channel_id"])})
        elif method in ("views.open", "views.push"):
            self._on_view_opened(method, args, reply)
        elif method == "views.update":
            self._on_view_updated(reply)
        elif method == "views.publish":
            self._publish({"kind": "home", "user": str(args.get("user_id", ""))})
        elif method == "response_url":
            self._on_response_url(args)

    def _on_view_opened(self, method: str, args: dict[str, Any], reply: dict[str, Any]) -> None:
        user = self._triggers.pop(str(args.get("trigger_id", "")), "")
        if not user:
            return
        stack = self.stacks.setdefault(user, [])
        if method == "views.open":
            stack.clear()
        stack.append(str(reply["view"]["id"]))
        self._publish({"kind": "view", "user": user})

    def _on_view_updated(self, reply: dict[str, Any]) -> None:
        view_id = str(reply["view"]["id"])
        for user, stack in self.stacks.items():
            if view_id in stack:
                self._publish({"kind": "view", "user": user})
        for user, home_id in self.slack.home_views.items():
            if home_id == view_id:
                self._publish({"kind": "home", "user": user})

    def _publish(self, event: dict[str, Any]) -> None:
        """Tell every open page that something changed (they fetch what they show)."""
        for socket in list(self.sockets):
            task = asyncio.get_running_loop().create_task(_send_json(socket, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _send_json(socket: web.WebSocketResponse, event: dict[str, Any]) -> None:
    with contextlib.suppress(ConnectionError, RuntimeError):  # the page went away
        await socket.send_json(event)


def _threaded(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oldest first, with each thread's replies right after their parent (a reply whose
    parent is not shown keeps its own place)."""
    ordered = sorted(messages, key=lambda m: float(m["ts"]))
    parents = {m["ts"] for m in ordered if _parent_of(m) is None}
    replies: dict[str, list[dict[str, Any]]] = {}
    for message in ordered:
        parent = _parent_of(message)
        if parent is not None and parent in parents:
            replies.setdefault(parent, []).append(message)
    result = []
    for message in ordered:
        if _parent_of(message) not in parents:
            result.append(message)
            result.extend(replies.get(message["ts"], []))
    return result


def _parent_of(message: dict[str, Any]) -> str | None:
    """The ts of the message this one replies to; None for a thread's parent or no thread."""
    parent = message.get("thread_ts")
    return parent if parent and parent != message["ts"] else None


def _envelope_of(body: str, content_type: str) -> tuple[str, dict[str, Any]]:
    """(envelope type, payload) of a request body, as Socket Mode carries it."""
    if content_type == "application/json":
        return "events_api", json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields


def _token(response_url: str) -> str:
    return response_url.rstrip("/").rsplit("/", 1)[-1]


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _json_or_empty(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _command_reply(answer: str) -> dict[str, Any] | None:
    """The message an ack body shows the person: JSON (text/blocks) or plain text."""
    if not answer.strip():
        return None
    parsed = _json_or_empty(answer)
    return parsed if parsed else {"text": answer}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _action(action: dict[str, Any]) -> dict[str, Any]:
    """The `actions[0]` of a block_actions payload, from what the page sent."""
    kind = str(action.get("type") or "button")
    shaped: dict[str, Any] = {
        "type": kind,
        "action_id": str(action.get("action_id", "")),
        "block_id": str(action.get("block_id", "")),
        "action_ts": f"{time.time():.6f}",
    }
    if kind == "button":
        shaped["value"] = str(action.get("value", ""))
        shaped["text"] = {"type": "plain_text", "text": str(action.get("text", "")), "emoji": True}
    elif kind in ("static_select", "overflow"):
        shaped["selected_option"] = {
            "text": {"type": "plain_text", "text": str(action.get("text", "")), "emoji": True},
            "value": str(action.get("value", "")),
        }
    return shaped


def _with_state(view: dict[str, Any], values: Any) -> dict[str, Any]:
    state = values if isinstance(values, dict) else {}
    return {**view, "state": {"values": state}}
