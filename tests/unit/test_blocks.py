"""Block Kit we render passes slack_sdk's validators and escapes user text, even at the limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from blocks.cards import CardView, lead_card
from blocks.messages import capture_message, home_view, owner_dm
from blocks.modal import ModalContext, draft_from_state, lead_modal
from blocks.text import escape, safe
from leads.language import LANGUAGES, Language
from leads.lead import Lead
from leads.model import Interest, LeadDraft, Source, Stage
from leads.scoring import Reason
from leads.validation import LIMITS

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOSTILE = "<!channel> & <@U123> <https://evil.example|click> "


def _lead(**profile: Any) -> Lead:
    draft = LeadDraft(
        name="Yamada Taro",
        company="Acme",
        email="taro@acme.co.jp",
        interest=Interest.HOT,
        source=Source.EVENT,
        event="Tokyo Expo 2026",
    )
    return Lead(
        id=7,
        profile=replace(draft, **profile),
        stage=Stage.HOT,
        owner=None,
        score=145,
        fit=15,
        engagement=130,
        reasons=(
            Reason("interest", {"interest": "hot"}, 120, "engagement"),
            Reason("title", {"level": "director"}, 15, "fit"),
        ),
        region="JP",
        touch_count=1,
        captured_by="U0STAFF",
        created_at=NOW,
        hot_at=NOW,
    )


def _longest_hostile_lead() -> Lead:
    fields = {name: (HOSTILE * 200)[:limit] for name, limit in LIMITS.items() if name != "email"}
    return _lead(**fields)


def _validate_blocks(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()  # raises SlackObjectFormationError past any limit
        for text in _mrkdwn_texts(block):
            assert len(text) <= 3000


def _mrkdwn_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for value in node.values() for t in _mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _mrkdwn_texts(item)]
    return []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("lead", [_lead(), _longest_hostile_lead()], ids=["plain", "hostile-max"])
def test_card_in_every_state_is_valid_block_kit(lead: Lead, language: Language) -> None:
    claimed = replace(
        lead, owner="U0REP", stage=Stage.CLAIMED, claimed_at=NOW + timedelta(minutes=3)
    )
    for state in (
        lead,
        claimed,
        replace(claimed, stage=Stage.MEETING),
        replace(claimed, stage=Stage.WON),
    ):
        card = lead_card(state, language, CardView(passed_by=("U1", "U2")))
        _validate_blocks(card["blocks"])
        assert len(card["text"]) < 40_000
    _validate_blocks(lead_card(lead, language, CardView(moved_to="C0OTHER"))["blocks"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_text_is_escaped_everywhere(language: Language) -> None:
    lead = _lead(name=HOSTILE, company=HOSTILE, notes=HOSTILE)
    rendered = [
        lead_card(lead, language),
        capture_message(lead, language, created=True, became_hot=True),
        owner_dm(lead, language),
    ]
    for message in rendered:
        everything = message["text"] + "".join(_mrkdwn_texts(message["blocks"]))
        assert "<!channel>" not in everything
        assert "<@U123>" not in everything
        assert "<https://evil" not in everything
        assert "&lt;!channel&gt;" in everything


def test_claimed_card_names_the_owner_and_swaps_buttons() -> None:
    claimed = replace(_lead(), owner="U0REP", stage=Stage.CLAIMED, claimed_at=NOW)
    card = lead_card(claimed, "en")
    texts = "".join(_mrkdwn_texts(card["blocks"]))
    labels = [
        e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "Claimed by <@U0REP>" in texts
    assert labels == ["Meeting booked", "Won", "Lost"]


def test_japanese_card_reads_as_japanese() -> None:
    card = lead_card(_lead(), "ja")
    texts = "".join(_mrkdwn_texts(card["blocks"]))
    labels = [
        e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["担当する", "見送る"]
    assert "ホットリード" in texts
    assert "+120 関心度: ホット" in texts
    assert "+15 役職: 部長クラス" in texts
    claimed = replace(_lead(), owner="U0REP", stage=Stage.WON, claimed_at=NOW)
    assert "結果：*受注*" in "".join(_mrkdwn_texts(lead_card(claimed, "ja")["blocks"]))


def test_unclaimed_card_offers_claim_and_pass_and_top_reasons() -> None:
    card = lead_card(_lead(), "en")
    texts = "".join(_mrkdwn_texts(card["blocks"]))
    labels = [
        e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Claim", "Pass"]
    assert "+120 interest: Hot" in texts
    assert "Score 145" in texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_modal_is_valid_and_round_trips_a_draft(language: Language) -> None:
    draft = replace(_lead().profile, phone="090-1234-5678", notes="line one\nline two")
    view = lead_modal(
        draft=draft, context=ModalContext(channel_id="C0BOOTH", lead_id=0), language=language
    )
    View(**view).to_dict()
    values = {
        block["block_id"]: {"value": _submitted(block["element"])} for block in view["blocks"]
    }
    assert draft_from_state(values) == draft


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_view_is_valid(language: Language) -> None:
    View(**home_view("Tokyo Expo <2026>", [_lead()], language)).to_dict()


def test_edit_modal_of_long_notes_adds_a_note_instead_of_cutting_them() -> None:
    draft = replace(_lead().profile, notes="n" * 5000)
    context = ModalContext(channel_id="C0BOOTH", lead_id=7, append_notes=True)
    view = lead_modal(draft=draft, context=context, language="en")
    View(**view).to_dict()
    notes = next(b for b in view["blocks"] if b.get("block_id") == "notes")
    assert notes["label"]["text"] == "Add a note"
    assert "initial_value" not in notes["element"]
    assert ModalContext.decode(view["private_metadata"]) == context


def test_malformed_modal_state_reads_as_empty() -> None:
    assert (
        draft_from_state({"name": "x", "email": {"value": 3}, "interest": {"value": {}}})
        == LeadDraft()
    )


@pytest.mark.parametrize(
    ("raw", "limit", "expected"),
    [("a&b", 10, "a&amp;b"), ("<<<", 7, "&lt;…"), ("abc", 3, "abc"), ("abcd", 3, "ab…")],
)
def test_safe_never_cuts_an_escape_in_half(raw: str, limit: int, expected: str) -> None:
    assert safe(raw, limit) == expected
    assert len(safe(raw, limit)) <= limit


def test_escape_order_is_ampersand_first() -> None:
    assert escape("&lt;") == "&amp;lt;"


def _submitted(element: dict[str, Any]) -> dict[str, Any]:
    if element["type"] == "static_select":
        return {"type": "static_select", "selected_option": element.get("initial_option")}
    if element["type"] == "checkboxes":
        return {"type": "checkboxes", "selected_options": element.get("initial_options", [])}
    return {"type": element["type"], "value": element.get("initial_value")}
