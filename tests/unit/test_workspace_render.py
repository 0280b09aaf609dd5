"""The demo page's Block Kit renderer, on the bot's own cards, modals and Home tab, in both
languages: every button, select and input the bot draws can be worked in the page."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blocks.cards import CardView, lead_card
from blocks.messages import help_message, home_view
from blocks.modal import ModalContext, lead_modal
from blocks.outcome_forms import OutcomeContext, lost_form, won_form
from leads.language import LANGUAGES, Language
from leads.lead import Decision, Lead
from leads.model import Interest, LeadDraft, Source, Stage
from leads.scoring import Reason
from workspace.render import mrkdwn, render_blocks, render_message

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
NAMES = {"U0REP1": "Ravi Patel", "C0SALES": "sales"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _lead(**changes: Any) -> Lead:
    draft = LeadDraft(
        name="Jane <Doe>",
        company="Initech & Co",
        email="jane@initech.com",
        interest=Interest.HOT,
        source=Source.EVENT,
        event="Tokyo Expo 2026",
    )
    lead = Lead(
        id=7,
        profile=draft,
        stage=Stage.HOT,
        owner=None,
        score=145,
        fit=15,
        engagement=130,
        reasons=(Reason("interest", {"interest": "hot"}, 120, "engagement"),),
        region="",
        touch_count=1,
        captured_by="U0STAFF",
        created_at=NOW,
        hot_at=NOW,
    )
    return replace(lead, **changes)


class _Elements(HTMLParser):
    """Collects the tags and visible text of rendered HTML (and fails on broken nesting)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _elements(node: Any) -> list[dict[str, Any]]:
    """Every interactive element in blocks (buttons, selects, inputs...)."""
    if isinstance(node, list):
        return [e for item in node for e in _elements(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "action_id" in node else []
    return own + [e for value in node.values() for e in _elements(value)]


def _assert_workable(blocks: list[dict[str, Any]]) -> _Elements:
    page = _parse(render_blocks(blocks, NAMES))
    rendered = {(a.get("data-block-id"), a.get("data-action-id")) for _, a in page.tags}
    for element in _elements(blocks):
        owner = next(b for b in blocks if element in _elements([b]))
        assert (owner.get("block_id", ""), element["action_id"]) in rendered, element
    for _tag, attributes in page.tags:
        assert not attributes.get("href", "").lower().startswith("javascript")
    return page


def _states(lead: Lead) -> list[Lead]:
    claimed = replace(lead, owner="U0REP1", stage=Stage.CLAIMED, claimed_at=NOW + timedelta(1))
    decision = Decision(Stage.WON, "U0REP1", NOW + timedelta(2), value=1_200_000.0)
    won = replace(claimed, stage=Stage.WON, decision=decision)
    return [lead, claimed, replace(claimed, stage=Stage.MEETING), won]


@pytest.mark.parametrize("language", LANGUAGES)
def test_cards_in_every_state_render_with_their_buttons(language: Language) -> None:
    for state in _states(_lead()):
        card = lead_card(state, language, CardView(currency="JPY"))
        page = _assert_workable(card["blocks"])
        text = "".join(page.text)
        assert "Jane <Doe>" in text  # escaped by the bot, shown as typed
        assert "Initech & Co" in text
        buttons = [a for tag, a in page.tags if tag == "button"]
        assert buttons, "every card state offers a next step"
        assert all(b["data-value"] for b in buttons)
        if state.owner:
            assert "@Ravi Patel" in text
        if language == "ja":
            assert JAPANESE.search(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_lead_modal_renders_every_input_with_its_label(language: Language) -> None:
    view = lead_modal(
        draft=LeadDraft(name="Jane"), context=ModalContext("C0BOOTH", 0), language=language
    )
    page = _assert_workable(view["blocks"])
    labelled = {a.get("aria-label") for _, a in page.tags if a.get("data-action-id")}
    for block in view["blocks"]:
        if block["type"] == "input":
            assert block["label"]["text"] in labelled
    errors = [a["data-error-for"] for _, a in page.tags if "data-error-for" in a]
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} <= set(errors)
    selects = [a for tag, a in page.tags if tag == "select"]
    assert selects
    assert any(tag == "input" and a.get("value") == "Jane" for tag, a in page.tags)


@pytest.mark.parametrize("language", LANGUAGES)
def test_outcome_forms_render(language: Language) -> None:
    context = OutcomeContext(lead_id=7, expected=Stage.CLAIMED, channel="C0SALES", ts="1.2")
    lead = _states(_lead())[1]
    won = _assert_workable(won_form(lead, context, language, "JPY")["blocks"])
    lost = _assert_workable(lost_form(lead, context, language)["blocks"])
    assert any(a.get("data-type") == "number_input" for _, a in won.tags)
    assert any(tag == "select" for tag, _ in lost.tags)


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_view_and_help_render(language: Language) -> None:
    home = _parse(render_blocks(home_view("Tokyo Expo", [_lead()], language)["blocks"], NAMES))
    help_text = "".join(_parse(render_message(help_message(language), NAMES)).text)
    assert "Jane <Doe>" in "".join(home.text)
    assert "/lead" in help_text
    assert bool(JAPANESE.search(help_text)) == (language == "ja")


def test_mrkdwn_formats_and_resolves_mentions() -> None:
    html = mrkdwn(
        "*Hot* _lead_ `code` <@U0REP1> <#C0SALES> <https://example.com|site> <!here>"
        " <!date^1700000000^{date}|2023-11-14> :fire: &lt;b&gt; &amp;",
        NAMES,
    )
    assert "<b>Hot</b>" in html
    assert "<i>lead</i>" in html
    assert "<code>code</code>" in html
    assert "@Ravi Patel" in html
    assert "#sales" in html
    assert '<a href="https://example.com"' in html
    assert "@here" in html
    assert "2023-11-14" in html
    assert "🔥" in html
    assert "&lt;b&gt; &amp;" in html


def test_links_other_than_web_and_mail_are_shown_as_text() -> None:
    html = mrkdwn("<javascript:alert(1)|click>")
    assert "<a" not in html
    assert "click" in html


def test_code_blocks_keep_their_lines() -> None:
    html = mrkdwn("table:\n```a  1\nb  2```")
    assert "<pre>a  1\nb  2</pre>" in html
    assert html.startswith("table:<br>")


@given(st.text(max_size=200))
def test_any_text_renders_as_inert_html(text: str) -> None:
    parsed = _parse(mrkdwn(text))
    assert {tag for tag, _ in parsed.tags} <= {"b", "i", "s", "code", "pre", "br", "span", "a"}
    for _tag, attributes in parsed.tags:
        assert set(attributes) <= {"class", "href", "target", "rel"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_BLOCKISH = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["section", "actions", "input", "context", "image", "x"])},
        optional={
            "text": _JSON,
            "elements": _JSON,
            "element": _JSON,
            "fields": _JSON,
            "accessory": _JSON,
            "label": _JSON,
            "block_id": _JSON,
        },
    ),
    max_size=5,
)


@given(_BLOCKISH)
def test_malformed_blocks_never_break_the_renderer(blocks: list[dict[str, Any]]) -> None:
    _parse(render_blocks(blocks))
