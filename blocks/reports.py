"""The funnel in words: `/lead stats`, and the digest's message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise
from unicodedata import east_asian_width

from blocks import catalogue as say
from blocks.cards import section
from blocks.messages import Message
from blocks.text import escape
from blocks.words import choice, duration, money, percent
from leads.funnel import STEPS, Funnel, Period, Row
from leads.language import Language

TABLE_ROWS = 12
NAME_WIDTH = 22


def period_words(period: Period, language: Language) -> str:
    """`the last 30 days`, `all time` …"""
    named = say.PERIOD_NAMES.get(period.name)
    if named is not None:
        return named(language)
    return say.PERIOD_DAYS(language, days=period.name.removesuffix("d"))


def stats_message(funnel: Funnel, language: Language, currency: str, *, title: str = "") -> Message:
    """The funnel: steps with conversions, drop-off, speed, loss reasons; by source and event."""
    period = period_words(funnel.period, language)
    heading = title or say.STATS_TITLE(language, period=period)
    total = funnel.total
    if total.count("captured") == 0:
        text = f"{heading}\n{say.STATS_EMPTY(language, period=period)}"
        return {"text": text, "blocks": [section(text)]}
    lines = [heading, steps_line(total, language), summary_line(total, language, currency)]
    drop = drop_off_line(total, language)
    reasons = reasons_line(total, language)
    lines += [line for line in (drop, reasons) if line]
    blocks = [
        section("\n".join(lines)),
        section(
            say.STATS_BY_SOURCE(language) + "\n" + _table(funnel.by_source, language, source=True)
        ),
        section(
            say.STATS_BY_EVENT(language) + "\n" + _table(funnel.by_event, language, source=False)
        ),
    ]
    return {"text": heading.strip("*"), "blocks": blocks}


def steps_line(row: Row, language: Language) -> str:
    """`Captured 120 → Hot 40 (33%) → Claimed 35 (88%) → …`."""
    parts = []
    for step in STEPS:
        count = str(row.count(step))
        share = row.conversion(step)
        if share is not None:
            count = say.STATS_CONVERSION(language, count=count, share=percent(share))
        parts.append(say.STATS_STEP(language, step=say.STEP_NAMES[step](language), count=count))
    lost = say.STATS_STEP(language, step=say.STEP_NAMES["lost"](language), count=row.lost)
    return " → ".join(parts) + f" · {lost}"


def summary_line(row: Row, language: Language, currency: str) -> str:
    """Win rate, speed to lead, SLA breaches and won value."""
    return say.STATS_SUMMARY(
        language,
        win_rate=percent(row.win_rate),
        median=_seconds(row.median_hot_to_claim, language),
        p90=_seconds(row.p90_hot_to_claim, language),
        breaches=row.sla_breaches,
        value=money(row.won_value, currency),
    )


def drop_off_line(row: Row, language: Language) -> str:
    """How many left between each step and the next."""
    drops = [
        f"{say.STEP_NAMES[before](language)}→{say.STEP_NAMES[step](language)} {row.drop_off(step)}"
        for before, step in pairwise(STEPS)
        if row.drop_off(step)
    ]
    return say.STATS_DROP_OFF(language, steps=", ".join(drops)) if drops else ""


def reasons_line(row: Row, language: Language) -> str:
    """The most frequent loss reasons."""
    reasons = [
        f"{choice(say.LOST_REASONS, reason, language)} {count}"
        for reason, count in row.top_loss_reasons()
    ]
    return say.STATS_REASONS(language, reasons=", ".join(reasons)) if reasons else ""


def _seconds(seconds: float | None, language: Language) -> str:
    return "\u2013" if seconds is None else duration(timedelta(seconds=seconds), language)


def _table(rows: Sequence[Row], language: Language, *, source: bool) -> str:
    heads = [(step, 5) for step in (*STEPS, "lost")] + [("win_rate", 7)]
    lines = [
        " " * NAME_WIDTH + "".join(_right(say.STATS_COLUMNS[k](language), w) for k, w in heads)
    ]
    for row in rows[:TABLE_ROWS]:
        lines.append(_name(row.key, language, source=source) + _figures(row))
    if len(rows) > TABLE_ROWS:
        lines.append(say.STATS_MORE(language, count=len(rows) - TABLE_ROWS))
    return "```\n" + "\n".join(lines) + "\n```"


def _name(key: str, language: Language, *, source: bool) -> str:
    name = choice(say.SOURCES, key, language) if source else key or say.STATS_NO_EVENT(language)
    name = name.replace("`", "'")
    while _width(name) > NAME_WIDTH - 2:
        name = name[:-2] + "…"
    return escape(name) + " " * (NAME_WIDTH - _width(name))


def _figures(row: Row) -> str:
    counts = [row.count(step) for step in STEPS] + [row.lost]
    return "".join(f"{count:>5}" for count in counts) + _right(percent(row.win_rate), 7)


def _width(text: str) -> int:
    """Columns the text takes in a monospace font: East Asian wide characters take two."""
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def _right(text: str, width: int) -> str:
    return " " * max(width - _width(text), 1) + text


def stats_usage(language: Language) -> Message:
    """Which periods `/lead stats` understands."""
    text = say.STATS_USAGE(language)
    return {"text": text, "blocks": [section(text)]}


def counting_message(language: Language) -> Message:
    """The first answer when counting takes longer than Slack waits."""
    text = say.STATS_COUNTING(language)
    return {"text": text, "blocks": [section(text)]}
