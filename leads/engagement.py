"""Engagement events from the web (opens, clicks, webinars, downloads) and their points."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from leads.checks import FieldError

MAX_POINTS: Final = 1000


class EngagementKind(StrEnum):
    """Something a lead did that marketing tools report to `POST /hooks/engagement/{source}`."""

    EMAIL_OPENED = "email_opened"
    EMAIL_CLICKED = "email_clicked"
    WEBINAR_REGISTERED = "webinar_registered"
    WEBINAR_ATTENDED = "webinar_attended"
    WHITEPAPER_DOWNLOADED = "whitepaper_downloaded"
    PRICING_PAGE_VISITED = "pricing_page_visited"
    UNSUBSCRIBED = "unsubscribed"  # also opts the lead out of email and material


@dataclass(frozen=True)
class EngagementSettings:
    """Engagement points per kind of event (rules-file key `engagement`); they decay like
    every engagement point. An unknown kind in the rules file is refused as an unknown key."""

    # Mail clients that fetch images ahead (Apple Mail Privacy Protection) open mail for the
    # reader, so an open says little; a click says more.
    email_opened: int = 1
    email_clicked: int = 5
    webinar_registered: int = 10
    webinar_attended: int = 20
    whitepaper_downloaded: int = 10
    pricing_page_visited: int = 20
    unsubscribed: int = 0  # an opt-out says nothing of intent by default

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            points = getattr(self, field.name)
            if not -MAX_POINTS <= points <= MAX_POINTS:
                raise FieldError(
                    field.name, f"must be {-MAX_POINTS} to {MAX_POINTS} points, got {points}"
                )


def engagement_kind(text: str) -> EngagementKind | None:
    """The kind named by `text` (ignoring case and surrounding space), or None."""
    try:
        return EngagementKind(text.strip().lower())
    except ValueError:
        return None


def engagement_points(kind: EngagementKind, settings: EngagementSettings) -> int:
    """The points one event of `kind` earns under the rules file's settings."""
    points: int = getattr(settings, EngagementKind(kind).value)
    return points


def opts_out(kind: EngagementKind) -> bool:
    """Whether an event of `kind` opts the lead out of email and material."""
    return kind is EngagementKind.UNSUBSCRIBED
