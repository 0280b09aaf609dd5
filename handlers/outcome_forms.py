"""The Won, Lost and Change outcome forms: validate, record through the lifecycle, ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from blocks.messages import field_errors, refusal_message
from blocks.outcome_forms import (
    CHANGE_FORM,
    DEAL_VALUE,
    LOST_FORM,
    REASON,
    TARGET,
    WON_FORM,
    OutcomeAnswer,
    OutcomeContext,
    read_change,
    read_lost,
    read_won,
)
from handlers.context import Services
from handlers.payloads import user_id
from leadloop.cards import Click, OutcomeForm, record_outcome
from leads.lifecycle import Step

Reader = Callable[[dict[str, Any]], OutcomeAnswer]
# Each form: how to read it, the step it records, and where a refusal is shown.
FORMS: dict[str, tuple[Reader, Step, str]] = {
    WON_FORM: (read_won, Step.WIN, DEAL_VALUE),
    LOST_FORM: (read_lost, Step.LOSE, REASON),
    CHANGE_FORM: (read_change, Step.CHANGE_OUTCOME, TARGET),
}


def register(app: AsyncApp) -> None:
    """Attach the three forms' submissions."""
    for callback in FORMS:
        app.view(callback)(on_outcome_submitted)


async def on_outcome_submitted(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    """Record the outcome, or show what to fix on the form; nothing is saved until it is right."""
    view = body.get("view") or {}
    read, step, first_field = FORMS[str(view.get("callback_id"))]
    user = user_id(body)
    language = await services.people.language(user)
    answer = read((view.get("state") or {}).get("values") or {})
    if answer.problems:
        await ack(response_action="errors", errors=field_errors(answer.problems, language))
        return
    context = OutcomeContext.decode(str(view.get("private_metadata") or ""))
    click = Click(
        lead_id=context.lead_id if context else 0,
        user=user,
        channel=context.channel if context else "",
        ts=context.ts if context else "",
        at=services.now(),
        language=language,
        is_admin=user in services.config.admins,
    )
    form = OutcomeForm(
        step=step,
        target=answer.target if step == Step.CHANGE_OUTCOME else None,
        value=answer.value,
        reason=answer.reason,
        detail=answer.detail,
        expected=context.expected if context else None,
    )
    outcome = await record_outcome(services.loop, click, form)
    if outcome.refusal is not None:
        text = refusal_message(outcome.refusal, language)["text"]
        await ack(response_action="errors", errors={first_field: text})
        return
    await ack()
    services.nudge_delivery()
