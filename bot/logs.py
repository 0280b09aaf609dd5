"""Structured (JSON lines) logging that never prints a token or a secret."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime

TOKEN_PATTERN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}


# The id of the HTTP request being handled (set by bot/server.py), on every line it logs.
REQUEST_ID: ContextVar[str | None] = ContextVar("leadbot_request_id", default=None)
# Loggers that say too much at INFO: their level when leadbot logs at DEBUG, and otherwise.
QUIET_LOGGERS = {
    "aiosqlite": (logging.WARNING, logging.WARNING),
    "apscheduler.executors.default": (logging.WARNING, logging.WARNING),
    "apscheduler.scheduler": (logging.WARNING, logging.WARNING),
    "alembic": (logging.INFO, logging.WARNING),  # "Context impl SQLiteImpl." on every start
}


# Bolt reads SLACK_BOT_TOKEN itself and warns although our client carries the same token.
KNOWN_NOISE = frozenset({"As you gave `client` as well, `token` will be unused."})


class RedactingJsonFormatter(logging.Formatter):
    """One JSON object per line; Slack tokens and the given secrets are masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if len(secret) >= 6)

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON with secrets masked."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, default=str, ensure_ascii=False))

    def redact(self, text: str) -> str:
        """Mask anything that looks like a Slack token, and every configured secret."""
        text = TOKEN_PATTERN.sub(lambda match: match.group(1) + "-***", text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Send every logger's records to stderr as redacted JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingJsonFormatter(secrets))
    handler.addFilter(lambda record: record.getMessage() not in KNOWN_NOISE)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, (when_debugging, otherwise) in QUIET_LOGGERS.items():
        quiet = when_debugging if root.level <= logging.DEBUG else otherwise
        logging.getLogger(name).setLevel(max(quiet, root.level))
