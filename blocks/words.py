"""Domain values in words: stage and choice names, score reasons, durations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

from blocks import catalogue as say
from blocks.catalogue import Text
from leads.language import Language
from leads.scoring import Reason

# Which catalogue table names the value of each reason parameter.
_PARAM_WORDS: Mapping[str, Mapping[str, Text]] = {
    "level": say.TITLE_LEVELS,
    "interest": say.INTERESTS,
    "source": say.SOURCES,
    "budget": say.BUDGETS,
    "timeline": say.TIMELINES,
    "kind": say.ENGAGEMENT_KINDS,
}


def choice(table: Mapping[str, Text], value: StrEnum | str | None, language: Language) -> str:
    """The name of a stage, interest, source … in `language`; unknown values as written."""
    if value is None:
        return ""
    key = value.value if isinstance(value, StrEnum) else value
    found = table.get(key)
    return found(language) if found is not None else key


def reason_text(reason: Reason, language: Language) -> str:
    """`title: Director` / `役職: 部長クラス` (not escaped)."""
    values = {
        name: choice(_PARAM_WORDS[name], value, language) if name in _PARAM_WORDS else value
        for name, value in reason.params.items()
    }
    template = say.REASONS.get(reason.code)
    if template is None:
        return say.REASON_UNKNOWN(language, code=reason.code)
    try:
        return template(language, **values)
    except KeyError:  # a reason stored by an older version with other parameters
        return reason.code.replace("_", " ")


def describe_reason(reason: Reason, language: Language) -> str:
    """`+15 title: Director`: points rounded with their sign, then the reason (not escaped)."""
    return f"{round(reason.points):+d} {reason_text(reason, language)}"


def duration(span: timedelta, language: Language) -> str:
    """A short duration: `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h` (or 45秒, 3分 …)."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 60:
        return say.SECONDS(language, n=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return say.MINUTES(language, n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return say.HOURS_MINUTES(language, h=hours, m=minutes)
        return say.HOURS(language, n=hours)
    days, hours = divmod(hours, 24)
    return say.DAYS_HOURS(language, d=days, h=hours) if hours else say.DAYS(language, n=days)


_SYMBOLS: Mapping[str, str] = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


def money(value: float, currency: str) -> str:
    """`¥1,200,000`, `$1,200.50`, `CHF 300`: whole amounts without decimals."""
    amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


def percent(share: float | None) -> str:
    """`26%`, or a dash when there is nothing to divide."""
    return "\u2013" if share is None else f"{round(share * 100)}%"
