"""Logs are JSON lines and never carry a token or a secret."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import load_rules
from bot.logs import QUIET_LOGGERS, REQUEST_ID, RedactingJsonFormatter, configure_logging
from bot.settings import load_settings


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


def test_request_id_is_on_lines_logged_while_it_is_set() -> None:
    token = REQUEST_ID.set("5f0c9a1be2d34c77")
    try:
        inside = json.loads(RedactingJsonFormatter().format(_record("handling")))
    finally:
        REQUEST_ID.reset(token)
    outside = json.loads(RedactingJsonFormatter().format(_record("idle")))
    assert inside["request_id"] == "5f0c9a1be2d34c77"
    assert "request_id" not in outside


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the root logger and the quiet loggers back as they were."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize(
    ("level", "alembic_level"), [("INFO", logging.WARNING), ("DEBUG", logging.INFO)]
)
def test_migration_chatter_shows_only_when_debugging(level: str, alembic_level: int) -> None:
    configure_logging(level)
    assert logging.getLogger("alembic.runtime.migration").getEffectiveLevel() == alembic_level


@pytest.mark.usefixtures("restored_logging")
def test_webhook_secrets_in_the_rules_file_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "whsec_" + base64.b64encode(bytes(range(32))).decode()
    rules = tmp_path / "rules.yml"
    rules.write_text(
        f"webhooks:\n  - url: https://crm.example.com/hooks\n    secret: {secret}\n"
        "    events: [lead.hot]\n",
        encoding="utf-8",
    )

    load_rules(load_settings("cli", environ={"LEADBOT_CONFIG": str(rules)}))
    logging.getLogger("leadbot").warning("signing with %s", secret)

    logged = capsys.readouterr().err
    assert secret not in logged
    assert "signing with ***" in logged
