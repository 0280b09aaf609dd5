"""Deliver the outbox: lease due rows, call Slack (or POST a webhook), record the result, and
retry with backoff."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from leadloop.messages import FILE_UPLOAD
from leadloop.webhooks import WEBHOOK
from leads.config import DeliverySettings, Webhook
from scheduler.webhooks import WebhookPoster
from storage.db import Database
from storage.outbox import (
    Delivery,
    claim_due,
    hold_channel,
    mark_cancelled,
    mark_failed,
    mark_sent,
    next_due,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# Renders a message stored as an intent into Web API arguments; None: nothing to send.
# A file upload's arguments carry `content` (bytes): its rows are always intents.
Render = Callable[[Delivery], Awaitable[dict[str, Any] | None]]
# Runs in the transaction that records a message as sent, with the returned ts.
OnSent = Callable[[AsyncSession, Delivery, str], Awaitable[None]]
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_arguments",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "user_not_found",
        "cant_update_message",
        "message_not_found",
        "edit_window_closed",
        "restricted_action",
        "no_content",  # an upload rendered without bytes: a bug, not a passing fault
    }
)
UPLOAD_ARGUMENTS = ("channel", "content", "filename", "title", "initial_comment", "thread_ts")
MIN_WAKE_DELAY = 0.002
MAX_WAKE_DELAY = 5.0
MAX_DOUBLINGS = 30  # backoff stops growing long before this; it keeps 2**n a small number


class Deliverer:
    """Sends what the outbox owes; safe to run in any number of processes at once."""

    def __init__(
        self,
        db: Database,
        client: AsyncWebClient,
        settings: DeliverySettings,
        clock: Clock,
        *,
        render: Render | None = None,
        on_sent: OnSent | None = None,
        webhooks: Sequence[Webhook] = (),
    ) -> None:
        self._db = db
        self._client = client
        self._settings = settings
        self._clock = clock
        self._render = render
        self._on_sent = on_sent
        self._webhooks = WebhookPoster(webhooks)
        self._posting: set[asyncio.Task[None]] = set()  # webhook POSTs under way
        self._worker = f"deliverer-{uuid.uuid4().hex[:8]}"
        self._running: asyncio.Task[int] | None = None
        self._again = False
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    async def deliver_due(self) -> int:
        """Send everything due now, batch after batch, until nothing is ready; returns Slack
        sends. Webhook POSTs go on in the background, so a slow receiver holds up no card.

        A read says first whether anything is ready, so an idle nudge never takes the write
        lock that captures are waiting for.
        """
        sent = 0
        due = await self._next_due()
        while due is not None and due <= self._clock() and (batch := await self._claim()):
            for item in batch:
                if item.method == WEBHOOK:
                    self._post_in_background(item)
            slack = [item for item in batch if item.method != WEBHOOK]
            results = await asyncio.gather(*(self._send(item) for item in slack))
            sent += sum(results)
            due = await self._next_due()
        self._schedule_wake(due)
        return sent

    async def _next_due(self) -> datetime | None:
        async with self._db.read() as session:
            return await next_due(session)

    def nudge(self) -> None:
        """Deliver soon, from this event loop, without waiting for the next sweep."""
        if self._closed:
            return
        if self._running is not None and not self._running.done():
            self._again = True
            return
        self._running = asyncio.get_running_loop().create_task(self._run_nudged())

    async def drain(self) -> None:
        """Wait until the deliveries under way, webhook POSTs included, have finished."""
        while pending := [task for task in (self._running, *self._posting) if task is not None]:
            if all(task.done() for task in pending):
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        """Deliver nothing more: no new nudges or timers; wait for the delivery under way.

        Webhook POSTs still waiting for their receivers are cut short and retried later (by
        this process after a restart, or by another replica) with the same webhook-id.
        """
        self._closed = True
        self._cancel_timer()
        await self._webhooks.close()
        await self.drain()
        self._cancel_timer()  # the delivery that just finished may have set one

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _run_nudged(self) -> int:
        total = 0
        while True:
            self._again = False
            try:
                total += await self.deliver_due()
            except Exception:
                log.exception("outbox delivery failed; the next sweep retries")
            if not self._again:
                return total

    async def _claim(self) -> list[Delivery]:
        async with self._db.write() as session:
            return await claim_due(
                session,
                worker=self._worker,
                now=self._clock(),
                lease=timedelta(seconds=self._settings.lease_seconds),
                pace=timedelta(seconds=self._settings.per_channel_interval_seconds),
            )

    async def _arguments(self, item: Delivery) -> dict[str, Any] | None:
        if "intent" not in item.payload:
            return item.arguments()
        return await self._render(item) if self._render is not None else None

    async def _send(self, item: Delivery) -> int:
        try:
            arguments = await self._arguments(item)
        except Exception:
            log.exception("could not render %s; retrying later", item.key)
            await self._failed(item, "render_failed", None)
            return 0
        if arguments is None:
            await self._cancel(item)
            return 0
        try:
            ts = await self._call_slack(item.method, arguments)
        except SlackApiError as error:
            await self._failed(item, _error_code(error), _retry_after(error))
            return 0
        except SlackRequestError as error:  # e.g. an upload URL that did not answer 200
            await self._failed(item, f"request_failed: {error}", None)
            return 0
        except (TimeoutError, ClientError, OSError) as error:
            await self._failed(item, f"transport: {type(error).__name__}", None)
            return 0
        except _NoContentError:
            await self._failed(item, "no_content", None)
            return 0
        await self._sent(item, ts)
        return 1

    async def _call_slack(self, method: str, arguments: dict[str, Any]) -> str:
        """Make the Web API call (or the three of a file upload); the message ts, if any."""
        if method == FILE_UPLOAD:
            await self._client.files_upload_v2(**_upload_arguments(arguments))
            return ""
        answer: Any = await self._client.api_call(method, json=arguments)
        return str(answer.get("ts") or "")

    def _post_in_background(self, item: Delivery) -> None:
        task = asyncio.get_running_loop().create_task(self._post_webhook(item))
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)

    async def _post_webhook(self, item: Delivery) -> None:
        try:
            if not self._webhooks.configured(item.payload):
                log.warning("dropping %s: its endpoint is no longer configured", item.key)
                await self._cancel(item)
                return
            error = await self._webhooks.post(item.payload, now=self._clock())
            if error is None:
                await self._sent(item, "")
                return
            await self._failed(item, error, None)
            self.nudge()  # sets the timer for its retry: the run that leased it may be over
        except Exception:
            log.exception("webhook %s failed unexpectedly; retried when its lease ends", item.key)

    async def _sent(self, item: Delivery, ts: str) -> None:
        async with self._db.write() as session:
            await mark_sent(session, item, ts=ts, now=self._clock())
            if self._on_sent is not None:
                await self._on_sent(session, item, ts)

    async def _cancel(self, item: Delivery) -> None:
        async with self._db.write() as session:
            await mark_cancelled(session, item)

    async def _failed(self, item: Delivery, error: str, retry_after: float | None) -> None:
        now = self._clock()
        retry_at = self._retry_at(item, error, retry_after, now)
        level = logging.ERROR if retry_at is None else logging.WARNING
        log.log(
            level,
            "%s for %s failed (%s), attempt %d, %s",
            item.method,
            item.key,
            error,
            item.attempts,
            "giving up" if retry_at is None else f"retry at {retry_at}",
        )
        async with self._db.write() as session:
            if retry_after is not None:
                await hold_channel(session, item.channel, retry_at or now)
            await mark_failed(session, item, error=error, retry_at=retry_at, now=now)

    def _retry_at(
        self, item: Delivery, error: str, retry_after: float | None, now: datetime
    ) -> datetime | None:
        """When to try again; None gives up. A webhook is never given up: a failing receiver
        is retried, never lost."""
        given_up = error in PERMANENT_ERRORS or item.attempts >= self._settings.max_attempts
        if given_up and item.method != WEBHOOK:
            return None
        if retry_after is not None:
            return now + timedelta(seconds=retry_after)
        return now + timedelta(seconds=self._backoff_seconds(item.attempts))

    def _backoff_seconds(self, attempts: int) -> float:
        doublings = min(max(attempts - 1, 0), MAX_DOUBLINGS)
        backoff = self._settings.first_retry_seconds * 2.0**doublings
        return min(backoff, self._settings.max_retry_seconds)

    def _schedule_wake(self, due: datetime | None) -> None:
        if due is None:
            return
        delay = min(max((due - self._clock()).total_seconds(), MIN_WAKE_DELAY), MAX_WAKE_DELAY)
        self._cancel_timer()
        if not self._closed:
            self._timer = asyncio.get_running_loop().call_later(delay, self.nudge)


def _error_code(error: SlackApiError) -> str:
    response = error.response
    status = getattr(response, "status_code", 200)
    code = response.get("error") if hasattr(response, "get") else None
    return str(code or f"http_{status}")


def _retry_after(error: SlackApiError) -> float | None:
    response = error.response
    if getattr(response, "status_code", 200) != 429:
        return None
    headers = getattr(response, "headers", {}) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after") or "1"
    try:
        return max(float(raw[0] if isinstance(raw, list) else raw), 0.0)
    except ValueError:
        return 1.0


class _NoContentError(Exception):
    """A file upload's arguments carry no bytes to upload."""


def _upload_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The files_upload_v2 keywords among rendered arguments; the bytes must be there."""
    if not isinstance(arguments.get("content"), bytes | str) or not arguments["content"]:
        raise _NoContentError
    return {name: arguments[name] for name in UPLOAD_ARGUMENTS if arguments.get(name)}
