"""A token typed in a one-line capture is stored as the whole address or refused, never cut."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leads.parsing import parse_quick_capture, unescape_slack
from leads.validation import is_valid_email, normalize_draft, normalize_email

ATEXT = "!#$%&'*+-/=?^_`{|}~"
# Characters a token may hold: atext, letters, digits, dots, and some that are not atext.
TOKEN_CHARS = ATEXT + 'abcXYZ019.é<>\\"@ु'
SEPARATORS = " ,;:()[]"


def slack_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def captured_email(token: str) -> str:
    """The email a /lead of `Jane Doe, <token>` would store (as Slack sends the text)."""
    draft = parse_quick_capture(slack_escaped(f"Jane Doe, {token}"))
    return normalize_draft(unescape_slack(draft)).email


tokens = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=12),
    st.sampled_from(["example.com", "exa<mple.com", "उदाहरण.भारत", "x.co&m", "b.c", "ex"]),
).filter(lambda t: not t.endswith(tuple(".!?")) and t[0] not in "'`")


@given(token=tokens)
def test_a_stored_address_is_the_whole_token(token: str) -> None:
    email = captured_email(token)

    if email and is_valid_email(email):
        assert email == normalize_email(token)


@pytest.mark.parametrize("char", list(ATEXT))
def test_each_atext_character_is_kept(char: str) -> None:
    assert captured_email(f"a{char}b@example.com") == f"a{char}b@example.com"


@pytest.mark.parametrize(
    "token",
    ["a<b@example.com", "a>b@example.com", 'a"b@example.com', "a\\b@example.com", "aéb@ex"],
)
def test_an_invalid_token_is_kept_whole_for_validation_to_refuse(token: str) -> None:
    email = captured_email(token)

    assert email == normalize_email(token)
    assert not is_valid_email(email)


@pytest.mark.parametrize("separator", list(SEPARATORS))
def test_separators_end_a_token(separator: str) -> None:
    assert captured_email(f"note{separator}jane@example.com") == "jane@example.com"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("jane@example.com.", "jane@example.com"),
        ("'jane@example.com'", "jane@example.com"),
        ("<jane@example.com>", "jane@example.com"),
        ("<mailto:jane@example.com|jane@example.com>", "jane@example.com"),
        ("user@ตัวอย่าง.ไทย", "user@ตัวอย่าง.ไทย"),
        ("山田太郎jane@example.com", "jane@example.com"),
    ],
)
def test_punctuation_and_markup_around_an_address_are_not_part_of_it(
    typed: str, stored: str
) -> None:
    if typed.startswith("<mailto:"):
        draft = parse_quick_capture(f"Jane Doe, {typed}")
        assert normalize_draft(unescape_slack(draft)).email == stored
        return
    assert captured_email(typed) == stored
