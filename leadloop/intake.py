"""Web intake: leads posted by web forms and engagement events posted by marketing tools.

Both go through capture (validation, dedupe, scoring, routing, hot alerts), in one
transaction with the receipt of their `webhook-id`, so a retried request gets the first
answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from leadloop.capture import CaptureOutcome, CaptureRequest, Captures
from leadloop.context import Loop
from leads.engagement import EngagementKind, engagement_points, opts_out
from leads.model import LeadDraft
from storage.intake import Answer, Receipt, answered, remember_answer
from storage.leads import lock_known_people

__all__ = ["ENGAGEMENT_HOOK", "LEADS_HOOK", "Answer", "take_engagement", "take_lead"]

LEADS_HOOK: Final = "leads"
ENGAGEMENT_HOOK: Final = "engagement"
UNKNOWN_EMAIL: Final = Answer(404, {"errors": {"email": "no lead has this email"}})
_CAPTURER_LENGTH: Final = 32  # touches.captured_by

Work = Callable[[AsyncSession], Awaitable[Answer]]


def web_capturer(source: str) -> str:
    """Who captured a lead that came from web source `source`, as the card shows it."""
    return f"web:{source}"[:_CAPTURER_LENGTH]


async def take_lead(
    loop: Loop, captures: Captures, *, source: str, webhook_id: str, draft: LeadDraft
) -> Answer:
    """Store a lead posted by a web form: 201 new, 200 a person already known."""

    async def work(session: AsyncSession) -> Answer:
        request = CaptureRequest(
            draft=draft, captured_by=web_capturer(source), channel_id="", via="web", at=loop.now()
        )
        [outcome] = await captures.write(session, [request])
        return Answer(201 if outcome.created else 200, _lead_body(outcome))

    return await _once(loop, Receipt(LEADS_HOOK, source, webhook_id), work)


async def take_engagement(
    loop: Loop,
    captures: Captures,
    *,
    source: str,
    webhook_id: str,
    email: str,
    kind: EngagementKind,
) -> Answer:
    """Record an engagement event as a touch on the lead with this email; 404 if none.
    `unsubscribed` earns nothing and opts the lead out of email and material."""
    points = engagement_points(kind, loop.config.engagement)

    async def work(session: AsyncSession) -> Answer:
        if not await lock_known_people(session, {email}, set()):  # only rows with this email
            return UNKNOWN_EMAIL
        request = CaptureRequest(
            draft=LeadDraft(email=email, opted_out=opts_out(kind)),
            captured_by=web_capturer(source),
            channel_id="",
            via=ENGAGEMENT_HOOK,
            at=loop.now(),
            kind=kind.value,
            points=points,
        )
        [outcome] = await captures.write(session, [request])
        body = _lead_body(outcome)
        del body["created"]
        return Answer(200, {**body, "kind": kind.value, "points": points})

    return await _once(loop, Receipt(ENGAGEMENT_HOOK, source, webhook_id), work)


def _lead_body(outcome: CaptureOutcome) -> dict[str, object]:
    lead = outcome.lead
    created = outcome.created
    return {"id": lead.id, "created": created, "score": lead.score, "stage": lead.stage.value}


async def _once(loop: Loop, receipt: Receipt, work: Work) -> Answer:
    """Do `work` unless this `webhook-id` was answered before; a success is remembered in
    the same transaction. A request racing a twin loses on the receipt's key and retries."""
    for attempt in range(2):
        try:
            async with loop.db.write() as session:
                earlier = await answered(session, receipt)
                if earlier is not None:
                    return earlier
                answer = await work(session)
                if answer.status < 300:
                    await remember_answer(session, receipt, answer, loop.now())
                return answer
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
