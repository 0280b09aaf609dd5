"""`/lead <text>`: which command the text asks for."""

from __future__ import annotations

import pytest

from leads.commands import (
    Admin,
    ClearEvent,
    Find,
    LeadCommand,
    OpenModal,
    QuickCapture,
    SetEvent,
    ShowEvent,
    ShowHelp,
    ShowMine,
    ShowStats,
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
        ("help me", ShowHelp()),
        ("Help Jane Doe, Acme", ShowHelp()),
        ("helpful Jane, Acme", QuickCapture("helpful Jane, Acme")),
        ("Jane Doe, Acme, hot", QuickCapture("Jane Doe, Acme, hot")),
        ("  Jane Doe <jane@example.com>  ", QuickCapture("Jane Doe <jane@example.com>")),
        ("Jane event clear", QuickCapture("Jane event clear")),
        ("<!channel>", QuickCapture("<!channel>")),
    ],
)
def test_parse_command(text: str, expected: LeadCommand) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stats", ShowStats("")),
        ("  STATS  ", ShowStats("")),
        ("stats 7d", ShowStats("7d")),
        ("stats 30D", ShowStats("30d")),
        ("Stats   all ", ShowStats("all")),
        ("stats\u300090d", ShowStats("90d")),
        ("stats \uff17\uff44", ShowStats("7d")),
        ("stats last week", ShowStats("last week")),
        ("find", Find("")),
        ("find Initech", Find("Initech")),
        ("Find  Jane Doe ", Find("Jane Doe")),
        ("find 山田\u3000太郎", Find("山田\u3000太郎")),
        ("find jane@initech.com", Find("jane@initech.com")),
        ("mine", ShowMine()),
        ("MINE", ShowMine()),
        ("mine hot", ShowMine()),
        ("admin", Admin("")),
        ("admin rescore", Admin("rescore")),
        ("Admin  reassign 42 <@U123> ", Admin("reassign 42 <@U123>")),
        ("\uff28\uff45\uff4c\uff50", ShowHelp()),
        ("\uff45\uff56\uff45\uff4e\uff54 Tokyo Expo", SetEvent("Tokyo Expo")),
        ("\uff53\uff54\uff41\uff54\uff53", ShowStats("")),
        ("\uff46\uff49\uff4e\uff44 Acme", Find("Acme")),
        ("\uff4d\uff49\uff4e\uff45", ShowMine()),
        ("\uff41\uff44\uff4d\uff49\uff4e x", Admin("x")),
        ("event \uff43\uff4c\uff45\uff41\uff52", ClearEvent()),
    ],
)
def test_reserved_first_words_are_commands(text: str, expected: LeadCommand) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "statistics Jane, Acme",
        "finder Jane, Acme",
        "Finn Jones, Acme",
        "Mineko Sato, Acme",
        "administrator Jane",
        "admin@initech.com, Jane",
        "stats@acme.com",
        "Jane Find, Acme",
        "Jane Doe, mine, admin",
        "みね, Acme",
    ],
)
def test_reserved_words_only_count_as_the_whole_first_word(text: str) -> None:
    assert parse_command(text) == QuickCapture(text)


def test_commands_are_immutable_values() -> None:
    command = SetEvent("Expo")
    with pytest.raises(AttributeError):
        command.name = "Other"  # type: ignore[misc]
    assert command == SetEvent("Expo")
    assert hash(command) == hash(SetEvent("Expo"))
