"""Safe text for Slack: mrkdwn escaping, length limits, mentions."""

from __future__ import annotations

import re
from datetime import datetime

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
