"""Web intake over real HTTP: signed leads and engagement events, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from leads.config import LeadbotConfig
from leads.intake import IntakeSettings, IntakeSource
from leads.model import Source, Stage
from leads.signing import signed_headers
from storage.tables import IntakeReceiptRow, LeadRow, TouchRow
from tests.conftest import StartLeadbot
from tests.harness import SALES, Leadbot, Reply, block_texts, cards_in, rows_of

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"x" * 32).decode()
WEB = LeadbotConfig(intake=IntakeSettings(sources={"website": IntakeSource(SECRET)}))
KENJI = {
    "name": "Sato Kenji",
    "company": "Acme KK",
    "email": "kenji.sato@acme.co.jp",
    "interest": "warm",
    "consent": True,
}


@pytest.fixture
async def web(start_leadbot: StartLeadbot) -> Leadbot:
    """leadbot with one web source, `website`."""
    return await start_leadbot(WEB)


async def hook(
    bot: Leadbot,
    path: str,
    body: Any,
    *,
    webhook_id: str = "msg_1",
    secret: str = SECRET,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Reply:
    """POST `body` as JSON to `path`, signed for `secret` at the bot's clock time."""
    assert bot.server is not None
    assert bot.http is not None
    data = json.dumps(body).encode() if raw is None else raw
    stamp = int(bot.clock.now.timestamp())
    sent = {"Content-Type": "application/json", **signed_headers(secret, webhook_id, stamp, data)}
    sent.update(headers or {})
    url = bot.server.make_url(path)
    async with bot.http.post(url, data=io.BytesIO(data), headers=sent) as response:
        return Reply(response.status, await response.text(), response.content_type)


async def test_a_signed_lead_is_stored_scored_and_answered_201(web: Leadbot) -> None:
    reply = await hook(web, "/hooks/leads/website", KENJI)

    assert reply.status == 201, reply.text
    [lead] = await web.leads()
    assert reply.json() == {"id": lead.id, "created": True, "score": lead.score, "stage": "new"}
    assert lead.profile.name == "Sato Kenji"
    assert lead.profile.source is Source.WEB
    assert lead.profile.consent is True
    assert lead.score == 35  # warm 30 + web 5
    assert lead.captured_by == "web:website"


async def test_the_same_person_again_is_200_and_one_lead(web: Leadbot) -> None:
    first = await hook(web, "/hooks/leads/website", KENJI, webhook_id="msg_1")
    again = await hook(
        web, "/hooks/leads/website", {**KENJI, "email": "KENJI.SATO@acme.co.jp"}, webhook_id="m2"
    )

    assert (first.status, again.status) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert len(await web.leads()) == 1
    assert await web.count(TouchRow) == 2


async def test_a_retried_webhook_id_gets_the_first_answer_and_changes_nothing(
    web: Leadbot,
) -> None:
    first = await hook(web, "/hooks/leads/website", KENJI, webhook_id="msg_retry")
    web.clock.advance(minutes=1)
    again = await hook(web, "/hooks/leads/website", KENJI, webhook_id="msg_retry")

    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert await web.count(LeadRow) == 1
    assert await web.count(TouchRow) == 1
    assert await web.count(IntakeReceiptRow) == 1


async def test_a_bad_signature_is_401_and_stores_nothing(web: Leadbot) -> None:
    wrong = await hook(web, "/hooks/leads/website", KENJI, secret=OTHER_SECRET)
    missing = await hook(
        web, "/hooks/leads/website", KENJI, headers={"webhook-signature": ""}, webhook_id="m2"
    )
    stale_stamp = str(int(web.clock.now.timestamp()) - 600)
    stale = await hook(
        web, "/hooks/leads/website", KENJI, headers={"webhook-timestamp": stale_stamp}
    )

    assert [wrong.status, missing.status, stale.status] == [401, 401, 401]
    assert "signature" in wrong.json()["error"]
    assert await web.count(LeadRow) == 0
    assert await web.count(IntakeReceiptRow) == 0


async def test_one_good_signature_among_several_is_enough(web: Leadbot) -> None:
    data = json.dumps(KENJI).encode()
    stamp = int(web.clock.now.timestamp())
    good = signed_headers(SECRET, "msg_rot", stamp, data)["webhook-signature"]
    old = signed_headers(OTHER_SECRET, "msg_rot", stamp, data)["webhook-signature"]

    reply = await hook(
        web,
        "/hooks/leads/website",
        KENJI,
        webhook_id="msg_rot",
        headers={"webhook-signature": f"{old} {good}"},
    )

    assert reply.status == 201, reply.text


async def test_a_request_signed_by_the_standardwebhooks_library_is_accepted(web: Leadbot) -> None:
    data = json.dumps(KENJI)
    signer = Webhook(SECRET)
    stamp = web.clock.now
    headers = {
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signer.sign("msg_lib", stamp, data),
    }

    reply = await hook(web, "/hooks/leads/website", KENJI, webhook_id="msg_lib", headers=headers)

    assert reply.status == 201, reply.text


async def test_bad_fields_are_422_with_a_message_for_each(web: Leadbot) -> None:
    body = {"name": 42, "email": "not-an-email", "interest": "boiling", "consent": "yes"}

    reply = await hook(web, "/hooks/leads/website", body)

    assert reply.status == 422
    errors = reply.json()["errors"]
    assert set(errors) == {"name", "email", "interest", "consent"}
    assert errors["email"] == "Enter an email like name@company.com"
    assert errors["consent"] == "Send true or false"
    assert await web.count(LeadRow) == 0


async def test_field_messages_follow_accept_language(web: Leadbot) -> None:
    reply = await hook(
        web, "/hooks/leads/website", {"email": "x"}, headers={"Accept-Language": "ja-JP"}
    )

    assert reply.status == 422
    assert "メールアドレス" in reply.json()["errors"]["email"]


async def test_an_unknown_source_is_404(web: Leadbot) -> None:
    leads = await hook(web, "/hooks/leads/elsewhere", KENJI)
    events = await hook(web, "/hooks/engagement/elsewhere", {"email": "a@b.co", "kind": "x"})

    assert (leads.status, events.status) == (404, 404)
    assert "elsewhere" in leads.json()["error"]
    assert await web.count(LeadRow) == 0


async def test_a_body_too_large_is_413_and_not_json_is_415_or_400(web: Leadbot) -> None:
    big = await hook(web, "/hooks/leads/website", {**KENJI, "notes": "x" * 70_000})
    huge = await hook(web, "/hooks/leads/website", None, raw=b"{" * (2 * 1024 * 1024))
    form = await hook(
        web, "/hooks/leads/website", None, raw=b"name=x", headers={"Content-Type": "text/plain"}
    )
    broken = await hook(web, "/hooks/leads/website", None, raw=b'{"name": ')
    array = await hook(web, "/hooks/leads/website", [KENJI])

    assert [big.status, huge.status, form.status, broken.status] == [413, 413, 415, 400]
    assert all("error" in reply.json() for reply in (big, huge, form, broken))
    assert array.status == 422
    assert "body" in array.json()["errors"]
    assert await web.count(LeadRow) == 0


async def test_engagement_events_add_their_points_and_a_hot_lead_is_alerted(web: Leadbot) -> None:
    created = await hook(web, "/hooks/leads/website", KENJI, webhook_id="lead_1")
    lead_id = created.json()["id"]

    visit = await hook(
        web,
        "/hooks/engagement/website",
        {"email": "Kenji.Sato@acme.co.jp", "kind": "pricing_page_visited"},
        webhook_id="ev_1",
    )
    assert visit.status == 200, visit.text
    assert visit.json() == {
        "id": lead_id,
        "score": 55,
        "stage": "new",
        "kind": "pricing_page_visited",
        "points": 20,
    }
    assert cards_in(web.slack, SALES) == []

    webinar = await hook(
        web,
        "/hooks/engagement/website",
        {"email": "kenji.sato@acme.co.jp", "kind": "webinar_attended"},
        webhook_id="ev_2",
    )
    assert webinar.status == 200
    assert webinar.json()["score"] == 75
    assert webinar.json()["stage"] == "hot"

    await web.posted_to(SALES)
    [card] = cards_in(web.slack, SALES)
    text = block_texts(card.args["blocks"])
    assert "Sato Kenji" in text
    assert "webinar attended" in text
    [lead] = await web.leads()
    assert lead.stage is Stage.HOT
    kinds = [touch.kind for touch in await rows_of(web, TouchRow, lead_id=lead_id)]
    assert kinds == ["", "pricing_page_visited", "webinar_attended"]


async def test_a_retried_engagement_event_counts_once(web: Leadbot) -> None:
    await hook(web, "/hooks/leads/website", KENJI, webhook_id="lead_1")
    event = {"email": KENJI["email"], "kind": "pricing_page_visited"}

    first = await hook(web, "/hooks/engagement/website", event, webhook_id="ev_1")
    again = await hook(web, "/hooks/engagement/website", event, webhook_id="ev_1")

    assert again.json() == first.json()
    assert await web.count(TouchRow) == 2


async def test_an_engagement_event_for_an_unknown_email_is_404(web: Leadbot) -> None:
    reply = await hook(
        web, "/hooks/engagement/website", {"email": "nobody@acme.co.jp", "kind": "email_opened"}
    )
    bad = await hook(web, "/hooks/engagement/website", {"email": "x", "kind": "sneezed"})

    assert reply.status == 404
    assert "email" in reply.json()["errors"]
    assert bad.status == 422
    assert set(bad.json()["errors"]) == {"email", "kind"}
    assert await web.count(LeadRow) == 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
BODIES = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.text(max_size=300), JSON_VALUES)
            for name in ("name", "company", "email", "phone", "title", "interest", "kind", "notes")
        }
        | {"consent": JSON_VALUES},
    ),
    JSON_VALUES,
)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=BODIES,
    path=st.sampled_from(["/hooks/leads/website", "/hooks/engagement/website"]),
    webhook_id=HEADER_TEXT,
    sign=st.booleans(),
    extra=st.dictionaries(
        st.sampled_from(["webhook-timestamp", "webhook-signature", "Content-Type"]),
        HEADER_TEXT,
        max_size=2,
    ),
)
async def test_intake_never_answers_5xx(
    web: Leadbot,
    *,
    body: Any,
    path: str,
    webhook_id: str,
    sign: bool,
    extra: dict[str, str],
) -> None:
    headers = extra if not sign else {}
    reply = await hook(web, path, body, webhook_id=webhook_id or "m", headers=headers)

    assert reply.status < 500, reply.text
    assert isinstance(reply.json(), dict)
