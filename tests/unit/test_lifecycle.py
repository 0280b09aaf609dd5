"""The lifecycle table: every stage against every step, for every kind of actor."""

from __future__ import annotations

import itertools

import pytest

from blocks import catalogue as say
from blocks.cards import STEP_ACTIONS
from leads.lifecycle import (
    CARD_STEPS,
    SYSTEM,
    TRANSITIONS,
    WHO_MAY,
    Actor,
    Move,
    Refusal,
    Step,
    card_steps,
    decide,
)
from leads.model import Stage

S = Stage
OWNER, OTHER, ADMIN = "U0OWNER", "U0OTHER", "U0ADMIN"
ACTORS = {
    "owner": Actor(OWNER),
    "other": Actor(OTHER),
    "admin": Actor(ADMIN, is_admin=True),
    "outsider": Actor(OTHER, may_claim=False),
    "system": SYSTEM,
}
OWNED = (S.CLAIMED, S.MEETING, S.WON, S.LOST)


def owner_in(stage: Stage) -> str | None:
    return OWNER if stage in OWNED else None


# (stage, step) -> the stage it reaches, or the refusal code, for the lead's owner.
TABLE: dict[tuple[Stage, Step], Stage | str] = {
    (S.NEW, Step.ENROL): S.NURTURING,
    (S.NEW, Step.STOP_NURTURE): "wrong_stage",
    (S.NEW, Step.TURN_HOT): S.HOT,
    (S.NEW, Step.CLAIM): "not_hot",
    (S.NEW, Step.PASS): "not_hot",
    (S.NEW, Step.BOOK_MEETING): "wrong_stage",
    (S.NEW, Step.WIN): "wrong_stage",
    (S.NEW, Step.LOSE): "wrong_stage",
    (S.NEW, Step.RECYCLE): "wrong_stage",
    (S.NURTURING, Step.ENROL): "wrong_stage",
    (S.NURTURING, Step.STOP_NURTURE): S.NEW,
    (S.NURTURING, Step.TURN_HOT): S.HOT,
    (S.NURTURING, Step.CLAIM): "not_hot",
    (S.NURTURING, Step.PASS): "not_hot",
    (S.NURTURING, Step.WIN): "wrong_stage",
    (S.HOT, Step.ENROL): "wrong_stage",
    (S.HOT, Step.TURN_HOT): "wrong_stage",
    (S.HOT, Step.CLAIM): S.CLAIMED,
    (S.HOT, Step.PASS): S.HOT,
    (S.HOT, Step.BOOK_MEETING): "claim_first",
    (S.HOT, Step.WIN): "claim_first",
    (S.HOT, Step.LOSE): "claim_first",
    (S.HOT, Step.RECYCLE): "wrong_stage",
    (S.CLAIMED, Step.TURN_HOT): "wrong_stage",
    (S.CLAIMED, Step.CLAIM): "already_claimed",
    (S.CLAIMED, Step.PASS): "already_claimed",
    (S.CLAIMED, Step.BOOK_MEETING): S.MEETING,
    (S.CLAIMED, Step.WIN): S.WON,
    (S.CLAIMED, Step.LOSE): S.LOST,
    (S.CLAIMED, Step.RECYCLE): "wrong_stage",
    (S.MEETING, Step.CLAIM): "already_claimed",
    (S.MEETING, Step.BOOK_MEETING): "already_meeting",
    (S.MEETING, Step.WIN): S.WON,
    (S.MEETING, Step.LOSE): S.LOST,
    (S.WON, Step.CLAIM): "already_claimed",
    (S.WON, Step.BOOK_MEETING): "already_decided",
    (S.WON, Step.WIN): "already_decided",
    (S.WON, Step.LOSE): "already_decided",
    (S.WON, Step.RECYCLE): "wrong_stage",
    (S.LOST, Step.WIN): "already_decided",
    (S.LOST, Step.LOSE): "already_decided",
    (S.LOST, Step.RECYCLE): S.RECYCLED,
    (S.LOST, Step.PASS): "already_claimed",
    (S.RECYCLED, Step.ENROL): S.NURTURING,
    (S.RECYCLED, Step.TURN_HOT): S.HOT,
    (S.RECYCLED, Step.CLAIM): "not_hot",
    (S.RECYCLED, Step.WIN): "wrong_stage",
}


@pytest.mark.parametrize(("stage", "step"), list(TABLE))
def test_the_table_for_someone_with_the_right(stage: Stage, step: Step) -> None:
    assert step != Step.CHANGE_OUTCOME
    actor = SYSTEM if WHO_MAY[step].value == "system" else Actor(OWNER)
    decision = decide(stage, step, actor, owner=owner_in(stage))
    expected = TABLE[(stage, step)]
    if isinstance(expected, Stage):
        assert decision == Move(step, stage, expected)
    else:
        assert isinstance(decision, Refusal)
        assert decision.code == expected


def test_the_table_covers_every_transition() -> None:
    moves = {key: target for key, target in TABLE.items() if isinstance(target, Stage)}
    assert moves == dict(TRANSITIONS)


OUTCOMES = (Step.BOOK_MEETING, Step.WIN, Step.LOSE)


@pytest.mark.parametrize(
    ("who", "step", "stage", "expected"),
    [
        ("other", Step.WIN, S.CLAIMED, "not_owner"),
        ("other", Step.BOOK_MEETING, S.CLAIMED, "not_owner"),
        ("other", Step.LOSE, S.MEETING, "not_owner"),
        ("admin", Step.WIN, S.CLAIMED, S.WON),
        ("admin", Step.LOSE, S.MEETING, S.LOST),
        ("admin", Step.WIN, S.HOT, "claim_first"),  # an admin on an unclaimed card
        ("other", Step.WIN, S.HOT, "claim_first"),
        ("outsider", Step.CLAIM, S.HOT, "may_not_claim"),
        ("admin", Step.CLAIM, S.HOT, S.CLAIMED),
        ("outsider", Step.PASS, S.HOT, S.HOT),
        ("outsider", Step.CLAIM, S.CLAIMED, "already_claimed"),  # the stage speaks first
        ("owner", Step.TURN_HOT, S.NEW, "system_only"),
        ("admin", Step.ENROL, S.NEW, "system_only"),
        ("system", Step.WIN, S.CLAIMED, S.WON),
        ("other", Step.STOP_NURTURE, S.NURTURING, S.NEW),
        ("other", Step.RECYCLE, S.LOST, "not_owner"),
    ],
)
def test_who_may_act(who: str, step: Step, stage: Stage, expected: Stage | str) -> None:
    decision = decide(stage, step, ACTORS[who], owner=owner_in(stage))
    if isinstance(expected, Stage):
        assert isinstance(decision, Move)
        assert decision.target == expected
    else:
        assert isinstance(decision, Refusal)
        assert decision.code == expected


def test_refusals_name_the_owner() -> None:
    decision = decide(S.CLAIMED, Step.WIN, ACTORS["other"], owner=OWNER)
    assert decision == Refusal("not_owner", {"owner": OWNER})
    assert decide(S.WON, Step.CLAIM, ACTORS["other"], owner=OWNER) == Refusal(
        "already_claimed", {"owner": OWNER}
    )


@pytest.mark.parametrize(
    ("stage", "buttons"),
    [
        (S.NEW, ()),
        (S.NURTURING, ()),
        (S.HOT, (Step.CLAIM, Step.PASS)),
        (S.CLAIMED, (Step.BOOK_MEETING, Step.WIN, Step.LOSE)),
        (S.MEETING, (Step.WIN, Step.LOSE, Step.CHANGE_OUTCOME)),
        (S.WON, (Step.CHANGE_OUTCOME,)),
        (S.LOST, (Step.CHANGE_OUTCOME,)),
        (S.RECYCLED, ()),
    ],
)
def test_card_buttons_per_stage(stage: Stage, buttons: tuple[Step, ...]) -> None:
    assert card_steps(stage) == buttons


def test_every_button_a_card_shows_is_allowed_in_its_stage_and_has_an_action() -> None:
    for stage, steps in CARD_STEPS.items():
        for step in steps:
            assert (stage, step) in TRANSITIONS or step == Step.CHANGE_OUTCOME
            assert step in STEP_ACTIONS
            assert step.value in say.BUTTONS


def test_every_refusal_can_be_said() -> None:
    codes = set()
    for stage, step, actor in itertools.product(Stage, Step, ACTORS.values()):
        decision = decide(stage, step, actor, owner=owner_in(stage))
        if isinstance(decision, Refusal):
            codes.add(decision.code)
    assert codes <= set(say.REFUSALS)
    assert {"claim_first", "not_owner", "already_claimed", "may_not_claim"} <= codes


@pytest.mark.parametrize(
    ("who", "stage", "target", "expected"),
    [
        ("owner", S.WON, S.LOST, S.LOST),
        ("owner", S.LOST, S.WON, S.WON),
        ("owner", S.WON, S.WON, S.WON),  # a new deal value
        ("owner", S.LOST, S.LOST, S.LOST),  # a new reason
        ("owner", S.MEETING, S.CLAIMED, S.CLAIMED),  # back to "no outcome yet"
        ("admin", S.LOST, S.MEETING, S.MEETING),
        ("other", S.WON, S.LOST, "not_owner"),
        ("owner", S.CLAIMED, S.WON, "nothing_to_change"),
        ("admin", S.HOT, S.WON, "claim_first"),
        ("owner", S.NEW, S.WON, "nothing_to_change"),
        ("owner", S.WON, S.HOT, "wrong_stage"),
        ("owner", S.WON, S.RECYCLED, "wrong_stage"),
        ("owner", S.WON, None, "wrong_stage"),
    ],
)
def test_change_outcome(
    who: str, stage: Stage, target: Stage | None, expected: Stage | str
) -> None:
    decision = decide(stage, Step.CHANGE_OUTCOME, ACTORS[who], owner=owner_in(stage), target=target)
    if isinstance(expected, Stage):
        assert decision == Move(Step.CHANGE_OUTCOME, stage, expected)
    else:
        assert isinstance(decision, Refusal)
        assert decision.code == expected
