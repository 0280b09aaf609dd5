"""Snapshots pickled by their fields come back equal (the capture process's pipe)."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leads.lead import Decision, Lead
from leads.model import Interest, LeadDraft, Source, Stage
from leads.outcomes import LostReason
from leads.scoring import Reason
from leads.snapshots import pickled_by_fields

drafts = st.builds(
    LeadDraft,
    name=st.text(),
    company=st.text(),
    email=st.text(),
    source=st.none() | st.sampled_from(Source),
    interest=st.none() | st.sampled_from(Interest),
    consent=st.booleans(),
    notes=st.text(),
)


@given(drafts)
def test_a_draft_comes_back_equal(draft: LeadDraft) -> None:
    assert pickle.loads(pickle.dumps(draft, pickle.HIGHEST_PROTOCOL)) == draft


def test_a_lead_with_reasons_and_a_decision_comes_back_equal() -> None:
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    lead = Lead(
        id=7,
        profile=LeadDraft(name="山田太郎", email="taro@acme.co.jp", interest=Interest.HOT),
        stage=Stage.LOST,
        owner="U0REP",
        score=72,
        fit=30.0,
        engagement=42.0,
        reasons=(Reason("title", {"title": "部長"}, 15.0, "fit"),),
        region="JP",
        touch_count=2,
        captured_by="U0STAFF",
        created_at=at,
        hot_at=at,
        decision=Decision(Stage.LOST, "U0REP", at, None, LostReason.BUDGET, "高い"),
    )

    again = pickle.loads(pickle.dumps(lead, pickle.HIGHEST_PROTOCOL))

    assert again == lead
    assert again.profile.interest is Interest.HOT
    assert again.decision is not None
    assert again.decision.reason is LostReason.BUDGET


def test_fields_outside_init_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Counted:
        value: int
        seen: int = dataclasses.field(default=0, init=False)

    with pytest.raises(TypeError, match="outside __init__"):
        pickled_by_fields(Counted)
