"""Claim rights by channel membership or an explicit list."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from leads.claiming import ClaimPolicy, may_claim

MEMBERS = frozenset({"U_MEMBER", "U_BOTH"})
GROUP = frozenset({"U_GROUPIE", "U_BOTH"})
BY_CHANNEL = ClaimPolicy()
BY_CHANNEL_PLUS = ClaimPolicy(users=("U_LISTED",))
BY_LIST = ClaimPolicy(mode="list", users=("U_LISTED",), usergroups=("S_SALES",))


@pytest.mark.parametrize(
    ("user", "policy", "allowed"),
    [
        ("U_MEMBER", BY_CHANNEL, True),
        ("U_BOTH", BY_CHANNEL, True),
        ("U_GROUPIE", BY_CHANNEL, False),
        ("U_LISTED", BY_CHANNEL, False),
        ("U_STRANGER", BY_CHANNEL, False),
        ("U_LISTED", BY_CHANNEL_PLUS, True),
        ("U_MEMBER", BY_CHANNEL_PLUS, True),
        ("U_LISTED", BY_LIST, True),
        ("U_GROUPIE", BY_LIST, True),
        ("U_BOTH", BY_LIST, True),
        ("U_MEMBER", BY_LIST, False),
        ("U_STRANGER", BY_LIST, False),
        ("U_MEMBER", ClaimPolicy(mode="list"), False),
        ("", BY_CHANNEL, False),
    ],
)
def test_may_claim(user: str, policy: ClaimPolicy, allowed: bool) -> None:
    assert may_claim(user, policy, channel_members=MEMBERS, usergroup_members=GROUP) is allowed


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="claim mode"):
        ClaimPolicy(mode="everyone")  # type: ignore[arg-type]


def test_policy_loads_from_plain_data() -> None:
    adapter = TypeAdapter(ClaimPolicy)
    policy = adapter.validate_python({"mode": "list", "users": ["U1"], "usergroups": ["S1"]})
    assert policy == ClaimPolicy(mode="list", users=("U1",), usergroups=("S1",))
    with pytest.raises(ValidationError):
        adapter.validate_python({"mode": "anyone"})
