"""Checks on rules-file values that name the field they refuse (standard library only)."""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

# Slack IDs are a type letter and capitals or digits; underscores are let through so that
# tests and examples can use readable placeholders such as C_SALES.
CHANNEL_ID = re.compile(r"[CG][A-Z0-9_]+")
USER_OR_CHANNEL_ID = re.compile(r"[UWCG][A-Z0-9_]+")


class FieldError(ValueError):
    """A refused value; `field` names it within its section, so its line can be shown."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


def require_positive_seconds(field: str, seconds: float) -> None:
    """Refuse an interval that is not a finite number of seconds above zero."""
    if not (math.isfinite(seconds) and seconds > 0):
        raise FieldError(field, f"must be more than 0 seconds, got {seconds:g}")


def require_channel_id(field: str, value: str) -> None:
    """Refuse a non-empty value that is not a channel ID (C… or G…), such as "#sales"."""
    if value and not CHANNEL_ID.fullmatch(value):
        raise FieldError(
            field, f"must be a channel ID like C0123456789 (not a channel name), got {value!r}"
        )


def require_user_or_channel_id(field: str, value: str) -> None:
    """Refuse a non-empty value that is neither a user ID (U…/W…) nor a channel ID (C…/G…)."""
    if value and not USER_OR_CHANNEL_ID.fullmatch(value):
        raise FieldError(
            field,
            f"must be a Slack user ID (U…/W…) or channel ID (C…/G…), not a name, got {value!r}",
        )


def require_http_url(field: str, value: str) -> None:
    """Refuse a value that is not an absolute http:// or https:// URL with a host."""
    if not _is_http_url(value):
        raise FieldError(field, f"must be an http:// or https:// URL, got {value!r}")


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError:  # a malformed port or IPv6 address
        return False
    has_space = any(char.isspace() for char in value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not has_space
