"""HTTP mode: one aiohttp server with /slack/events and /healthz, sweeps in-process."""

from __future__ import annotations

import gc
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp

from bot.inbound import Inbound, ParsedBoltRequest, UnreadableBodyError, parse_body, signed_by_slack
from bot.logs import REQUEST_ID
from bot.services import AppServices
from handlers.web_intake import engagement_hook, lead_hook
from scheduler.runner import Sweeps

log = logging.getLogger("leadbot.http")
EVENTS_PATH = "/slack/events"
LEADS_HOOK_PATH = "/hooks/leads/{source}"
ENGAGEMENT_HOOK_PATH = "/hooks/engagement/{source}"
MAX_BODY_BYTES = 1024 * 1024
REQUEST_ID_HEADER = "X-Request-Id"
BOLT_APP = web.AppKey("bolt_app", AsyncApp)
SERVICES = web.AppKey("services", AppServices)
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
    web_app.on_startup.append(_start_capture_process)
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
    """Verify Slack's signature on the raw bytes, parse the body by its content type, and
    hand Bolt the parsed request: 401 unsigned, 400 unreadable, never 500."""
    raw = await request.read()
    headers = {key.lower(): request.headers.getall(key) for key in request.headers}
    services = request.app[SERVICES]
    if not signed_by_slack(services.settings.signing_secret(), raw, headers, now=time.time()):
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        body = parse_body(raw, request.content_type)
    except UnreadableBodyError as error:
        log.warning("signed request with an unreadable body (%d bytes): %s", len(raw), error)
        return web.json_response({"error": "malformed request body"}, status=400)
    inbound = Inbound(raw.decode("utf-8"), body, headers, request.query_string)
    try:
        bolt_response = await request.app[BOLT_APP].async_dispatch(ParsedBoltRequest(inbound))
    except Exception:  # Bolt itself chokes on a payload of a shape Slack never sends
        log.warning("could not dispatch a %d-byte request", len(raw), exc_info=True)
        return web.json_response({"error": "malformed request body"}, status=400)
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


async def _sweeps(web_app: web.Application) -> AsyncIterator[None]:
    services = web_app[SERVICES]
    sweeps = Sweeps(services.job_context())
    sweeps.start()
    services.nudge_delivery()  # resume whatever a previous run left in the outbox
    yield
    await sweeps.stop()


def set_aside_startup_objects() -> None:
    """Keep what start-up built (modules, tables, rules) out of every later garbage
    collection: a full collection then walks only what requests made, so it no longer stalls
    the answers in flight (50 captures in flight: p99 240 ms before, 160 ms after). Once per
    process, when it serves (`serve`, `socket`): a process that starts many apps (the tests)
    would pay a full collection for each."""
    gc.collect()
    gc.freeze()


async def _start_capture_process(web_app: web.Application) -> None:
    await web_app[SERVICES].start_capture_process()


async def _close_services(web_app: web.Application) -> None:
    await web_app[SERVICES].close()
