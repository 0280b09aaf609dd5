"""The rescore sweep: decay over time, changed scoring rules, and alerts for leads turned hot."""

from __future__ import annotations

from dataclasses import replace

from leads.config import LeadbotConfig
from leads.lead import Lead
from leads.model import Stage
from leads.scoring import ScoringRules
from scheduler.jobs import run_job
from storage.leads import rules_version
from storage.tables import LeadRow, OutboxRow
from tests.harness import SALES, Leadbot, block_texts, capture, cards_in, rows_of

WARM_MORE = ScoringRules(interest_points={"hot": 120, "warm": 100, "cold": -40})


async def rescore(leadbot: Leadbot) -> str:
    """Run the rescore sweep once, as the scheduler would, and deliver what it owes."""
    summary = await run_job("rescore", leadbot.svc.job_context())
    await leadbot.settle()
    return summary


async def by_email(leadbot: Leadbot, email: str) -> Lead:
    """The stored lead with this email."""
    [lead] = [lead for lead in await leadbot.leads() if lead.profile.email == email]
    return lead


async def test_lead_hot_under_a_lower_threshold_is_alerted_once(leadbot: Leadbot) -> None:
    await capture(leadbot, name="Warm Wendy", email="wendy@initech.com", interest="warm")
    await leadbot.settle()
    assert cards_in(leadbot.slack, SALES) == []

    await leadbot.restart(config=LeadbotConfig(scoring=ScoringRules(hot_threshold=20)))
    summary = await rescore(leadbot)

    [card] = await leadbot.posted_to(SALES)
    assert "Warm Wendy" in block_texts(card.args["blocks"])
    assert "1 turned hot" in summary
    lead = await by_email(leadbot, "wendy@initech.com")
    assert (lead.stage, lead.card_ts) == (Stage.HOT, leadbot.slack.messages[SALES][0]["ts"])

    leadbot.clock.advance(minutes=1)
    assert "0 turned hot" in await rescore(leadbot)
    assert len(cards_in(leadbot.slack, SALES)) == 1
    assert await leadbot.count(OutboxRow, kind="card") == 1


async def test_engagement_halves_after_one_half_life(leadbot: Leadbot) -> None:
    lead = await capture(leadbot, title="Director of IT", interest="warm")
    assert (lead.fit, lead.engagement, lead.score) == (15, 30, 45)

    leadbot.clock.advance(days=ScoringRules().half_life_days)
    await rescore(leadbot)

    [decayed] = await leadbot.leads()
    assert (decayed.fit, decayed.score) == (15, 30)


async def test_changed_weights_rescore_from_touches_and_alert_the_new_hot_leads(
    leadbot: Leadbot,
) -> None:
    await capture(leadbot, name="Warm Wendy", email="wendy@initech.com", interest="warm")
    leadbot.clock.advance(seconds=2)
    await capture(leadbot, name="Cold Carl", email="carl@initech.com", interest="cold")
    await leadbot.settle()

    config = LeadbotConfig(scoring=WARM_MORE)
    await leadbot.restart(config=config)
    summary = await rescore(leadbot)

    assert "recomputed 2 under new rules" in summary
    warm = await by_email(leadbot, "wendy@initech.com")
    cold = await by_email(leadbot, "carl@initech.com")
    assert (warm.score, warm.stage) == (100, Stage.HOT)
    assert (cold.score, cold.stage) == (-40, Stage.NEW)
    [card] = await leadbot.posted_to(SALES)
    assert "+100 interest: Warm" in block_texts(card.args["blocks"])
    versions = {row.rules_version for row in await rows_of(leadbot, LeadRow)}
    assert versions == {rules_version(config)}


async def test_recomputing_from_touches_agrees_with_capture_scoring(leadbot: Leadbot) -> None:
    await capture(leadbot, email="ann@initech.com", interest="cold", source="seminar")
    leadbot.clock.advance(days=10)
    captured = await capture(leadbot, email="ann@initech.com", interest="warm")
    assert captured.touch_count == 2

    unrelated = replace(ScoringRules(), industry_points={"aerospace": 10})
    await leadbot.restart(config=LeadbotConfig(scoring=unrelated))
    summary = await rescore(leadbot)

    assert "recomputed 1 under new rules" in summary
    [recomputed] = await leadbot.leads()
    assert recomputed.score == captured.score
    assert recomputed.fit == captured.fit
