"""Drive the real leadbot HTTP app over real HTTP, with signed requests and a fake Slack."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import DeclarativeBase

from bot.app import create_app
from bot.server import build_web_app
from bot.services import AppServices, build_services
from bot.settings import load_settings
from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.model import Stage
from scheduler.jobs import run_job
from storage.db import Database
from storage.leads import to_lead
from storage.migrate import migrate
from storage.tables import LeadRow
from workspace import requests as slack_requests
from workspace.fake_slack import FakeSlack, SlackCall

SECRET = "test-signing-secret"
SALES = "C0SALES"
MARKETING = "C0MARKETING"
STAFF = "U0STAFF"
BOOTH = "C0BOOTH"
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, inside default business hours
T = TypeVar("T")


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Reply:
    """An HTTP answer from leadbot."""

    status: int
    text: str
    content_type: str

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.text)


@dataclass
class Leadbot:
    """A running leadbot: HTTP server, services, fake Slack and clock."""

    database_url: str
    slack: FakeSlack
    clock: FakeClock
    config: LeadbotConfig = field(default_factory=LeadbotConfig)
    capture_process: bool = False  # captures written in a child process, as `serve` does
    services: AppServices | None = None
    server: TestServer | None = None
    http: ClientSession | None = None

    async def start(self) -> Leadbot:
        """Build services from settings, migrate, and serve on 127.0.0.1."""
        settings = load_settings(
            "serve",
            environ={
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": self.slack.base_url,
                "DATABASE_URL": self.database_url,
                "LEADBOT_SALES_CHANNEL": SALES,
                "LEADBOT_MARKETING_CHANNEL": MARKETING,
                "LEADBOT_CAPTURE_PROCESS": "on" if self.capture_process else "off",
            },
        )
        self.services = build_services(settings, self.config, clock=self.clock)
        await migrate(self.services.db)
        web_app = build_web_app(
            create_app(self.services, verified_by_server=True), self.services, run_scheduler=False
        )
        self.server = TestServer(web_app, host="127.0.0.1", port=0)
        await self.server.start_server()
        self.http = ClientSession()
        return self

    async def stop(self) -> None:
        """Stop the server (which closes the services) and the HTTP client."""
        if self.http is not None:
            await self.http.close()
        if self.server is not None:
            await self.server.close()

    async def restart(self, config: LeadbotConfig | None = None) -> None:
        """Stop and start again on the same database and fake Slack (a process restart)."""
        await self.stop()
        if config is not None:
            self.config = config
        await self.start()

    @property
    def svc(self) -> AppServices:
        """The running services."""
        assert self.services is not None
        return self.services

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """POST a body to /slack/events signed as Slack would (override to break it)."""
        assert self.server is not None
        assert self.http is not None
        stamp = int(time.time()) if timestamp is None else timestamp
        sent = slack_requests.signed_headers(
            secret, body, timestamp=stamp, content_type=content_type
        )
        if headers is not None:
            sent = dict(headers)
        async with self.http.post(
            self.server.make_url("/slack/events"), data=body.encode(), headers=sent
        ) as response:
            return Reply(response.status, await response.text(), response.content_type)

    async def command(self, text: str = "", *, user: str = STAFF, channel: str = BOOTH) -> Reply:
        """Run `/lead <text>` as `user`."""
        body = slack_requests.slash_command(
            text, user_id=user, channel_id=channel, response_url=self.slack.response_url()
        )
        return await self.post(body)

    async def click(
        self, action_id: str, value: str, *, user: str, channel: str = SALES, ts: str = ""
    ) -> Reply:
        """Click a button on a message."""
        body = slack_requests.block_action(
            action_id, value, user_id=user, channel_id=channel, message_ts=ts or "1.000"
        )
        return await self.post(body)

    async def submit(
        self,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user: str = STAFF,
        metadata: str = f"{BOOTH}|0",
    ) -> Reply:
        """Submit the lead modal with these state values."""
        body = slack_requests.view_submission(
            "lead_modal", values, user_id=user, private_metadata=metadata
        )
        return await self.post(body)

    async def event(self, event: dict[str, Any], *, event_id: str, retry: int = 0) -> Reply:
        """Deliver an Events API event (optionally marked as Slack's retry number `retry`)."""
        body = slack_requests.event_callback(event, event_id=event_id)
        headers = slack_requests.signed_headers(
            SECRET, body, timestamp=int(time.time()), content_type="application/json"
        )
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, headers=headers)

    async def posted_to(
        self,
        channel: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, by design
    ) -> list[Any]:
        """Wait until `count` chat.postMessage calls reached `channel`; return them."""
        deadline = time.monotonic() + timeout
        while True:
            calls = [
                c
                for c in self.slack.calls_to("chat.postMessage")
                if c.args.get("channel") == channel
            ]
            if len(calls) >= count or time.monotonic() > deadline:
                return calls
            await asyncio.sleep(0.01)

    async def settle(self) -> None:
        """Let background deliveries finish, then deliver anything still due (and wait for
        the webhook POSTs that starts)."""
        await self.svc.deliverer.drain()
        await self.svc.deliverer.deliver_due()
        await self.svc.deliverer.drain()
        await asyncio.sleep(0)

    async def run_job(self, name: str, *, by_hand: bool = False) -> str:
        """Run one sweep now: as the scheduler does, or (`by_hand`) as `leadbot jobs run`."""
        return await run_job(name, self.svc.job_context(by_hand=by_hand))

    async def leads(self) -> list[Lead]:
        """Every stored lead, oldest first."""
        async with self.svc.db.read() as session:
            rows = await session.scalars(select(LeadRow).order_by(LeadRow.id))
            return [to_lead(row) for row in rows]

    async def count(self, table: type[DeclarativeBase], **where: Any) -> int:
        """Rows in `table` matching column=value filters."""
        return await count_rows(self.svc.db, table, **where)


def text_values(**fields: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Modal state values for plain text fields."""
    return {name: {"value": slack_requests.text_value(value)} for name, value in fields.items()}


def select_values(**fields: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Modal state values for select fields."""
    return {name: {"value": slack_requests.select_value(value)} for name, value in fields.items()}


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """All the visible text of some blocks, joined (to look for what a person would see)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def button_ids(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Visible button label -> action_id."""
    found: dict[str, str] = {}
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button":
                found[element["text"]["text"]] = element["action_id"]
    return found


def signed_bytes_headers(
    raw: bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """Headers signing raw bytes as Slack does (`v0=` HMAC-SHA256 of `v0:{ts}:` + the bytes)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + raw, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": content_type,
    }


async def post_raw(bot: Leadbot, raw: bytes, headers: Mapping[str, str]) -> Reply:
    """POST exact bytes to /slack/events with exactly these headers (for undecodable bodies)."""
    assert bot.server is not None
    assert bot.http is not None
    url = bot.server.make_url("/slack/events")
    async with bot.http.post(url, data=io.BytesIO(raw), headers=dict(headers)) as response:
        return Reply(response.status, await response.text(), response.content_type)


def prefilled_values(view: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """The state values Slack would submit for a modal left as it was opened (initial values)."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "static_select":
            option = element.get("initial_option")
            state = slack_requests.select_value(None if option is None else option["value"])
        elif kind == "checkboxes":
            ticked = [option["value"] for option in element.get("initial_options", [])]
            state = slack_requests.checkbox_values(ticked)
        else:
            state = {"type": kind, "value": element.get("initial_value")}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


# --- helpers for the hot-lead, claim, SLA and rescore tests ------------------------------


def lead_form(
    *,
    name: str = "Jane Doe",
    company: str = "Initech",
    email: str = "jane@initech.com",
    phone: str = "+1 555-010-9999",
    interest: str = "hot",
    **more: str,
) -> dict[str, dict[str, dict[str, Any]]]:
    """New lead form values: text fields, plus interest (and `source`) as selects."""
    selects = {"interest": interest} | ({"source": more.pop("source")} if "source" in more else {})
    return text_values(name=name, company=company, email=email, phone=phone, **more) | (
        select_values(**selects)
    )


async def capture(bot: Leadbot, **form: str) -> Lead:
    """Submit the New lead form (see `lead_form`) and return the stored lead."""
    values = lead_form(**form)
    reply = await bot.submit(values)
    assert reply.status == 200, reply.text
    assert reply.text == "", reply.text
    email = values["email"]["value"]["value"].strip().lower()
    return next(lead for lead in await bot.leads() if lead.profile.email == email)


async def until(
    check: Callable[[], Awaitable[Any]],
    timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's deadline, by design
) -> Any:
    """Poll the async `check` until it returns something truthy; return that (or fail)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {check}")
        await asyncio.sleep(0.01)


async def rows_of(bot: Leadbot, table: type[T], **where: Any) -> list[T]:
    """Rows of `table` matching column=value filters, in primary key order."""
    query = select(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    async with bot.svc.db.read() as session:
        found = list(await session.scalars(query.order_by(*inspect(table).primary_key)))
        session.expunge_all()  # keep them readable after the read transaction ends
        return found


def cards_in(slack: FakeSlack, channel: str) -> list[SlackCall]:
    """Successful chat.postMessage calls to `channel` that posted a hot-lead card."""
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if call.args.get("channel") == channel
        and call.fault is None
        and not call.args.get("thread_ts")
        and "Claim" in button_ids(call.args.get("blocks") or [])
    ]


async def count_rows(db: Database, table: type[DeclarativeBase], **where: Any) -> int:
    """Rows in `table` matching column=value filters, straight from a Database."""
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    async with db.read() as session:
        return int(await session.scalar(query) or 0)


# --- a lead's card: post it, click it, look at it ------------------------------------------


async def hot_card(leadbot: Leadbot, **form: str) -> Lead:
    """Capture a hot lead and return it once its card is posted and remembered."""
    before = len(cards_in(leadbot.slack, SALES))
    captured = await capture(leadbot, **form)
    await leadbot.posted_to(SALES, count=before + 1)
    await leadbot.settle()
    [lead] = [lead for lead in await leadbot.leads() if lead.id == captured.id]
    assert lead.card_ts
    return lead


async def click(leadbot: Leadbot, action: str, lead: Lead, user: str, channel: str = "") -> None:
    """Click a button on the lead's card as `user`."""
    reply = await leadbot.click(
        action, str(lead.id), user=user, channel=channel or lead.card_channel, ts=lead.card_ts
    )
    assert reply.status == 200


async def lead_now(leadbot: Leadbot, lead: Lead) -> Lead:
    """The lead as stored now."""
    [found] = [stored for stored in await leadbot.leads() if stored.id == lead.id]
    return found


async def ephemerals_to(leadbot: Leadbot, user: str, count: int = 1) -> list[str]:
    """The text of the private notes `user` got, once there are `count` of them."""
    await leadbot.slack.wait_for("chat.postEphemeral", count=count)
    return [
        call.args["text"]
        for call in leadbot.slack.calls_to("chat.postEphemeral")
        if call.args.get("user") == user
    ]


def card_updates(leadbot: Leadbot) -> list[dict[str, Any]]:
    """Arguments of every successful chat.update."""
    return [call.args for call in leadbot.slack.calls_to("chat.update") if call.fault is None]


def shown(leadbot: Leadbot, lead: Lead) -> list[dict[str, Any]]:
    """The blocks Slack now shows for the lead's card."""
    message = leadbot.slack.find_message(lead.card_channel, lead.card_ts)
    assert message is not None
    blocks: list[dict[str, Any]] = message["blocks"]
    return blocks


async def claimed_by(leadbot: Leadbot, owner: str) -> Lead:
    """A hot lead whose card `owner` has claimed (and whose claim update is shown)."""
    leadbot.slack.set_members(SALES, [owner])
    lead = await hot_card(leadbot)
    await click(leadbot, "lead_claim", lead, owner)
    await leadbot.slack.wait_for("chat.update")
    await leadbot.settle()
    return await lead_now(leadbot, lead)


async def until_stage(leadbot: Leadbot, lead: Lead, stage: Stage) -> None:
    """Wait until the lead reaches `stage`."""
    for _ in range(500):
        if (await lead_now(leadbot, lead)).stage == stage:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"lead {lead.id} never reached {stage}")


async def open_outcome_form(
    leadbot: Leadbot, lead: Lead, user: str, action: str = "lead_won"
) -> dict[str, Any]:
    """Click Won, Lost or Change outcome on the lead's card; the form Slack was asked to open."""
    before = len(leadbot.slack.calls_to("views.open"))
    await click(leadbot, action, lead, user)
    calls = await leadbot.slack.wait_for("views.open", count=before + 1)
    view: dict[str, Any] = calls[-1].args["view"]
    return view


async def submit_outcome_form(
    leadbot: Leadbot,
    view: dict[str, Any],
    user: str,
    *,
    value: str | None = None,
    reason: str | None = None,
    detail: str | None = None,
    outcome: str | None = None,
) -> Reply:
    """Fill and submit an outcome form as `user` (fields left None are left empty)."""
    values: dict[str, dict[str, dict[str, Any]]] = {
        "deal_value": {"value": {"type": "number_input", "value": value}},
        "lost_reason": {"value": slack_requests.select_value(reason)},
        "lost_detail": {"value": slack_requests.text_value(detail)},
        "outcome": {"value": slack_requests.select_value(outcome)},
    }
    present = {block["block_id"] for block in view["blocks"] if block.get("type") == "input"}
    body = slack_requests.view_submission(
        view["callback_id"],
        {key: state for key, state in values.items() if key in present},
        user_id=user,
        private_metadata=view["private_metadata"],
    )
    return await leadbot.post(body)


async def record_outcome(
    leadbot: Leadbot, lead: Lead, user: str, outcome: str, **form: str | None
) -> Reply:
    """Record Won or Lost through its form ("meeting" needs no form) as `user`."""
    if outcome == "meeting":
        await click(leadbot, "lead_meeting", lead, user)
        return Reply(200, "", "")
    view = await open_outcome_form(leadbot, lead, user, f"lead_{outcome}")
    return await submit_outcome_form(leadbot, view, user, **form)
