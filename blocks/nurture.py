"""Block Kit for nurture: the doer's reminder DM with Done / Snooze / Stop, and /lead mine."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from blocks import catalogue as say
from blocks.cards import actions, button, context, section
from blocks.messages import NAME_LIMIT, Message
from blocks.text import safe, slack_date
from blocks.words import choice
from leads.language import Language
from leads.lead import Lead
from leads.nurture import MAX_CONTENT, MAX_TITLE

NURTURE_DONE: Final = "nurture_done"
NURTURE_SNOOZE: Final = "nurture_snooze"
NURTURE_STOP: Final = "nurture_stop"
MAX_REMINDERS_PER_MESSAGE: Final = 12  # 4 blocks each stays under Block Kit's 50
_DELAY: Final = re.compile(r"(\d+)([mhd])")


@dataclass(frozen=True)
class Reminder:
    """One due step as the doer sees it: the lead as it is now, the step as the plan says."""

    step_id: int
    lead: Lead
    action: str
    title: str
    content: str
    plan: str
    number: int  # 1-based
    total: int


def _company(company: str, language: Language) -> str:
    return say.MINE_COMPANY(language, company=safe(company, NAME_LIMIT)) if company else ""


def delay_label(choice_text: str, language: Language) -> str:
    """`1d` as "1 day(s)", `7d` as "1 week(s)", in `language`."""
    found = _DELAY.fullmatch(choice_text.strip().lower())
    if found is None:
        return safe(choice_text, 20)
    count, unit = int(found[1]), found[2]
    if unit == "d" and count % 7 == 0:
        count, unit = count // 7, "w"
    return say.NURTURE_DELAYS[unit](language, n=count)


def reminder_message(
    reminders: Sequence[Reminder], language: Language, snooze_choices: Sequence[str]
) -> Message:
    """One DM listing a doer's due steps, each with Done, Snooze and Stop nurture."""
    count = len(reminders)
    blocks: list[dict[str, Any]] = [section(say.NURTURE_HEADER(language, count=count))]
    for reminder in reminders:
        blocks.extend(_reminder_blocks(reminder, language, snooze_choices))
    return {"text": say.NURTURE_FALLBACK(language, count=count), "blocks": blocks}


def _reminder_blocks(
    reminder: Reminder, language: Language, snooze_choices: Sequence[str]
) -> list[dict[str, Any]]:
    lead, step = reminder.lead, str(reminder.step_id)
    text = say.NURTURE_STEP(
        language,
        action=choice(say.NURTURE_ACTIONS, reminder.action, language),
        title=safe(reminder.title, MAX_TITLE),
        name=safe(lead.display_name, NAME_LIMIT),
        company=_company(lead.profile.company, language),
        score=lead.score,
    )
    if reminder.content:
        text += "\n" + safe(reminder.content, MAX_CONTENT)
    plan = say.NURTURE_PLAN(
        language, plan=safe(reminder.plan, 100), number=reminder.number, total=reminder.total
    )
    buttons = [button(say.NURTURE_DONE_BUTTON(language), NURTURE_DONE, step, "primary")]
    buttons.extend(
        button(
            say.NURTURE_SNOOZE_BUTTON(language, delay=delay_label(delay, language)),
            f"{NURTURE_SNOOZE}_{index}",
            f"{step}:{delay}",
        )
        for index, delay in enumerate(snooze_choices[:3])
    )
    buttons.append(button(say.NURTURE_STOP_BUTTON(language), NURTURE_STOP, step))
    return [
        {"type": "divider"},
        section(text),
        context(plan),
        actions(buttons, block_id=f"nurture_{step}"),
    ]


def done_text(
    lead: Lead,
    title: str,
    language: Language,
    *,
    became_hot: bool,
    next_title: str = "",
    next_at: datetime | None = None,
) -> str:
    """What the doer is told after Done: the next step, the end of the plan, or hot."""
    name = safe(lead.display_name, NAME_LIMIT)
    lines = [say.NURTURE_DONE(language, title=safe(title, MAX_TITLE), name=name)]
    if became_hot:
        lines.append(say.NURTURE_NOW_HOT(language, name=name))
    elif next_at is not None:
        lines.append(
            say.NURTURE_NEXT(language, when=slack_date(next_at), title=safe(next_title, MAX_TITLE))
        )
    else:
        lines.append(say.NURTURE_LAST(language))
    return "\n".join(lines)


def snoozed_text(lead: Lead, title: str, until: datetime, language: Language) -> str:
    """The doer's confirmation of a snooze."""
    return say.NURTURE_SNOOZED(
        language,
        title=safe(title, MAX_TITLE),
        name=safe(lead.display_name, NAME_LIMIT),
        when=slack_date(until),
    )


def stopped_text(lead: Lead, language: Language) -> str:
    """The clicker's confirmation of Stop nurture."""
    return say.NURTURE_STOPPED(language, name=safe(lead.display_name, NAME_LIMIT))


def gone_text(language: Language) -> str:
    """A click on a step that is no longer open."""
    return say.NURTURE_GONE(language)


@dataclass(frozen=True)
class Task:
    """A nurture step in /lead mine."""

    due_at: datetime
    action: str
    title: str
    name: str
    company: str


def mine_message(tasks: Sequence[Task], leads: Sequence[Lead], language: Language) -> Message:
    """/lead mine: the person's nurture tasks due this week and their own open leads."""
    task_lines = [
        say.MINE_TASK(
            language,
            when=slack_date(task.due_at),
            action=choice(say.NURTURE_ACTIONS, task.action, language),
            title=safe(task.title, MAX_TITLE),
            name=safe(task.name, NAME_LIMIT),
            company=_company(task.company, language),
        )
        for task in tasks
    ] or [say.MINE_NO_TASKS(language)]
    lead_lines = [
        say.MINE_LEAD(
            language,
            name=safe(lead.display_name, NAME_LIMIT),
            company=_company(lead.profile.company, language),
            score=lead.score,
            stage=choice(say.STAGES, lead.stage, language),
        )
        for lead in leads
    ] or [say.MINE_NO_LEADS(language)]
    tasks_text = say.MINE_TASKS(language) + "\n" + "\n".join(task_lines)
    leads_text = say.MINE_LEADS(language) + "\n" + "\n".join(lead_lines)
    return {
        "response_type": "ephemeral",
        "text": tasks_text + "\n" + leads_text,
        "blocks": [section(tasks_text), section(leads_text)],
    }
