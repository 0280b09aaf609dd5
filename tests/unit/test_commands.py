"""`/lead <text>`: which command the text asks for."""

from __future__ import annotations

import pytest

from leads.commands import (
    ClearEvent,
    LeadCommand,
    OpenModal,
    QuickCapture,
    SetEvent,
    ShowEvent,
    ShowHelp,
    parse_command,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OpenModal()),
        ("   ", OpenModal()),
        ("\u3000\n\t", OpenModal()),
        ("help", ShowHelp()),
        ("  HELP ", ShowHelp()),
        ("?", ShowHelp()),
        ("-h", ShowHelp()),
        ("--help", ShowHelp()),
        ("--HELP", ShowHelp()),
        ("event", ShowEvent()),
        (" Event ", ShowEvent()),
        ("event clear", ClearEvent()),
        ("EVENT Clear", ClearEvent()),
        ("event none", ClearEvent()),
        ("event off", ClearEvent()),
        ("event   reset  ", ClearEvent()),
        ("event Tokyo Expo 2026", SetEvent("Tokyo Expo 2026")),
        ("event   Tokyo Expo 2026  ", SetEvent("Tokyo Expo 2026")),
        ("event\u3000東京展示会", SetEvent("東京展示会")),
        ("Event clear all", SetEvent("clear all")),
        ("event " + "x" * 200, SetEvent("x" * 200)),
        ("event@x.com, Jane", QuickCapture("event@x.com, Jane")),
        ("eventful Jane, Acme", QuickCapture("eventful Jane, Acme")),
        ("events", QuickCapture("events")),
        ("help me", QuickCapture("help me")),
        ("Jane Doe, Acme, hot", QuickCapture("Jane Doe, Acme, hot")),
        ("  Jane Doe <jane@example.com>  ", QuickCapture("Jane Doe <jane@example.com>")),
        ("Jane event clear", QuickCapture("Jane event clear")),
        ("<!channel>", QuickCapture("<!channel>")),
    ],
)
def test_parse_command(text: str, expected: LeadCommand) -> None:
    assert parse_command(text) == expected


def test_commands_are_immutable_values() -> None:
    command = SetEvent("Expo")
    with pytest.raises(AttributeError):
        command.name = "Other"  # type: ignore[misc]
    assert command == SetEvent("Expo")
    assert hash(command) == hash(SetEvent("Expo"))
