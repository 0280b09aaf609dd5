"""The demo workspace's people and channels."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A member of the local workspace, with the locale and time zone users.info reports."""

    id: str
    name: str
    real_name: str
    role: str
    locale: str = "en-US"
    tz: str = "Europe/London"


@dataclass(frozen=True)
class Channel:
    """A public channel of the local workspace."""

    id: str
    name: str
    purpose: str = ""


STAFFER = Person("U0STAFF", "emma", "Emma Booth", "Event staffer")
STAFFER_JA = Person(
    "U0STAFFJA", "hanako", "佐藤 花子", "Event staffer (日本語)", "ja-JP", "Asia/Tokyo"
)
REP_1 = Person("U0REP1", "ravi", "Ravi Patel", "Sales rep", tz="America/New_York")
REP_2 = Person("U0REP2", "lucia", "Lucía Gómez", "Sales rep", tz="Europe/Madrid")
MANAGER = Person("U0MANAGER", "morgan", "Morgan Lee", "Sales manager")
MARKETER = Person("U0MARKETER", "mia", "Mia Kobayashi", "Marketer", tz="Asia/Tokyo")
PEOPLE = (STAFFER, STAFFER_JA, REP_1, REP_2, MANAGER, MARKETER)

BOOTH = Channel("C0BOOTH", "booth", "Event staff log leads here with /lead")
SALES = Channel("C0SALES", "sales", "Hot leads that no routing rule claims")
SALES_JAPAN = Channel("C0SALESJP", "sales-japan", "Hot leads from Japan (routing rule)")
EXPO = Channel("C0EXPO", "expo-leads", "Hot leads from Tokyo Expo (routing rule)")
MARKETING = Channel("C0MARKETING", "marketing", "The weekly digest")
CHANNELS = (BOOTH, SALES, SALES_JAPAN, EXPO, MARKETING)


def dm_channel(user_id: str) -> str:
    """The ID of a person's DM with the bot, as the workspace hands it out."""
    return "D" + user_id
