"""Logs are JSON lines and never carry a token or a secret."""

from __future__ import annotations

import json
import logging

from bot.logs import RedactingJsonFormatter


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("leadbot", logging.INFO, __file__, 1, message, args, None)


def test_tokens_and_secrets_are_masked() -> None:
    formatter = RedactingJsonFormatter(secrets=["signing-secret-value"])
    line = formatter.format(
        _record(
            "calling with %s and %s and %s",
            "xoxb-123-456-abcdef",
            "xapp-1-A1-xyz",
            "signing-secret-value",
        )
    )
    assert "xoxb-123-456-abcdef" not in line
    assert "xapp-1-A1-xyz" not in line
    assert "signing-secret-value" not in line
    assert "xoxb-***" in line


def test_lines_are_json_with_extra_fields() -> None:
    record = _record("listening")
    record.port = 3000
    entry = json.loads(RedactingJsonFormatter().format(record))
    assert entry["message"] == "listening"
    assert entry["port"] == 3000
    assert entry["level"] == "INFO"
