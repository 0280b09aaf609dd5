"""is_valid_email answers plainly valid addresses itself: it must agree with email-validator."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given
from hypothesis import strategies as st

from leads.validation import _is_plainly_valid, is_valid_email


def oracle(email: str) -> bool:
    """What is_valid_email says when email-validator alone decides."""
    if not email or len(email) > 254 or len(email.rsplit(".", 1)[-1]) < 2:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# Common characters, atext the fast path leaves to email-validator, and some that are never
# valid in a dot-atom; dots anywhere, so leading, trailing and double dots come up.
LOCAL_PARTS = st.one_of(
    st.text(alphabet="abXY09._+-'", min_size=0, max_size=12),
    st.text(alphabet='ab.!#$%&*/=?^`{|}~"\\ <>(),:;@é', min_size=1, max_size=6),
    st.sampled_from(["a" * 64, "a" * 65, "jane", "j.doe", "o'neil", "x+tag"]),
)
LABELS = st.one_of(
    st.text(alphabet="ab09-", min_size=0, max_size=8),
    st.sampled_from(["xn--p1ai", "ab--c", "a--b", "-a", "a-", "例え", "A", "a_b"]),
    st.integers(min_value=61, max_value=65).map(lambda length: "b" * length),
)
TOP_LEVEL = st.sampled_from(
    [
        *("com", "jp", "io", "co", "example", "c", "123", "x1", "1x", "com-", "-com", ""),
        *("local", "localhost", "invalid", "test", "onion", "arpa", "LOCAL", "Com", "テスト"),
    ]
)
DOMAINS = st.builds(
    lambda labels, top: ".".join([*labels, top]),
    st.lists(LABELS, min_size=0, max_size=4),
    TOP_LEVEL,
)
ADDRESSES = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL_PARTS, DOMAINS)
# Lengths around the limits: 254 characters in all, 253 after the "@", 63 in a label.
LONG_ADDRESSES = st.builds(
    lambda local, labels, top: f"{'a' * local}@{'.'.join('b' * n for n in labels)}.{top}",
    st.integers(min_value=1, max_value=70),
    st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=5),
    st.sampled_from(["com", "io", "local", "test"]),
)


@given(st.one_of(ADDRESSES, LONG_ADDRESSES, st.text(max_size=30)))
@example("jane@example.com")
@example("jane..doe@example.com")
@example(".jane@example.com")
@example("jane.@example.com")
@example("jane@-example.com")
@example("jane@example-.com")
@example("jane@ab--cd.com")
@example("jane@xn--p1ai.com")
@example("jane@example.123")
@example("jane@mail.local")
@example("jane@host.localhost")
@example("jane@example.invalid")
@example("jane@example.test")
@example("jane@example.onion")
@example("jane@in-addr.arpa")
@example("a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".com")  # 254 characters
@example("a" * 65 + "@" + ".".join(["b" * 61] * 3) + ".com")  # 255 characters
@example("jane@" + "b" * 63 + ".com")
@example("jane@" + "b" * 64 + ".com")
def test_is_valid_email_agrees_with_email_validator(email: str) -> None:
    assert is_valid_email(email) is oracle(email)


@given(st.one_of(ADDRESSES, LONG_ADDRESSES))
def test_the_fast_path_accepts_only_what_email_validator_accepts(email: str) -> None:
    if _is_plainly_valid(email):
        assert oracle(email)


@pytest.mark.parametrize(
    "email",
    ["jane@example.com", "p5@pacme5.example", "o'neil@globex.co.jp", "a-b_c+d@x-y.io"],
)
def test_typical_addresses_take_the_fast_path(email: str) -> None:
    assert _is_plainly_valid(email)
    assert oracle(email)
