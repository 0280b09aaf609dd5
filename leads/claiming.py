"""Who may claim a hot lead from its card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ClaimMode = Literal["channel_members", "list"]
CLAIM_MODES: tuple[ClaimMode, ...] = ("channel_members", "list")


@dataclass(frozen=True)
class ClaimPolicy:
    """Claim rights: channel members, or only listed users and user groups."""

    mode: ClaimMode = "channel_members"
    users: tuple[str, ...] = ()
    usergroups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in CLAIM_MODES:
            raise ValueError(f"claim mode must be one of {CLAIM_MODES}, got {self.mode!r}")


def may_claim(
    user_id: str,
    policy: ClaimPolicy,
    *,
    channel_members: frozenset[str],
    usergroup_members: frozenset[str],
) -> bool:
    """Whether `user_id` may claim a lead whose card sits in a channel with `channel_members`."""
    if user_id in policy.users:
        return True
    if policy.mode == "channel_members":
        return user_id in channel_members
    return user_id in usergroup_members
