"""Safe text for Slack: mrkdwn escaping, length limits, mentions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_SLACK_ID = re.compile(r"^[UWBCGDS][A-Z0-9]{2,}$")


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it can never mention, link or format control syntax."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def safe(text: str, limit: int) -> str:
    """Escape then truncate without splitting an escape sequence."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: max(limit - 1, 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def mention(user_id: str) -> str:
    """`<@U…>` for a well-formed Slack user ID; anything else is shown escaped."""
    return f"<@{user_id}>" if _SLACK_ID.match(user_id) else escape(user_id)


def channel_link(channel_id: str) -> str:
    """`<#C…>` for a well-formed channel ID; anything else is shown escaped."""
    return f"<#{channel_id}>" if _SLACK_ID.match(channel_id) else escape(channel_id)


def slack_date(moment: datetime, fallback_format: str = "%Y-%m-%d %H:%M UTC") -> str:
    """A date Slack renders in each reader's own time zone."""
    fallback = moment.strftime(fallback_format)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def duration(span: timedelta) -> str:
    """A short human duration such as `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
