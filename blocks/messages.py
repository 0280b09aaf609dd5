"""Replies, notices and DMs the bot sends to people (everything but the card and the modal)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blocks import catalogue as say
from blocks.cards import (
    NO_VIEW,
    STEP_ACTIONS,
    CardView,
    actions,
    button,
    card_fallback,
    lead_card,
    score_reasons,
    section,
)
from blocks.text import channel_link, mention, safe
from blocks.words import choice
from leads.language import Language
from leads.lead import Lead
from leads.lifecycle import Refusal, card_steps
from leads.validation import Problem

EDIT = "lead_edit"
Message = dict[str, Any]
NAME_LIMIT = 200


def text_message(text: str) -> Message:
    """A plain mrkdwn reply (the caller escapes any user text in it)."""
    return {"text": text[:3000], "blocks": [section(text)]}


def help_message(language: Language) -> Message:
    """Every form of the /lead command."""
    return text_message(say.HELP(language))


def event_message(event: str, language: Language) -> Message:
    """The user's current event, or how to set one."""
    if not event:
        return text_message(say.NO_EVENT(language))
    return text_message(say.CURRENT_EVENT(language, event=safe(event, 150)))


def event_set_message(event: str, language: Language) -> Message:
    """Confirms a new current event."""
    return text_message(say.EVENT_SET(language, event=safe(event, 150)))


def event_cleared_message(language: Language) -> Message:
    """Confirms the current event was cleared."""
    return text_message(say.EVENT_CLEARED(language))


def event_too_long_message(limit: int, language: Language) -> Message:
    """Refuses an event name over the limit."""
    return text_message(say.EVENT_TOO_LONG(language, limit=limit))


def not_yet_message(word: str, language: Language) -> Message:
    """A reserved `/lead` word whose command is not built yet."""
    return text_message(say.NOT_YET(language, word=safe(word, 20)))


def capture_message(
    lead: Lead,
    language: Language,
    *,
    created: bool,
    became_hot: bool,
    owner_told: str = "",
) -> Message:
    """What was stored, with a button to correct it in the form."""
    name = safe(lead.display_name, NAME_LIMIT)
    headline = (say.SAVED_NEW if created else say.SAVED_TOUCH)(language, name=name)
    lines = [f"*{headline}*", _summary(lead, language)]
    if lead.reasons:
        lines.append(
            say.SCORE_LINE(language, score=lead.score, reasons=score_reasons(lead, language))
        )
    if became_hot:
        lines.append(say.NOW_HOT(language))
    if owner_told:
        lines.append(say.OWNER_TOLD(language, owner=mention(owner_told)))
    text = "\n".join(line for line in lines if line)
    edit = button(say.EDIT_BUTTON(language), EDIT, str(lead.id))
    return {"text": headline, "blocks": [section(text), actions([edit], "capture")]}


def problem_text(problem: Problem, language: Language) -> str:
    """What is wrong with a field and how to fix it."""
    return say.PROBLEMS[problem.code](language, **problem.params)


def problems_line(errors: Mapping[str, Problem], language: Language) -> str:
    """Every field's problem on one line: `Email: Enter an email like …; Phone: …`."""
    return "; ".join(
        f"{say.FIELDS[name](language) if name in say.FIELDS else name}:"
        f" {problem_text(problem, language)}"
        for name, problem in errors.items()
    )


def field_errors(errors: Mapping[str, Problem], language: Language) -> dict[str, str]:
    """Modal `response_action: errors` messages, keyed by the input block (= field name)."""
    return {name: problem_text(problem, language) for name, problem in errors.items()}


def invalid_capture_message(errors: Mapping[str, Problem], language: Language) -> Message:
    """Why a one-line capture was refused and how to fix it."""
    lines = [
        f"• *{say.FIELDS[name](language) if name in say.FIELDS else name}*: "
        f"{problem_text(problem, language)}"
        for name, problem in errors.items()
    ]
    return text_message(say.INVALID_CAPTURE(language, problems="\n".join(lines)))


def refusal_message(refusal: Refusal, language: Language) -> Message:
    """Told privately to someone whose click was refused, in words they understand."""
    values: dict[str, str] = dict(refusal.params)
    if "owner" in values:
        values["owner"] = mention(values["owner"])
    if "stage" in values:
        values["stage"] = choice(say.STAGES, values["stage"], language)
    if "channel" in values:
        values["channel"] = channel_link(values["channel"])
    values.pop("step", None)
    return text_message(say.REFUSALS[refusal.code](language, **values))


def passed_message(user: str, destination: str | None, language: Language) -> Message:
    """Note to the person who passed, saying where the lead went."""
    if destination:
        return text_message(
            say.PASSED_ON(language, user=mention(user), channel=channel_link(destination))
        )
    return text_message(say.PASSED_HERE(language, user=mention(user)))


def owner_dm(lead: Lead, language: Language, view: CardView = NO_VIEW) -> Message:
    """The DM to a new owner: the lead with its contact details, ready to act on."""
    card = lead_card(lead, language, view)
    intro = section(say.OWNER_DM(language, name=safe(lead.display_name, NAME_LIMIT)))
    content = [block for block in card["blocks"] if block.get("type") != "actions"]
    fallback = say.OWNER_DM_FALLBACK(language, card=card_fallback(lead, language))
    return {"text": fallback, "blocks": [intro, *content]}


def reannounce_message(lead: Lead, waited_minutes: int, language: Language) -> Message:
    """Thread reply on a card nobody has claimed yet."""
    name = safe(lead.display_name, NAME_LIMIT)
    return text_message(say.REANNOUNCE(language, name=name, minutes=waited_minutes))


def escalation_message(
    lead: Lead, waited_minutes: int, channel: str, language: Language
) -> Message:
    """Sent to the escalation contact when a hot lead stays unclaimed."""
    where = say.ESCALATION_WHERE(language, channel=channel_link(channel)) if channel else ""
    name = safe(lead.display_name, NAME_LIMIT)
    return text_message(
        say.ESCALATION(language, name=name, score=lead.score, where=where, minutes=waited_minutes)
    )


def recaptured_message(
    lead: Lead, language: Language, *, capturer: str, event: str, note: str
) -> Message:
    """Tells a lead's owner that someone captured their lead again."""
    where = say.RECAPTURED_AT(language, event=safe(event, 150)) if event else ""
    lines = [
        say.RECAPTURED(
            language,
            capturer=mention(capturer),
            name=safe(lead.display_name, NAME_LIMIT),
            where=where,
        ),
        _summary(lead, language),
    ]
    if note:
        lines.append(say.RECAPTURED_NOTE(language, note=safe(note, 1000)))
    return text_message("\n".join(line for line in lines if line))


def edit_saved_message(
    lead: Lead,
    language: Language,
    *,
    changed: tuple[str, ...],
    became_hot: bool,
    threshold: int,
) -> Message:
    """Confirms an edit: which fields changed and whether the lead is hot now."""
    name = safe(lead.display_name, NAME_LIMIT)
    if not changed:
        return text_message(say.EDIT_UNCHANGED(language, name=name))
    fields = say.LIST_SEPARATOR(language).join(say.FIELDS[field](language) for field in changed)
    lines = [say.EDIT_SAVED(language, name=name, fields=fields)]
    if became_hot:
        lines.append(say.NOW_HOT(language))
    elif lead.hot_at is not None:
        lines.append(say.EDIT_STILL_HOT(language, score=lead.score))
    else:
        lines.append(say.EDIT_NOT_HOT(language, score=lead.score, threshold=threshold))
    return text_message("\n".join(lines))


def home_view(event: str, recent: list[Lead], language: Language) -> dict[str, Any]:
    """The App Home tab: current event, recent captures and how to use the bot."""
    blocks: list[dict[str, Any]] = [event_message(event, language)["blocks"][0]]
    if recent:
        lines = [
            say.HOME_LEAD(
                language,
                name=safe(lead.display_name, 100),
                score=lead.score,
                stage=choice(say.STAGES, lead.stage, language),
            )
            for lead in recent
        ]
        blocks.append(section(say.HOME_RECENT(language) + "\n" + "\n".join(lines)))
    blocks.append(section(say.HELP(language)))
    return {"type": "home", "blocks": blocks}


def _summary(lead: Lead, language: Language) -> str:
    profile = lead.profile
    parts = [
        safe(part, NAME_LIMIT)
        for part in (profile.title, profile.company, profile.email, profile.phone, profile.event)
        if part
    ]
    if profile.interest:
        interest = choice(say.INTERESTS, profile.interest, language)
        parts.append(say.INTEREST_WORD(language, interest=interest))
    return " · ".join(parts)


def stale_owner_message(lead: Lead, language: Language, *, days: int) -> Message:
    """Reminds an owner of a deal left without an outcome, with the outcome buttons."""
    text = say.STALE_OWNER(language, name=safe(lead.display_name, NAME_LIMIT), days=days)
    buttons = [
        button(say.BUTTONS[step.value](language), STEP_ACTIONS[step], str(lead.id))
        for step in card_steps(lead.stage)
    ]
    blocks = [section(text), section(_summary(lead, language))]
    if buttons:
        blocks.append(actions(buttons))
    return {"text": text, "blocks": blocks}


def stale_manager_message(lead: Lead, language: Language, *, days: int) -> Message:
    """Tells the manager that a claimed deal has been left without an outcome."""
    return text_message(
        say.STALE_MANAGER(
            language,
            name=safe(lead.display_name, NAME_LIMIT),
            owner=mention(lead.owner or ""),
            days=days,
        )
    )
