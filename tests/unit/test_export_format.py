"""Export rows are safe to open in a spreadsheet without mangling phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.export import iso_utc, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("+81 90-1234-5678", "+81 90-1234-5678"),
        ("-", "-"),
        ("Acme", "Acme"),
        (42, 42),
    ],
)
def test_formulas_are_defused_numbers_kept(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, ""),
        ("2026-11-24 10:00:00.000000", "2026-11-24T10:00:00+00:00"),
        ("2026-11-24 10:00:00.123456", "2026-11-24T10:00:00.123456+00:00"),
        ("2026-11-24 10:00:00", "2026-11-24T10:00:00+00:00"),
        (datetime(2026, 11, 24, 10, 0), "2026-11-24T10:00:00+00:00"),
        (datetime(2026, 11, 24, 10, 0, 0, 5), "2026-11-24T10:00:00.000005+00:00"),
    ],
)
def test_times_are_iso_8601_utc_with_their_offset(
    stored: datetime | str | None, shown: str
) -> None:
    assert iso_utc(stored) == shown
    if isinstance(stored, datetime):
        assert shown == stored.replace(tzinfo=UTC).isoformat()
