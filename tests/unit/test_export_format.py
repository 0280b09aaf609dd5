"""Export rows are safe to open in a spreadsheet without mangling phone numbers."""

from __future__ import annotations

import pytest

from bot.export import spreadsheet_safe


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
