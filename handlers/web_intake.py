"""HTTP hooks for web intake: `POST /hooks/leads/{source}` and `/hooks/engagement/{source}`.

Thin: find the source, check the body's size, its Standard Webhooks signature and its JSON,
hand it to one use case, answer with JSON. Bad input gets a 4xx that says what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from blocks.messages import field_errors
from handlers.context import Services
from leadloop.intake import Answer, take_engagement, take_lead
from leads.intake import engagement_from_json, lead_from_json
from leads.language import Language, language_of_locale
from leads.signing import verify
from leads.validation import Problem

MAX_INTAKE_BYTES: Final = 64 * 1024  # a lead or an event is a few hundred bytes
MAX_WEBHOOK_ID: Final = 128  # intake_receipts.webhook_id
JSON_TYPES: Final = frozenset({"application/json"})


@dataclass(frozen=True)
class _Signed:
    """A request whose source, signature and JSON body were accepted."""

    source: str
    webhook_id: str
    body: object
    language: Language


class RefusedError(Exception):
    """A request refused before any use case ran, with the answer that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.answer = Answer(status, {"error": message})


async def lead_hook(request: web.Request, services: Services) -> web.Response:
    """A lead from a web form: 201 created, 200 known person, or a 4xx with the reason."""
    try:
        signed = await _accepted(request, services)
    except RefusedError as refused:
        return _reply(refused.answer)
    draft = lead_from_json(signed.body)
    if isinstance(draft, dict):
        return _reply(_invalid(draft, signed.language))
    answer = await take_lead(
        services.loop,
        services.captures,
        source=signed.source,
        webhook_id=signed.webhook_id,
        draft=draft,
    )
    services.nudge_delivery()
    return _reply(answer)


async def engagement_hook(request: web.Request, services: Services) -> web.Response:
    """An engagement event: 200 with the lead's new score, 404 for an unknown email."""
    try:
        signed = await _accepted(request, services)
    except RefusedError as refused:
        return _reply(refused.answer)
    event = engagement_from_json(signed.body)
    if isinstance(event, dict):
        return _reply(_invalid(event, signed.language))
    email, kind = event
    answer = await take_engagement(
        services.loop,
        services.captures,
        source=signed.source,
        webhook_id=signed.webhook_id,
        email=email,
        kind=kind,
    )
    services.nudge_delivery()
    return _reply(answer)


async def _accepted(request: web.Request, services: Services) -> _Signed:
    """The request's source, id and JSON body, or RefusedError with the status that says why."""
    name = request.match_info.get("source", "")
    source = services.config.intake.source(name)
    if source is None:
        raise RefusedError(404, f"unknown source {name[:64]!r}; add it under intake.sources")
    raw = await _body(request)
    headers = request.headers
    webhook_id = headers.get("webhook-id", "")
    if not verify(
        source.key,
        webhook_id,
        headers.get("webhook-timestamp", ""),
        headers.get("webhook-signature", ""),
        raw,
        now=services.now().timestamp(),
    ):
        raise RefusedError(401, "bad or missing signature (webhook-id, -timestamp, -signature)")
    if len(webhook_id) > MAX_WEBHOOK_ID:
        raise RefusedError(400, f"webhook-id is longer than {MAX_WEBHOOK_ID} characters")
    if request.content_type not in JSON_TYPES:
        raise RefusedError(415, "send the body as application/json")
    language = _language(request, services)
    return _Signed(name, webhook_id, _json(raw), language)


async def _body(request: web.Request) -> bytes:
    too_large = RefusedError(413, f"the body is over {MAX_INTAKE_BYTES} bytes")
    if (request.content_length or 0) > MAX_INTAKE_BYTES:
        raise too_large
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise too_large from None
    if len(raw) > MAX_INTAKE_BYTES:
        raise too_large
    return raw


def _json(raw: bytes) -> object:
    try:
        body: object = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise RefusedError(400, "the body is not JSON in UTF-8") from None
    return body


def _language(request: web.Request, services: Services) -> Language:
    """The caller's Accept-Language when leadbot speaks it, else the rules file's."""
    for part in request.headers.get("Accept-Language", "").split(","):
        found = language_of_locale(part.split(";")[0])
        if found is not None:
            return found
    return services.config.language


def _invalid(errors: dict[str, Problem], language: Language) -> Answer:
    return Answer(422, {"errors": field_errors(errors, language)})


def _reply(answer: Answer) -> web.Response:
    body: dict[str, Any] = answer.body
    return web.json_response(body, status=answer.status)
