"""HTTP mode: one aiohttp server with /slack/events and /healthz, sweeps in-process."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.logs import REQUEST_ID
from bot.services import AppServices
from handlers.web_intake import engagement_hook, lead_hook
from scheduler.runner import Sweeps

log = logging.getLogger("leadbot.http")
EVENTS_PATH = "/slack/events"
LEADS_HOOK_PATH = "/hooks/leads/{source}"
ENGAGEMENT_HOOK_PATH = "/hooks/engagement/{source}"
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW = 60 * 5  # seconds, as Slack's own verifier allows
REQUEST_ID_HEADER = "X-Request-Id"
BOLT_APP = web.AppKey("bolt_app", AsyncApp)
SERVICES = web.AppKey("services", AppServices)
Headers = dict[str, str | Sequence[str]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(
    bolt_app: AsyncApp, services: AppServices, *, run_scheduler: bool = True
) -> web.Application:
    """The aiohttp application; `run_scheduler=False` leaves sweeps to the caller (tests)."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[request_ids])
    web_app[BOLT_APP] = bolt_app
    web_app[SERVICES] = services
    web_app.router.add_post(EVENTS_PATH, handle_slack)
    web_app.router.add_post(LEADS_HOOK_PATH, handle_lead_hook)
    web_app.router.add_post(ENGAGEMENT_HOOK_PATH, handle_engagement_hook)
    web_app.router.add_get("/healthz", handle_health)
    if run_scheduler:
        web_app.cleanup_ctx.append(_sweeps)
    web_app.on_cleanup.append(_close_services)
    return web_app


@web.middleware
async def request_ids(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give each request a random id: on every line logged while handling it (and by work
    it starts), and in the `X-Request-Id` response header."""
    request_id = secrets.token_hex(8)
    token = REQUEST_ID.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers[REQUEST_ID_HEADER] = request_id
        raise
    finally:
        REQUEST_ID.reset(token)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


async def handle_slack(request: web.Request) -> web.Response:
    """Hand a Slack request to Bolt; undecodable bodies get 401 or 400, never 500."""
    raw = await request.read()
    headers: Headers = {key.lower(): value for key, value in request.headers.items()}
    try:
        bolt_request = AsyncBoltRequest(
            body=raw.decode("utf-8"), query=request.query_string, headers=headers
        )
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return _unreadable(request.app[SERVICES], raw, headers)
    try:
        bolt_response = await request.app[BOLT_APP].async_dispatch(bolt_request)
    except Exception:  # Bolt itself chokes on a payload of a shape Slack never sends
        log.warning("could not dispatch a %d-byte request", len(raw), exc_info=True)
        return _unreadable(request.app[SERVICES], raw, headers)
    return await to_aiohttp_response(bolt_response)


async def handle_lead_hook(request: web.Request) -> web.Response:
    """`POST /hooks/leads/{source}`: a lead from a web form (handlers/web_intake.py)."""
    return await lead_hook(request, request.app[SERVICES])


async def handle_engagement_hook(request: web.Request) -> web.Response:
    """`POST /hooks/engagement/{source}`: an engagement event (handlers/web_intake.py)."""
    return await engagement_hook(request, request.app[SERVICES])


async def handle_health(request: web.Request) -> web.Response:
    """200 with JSON once the database answers; 503 otherwise."""
    try:
        await request.app[SERVICES].db.ping()
    except Exception as error:
        log.warning("health check failed: %s", type(error).__name__)
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def _unreadable(services: AppServices, raw: bytes, headers: Headers) -> web.Response:
    timestamp, signature = (
        _first(headers, "x-slack-request-timestamp"),
        _first(headers, "x-slack-signature"),
    )
    if not _signed_by_slack(services.settings.signing_secret(), raw, timestamp, signature):
        return web.json_response({"error": "invalid request"}, status=401)
    log.warning("signed request with an unreadable body (%d bytes)", len(raw))
    return web.json_response({"error": "malformed request body"}, status=400)


async def _sweeps(web_app: web.Application) -> AsyncIterator[None]:
    services = web_app[SERVICES]
    sweeps = Sweeps(services.job_context())
    sweeps.start()
    services.nudge_delivery()  # resume whatever a previous run left in the outbox
    yield
    await sweeps.stop()


async def _close_services(web_app: web.Application) -> None:
    await web_app[SERVICES].close()


def _signed_by_slack(secret: str, raw: bytes, timestamp: str, signature: str) -> bool:
    """Slack's check on the raw bytes (SignatureVerifier needs a body that decodes as UTF-8)."""
    if not secret or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def _first(headers: Headers, name: str) -> str:
    value = headers.get(name, "")
    return value if isinstance(value, str) else next(iter(value), "")
