"""The lead lifecycle as a table: stages, the steps between them, who may act, which buttons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from leads.model import Stage


class Step(StrEnum):
    """Something that happens to a lead; most steps move it to another stage."""

    ENROL = "enrol"
    STOP_NURTURE = "stop_nurture"
    TURN_HOT = "turn_hot"
    CLAIM = "claim"
    PASS = "pass"
    BOOK_MEETING = "book_meeting"
    WIN = "win"
    LOSE = "lose"
    RECYCLE = "recycle"
    CHANGE_OUTCOME = "change_outcome"


class Role(StrEnum):
    """Who may take a step."""

    SYSTEM = "system"  # leadbot itself: scoring, nurture sweeps
    CLAIMER = "claimer"  # anyone the claim policy lets claim
    ANYONE = "anyone"
    OWNER = "owner"  # the lead's owner, or an admin


_S = Stage
TRANSITIONS: Final[Mapping[tuple[Stage, Step], Stage]] = MappingProxyType(
    {
        (_S.NEW, Step.ENROL): _S.NURTURING,
        (_S.RECYCLED, Step.ENROL): _S.NURTURING,
        (_S.NURTURING, Step.STOP_NURTURE): _S.NEW,
        (_S.NEW, Step.TURN_HOT): _S.HOT,
        (_S.NURTURING, Step.TURN_HOT): _S.HOT,
        (_S.RECYCLED, Step.TURN_HOT): _S.HOT,
        (_S.HOT, Step.CLAIM): _S.CLAIMED,
        (_S.HOT, Step.PASS): _S.HOT,
        (_S.CLAIMED, Step.BOOK_MEETING): _S.MEETING,
        (_S.CLAIMED, Step.WIN): _S.WON,
        (_S.MEETING, Step.WIN): _S.WON,
        (_S.CLAIMED, Step.LOSE): _S.LOST,
        (_S.MEETING, Step.LOSE): _S.LOST,
        (_S.LOST, Step.RECYCLE): _S.RECYCLED,
    }
)

WHO_MAY: Final[Mapping[Step, Role]] = MappingProxyType(
    {
        Step.ENROL: Role.SYSTEM,
        Step.STOP_NURTURE: Role.ANYONE,
        Step.TURN_HOT: Role.SYSTEM,
        Step.CLAIM: Role.CLAIMER,
        Step.PASS: Role.ANYONE,
        Step.BOOK_MEETING: Role.OWNER,
        Step.WIN: Role.OWNER,
        Step.LOSE: Role.OWNER,
        Step.RECYCLE: Role.OWNER,
        Step.CHANGE_OUTCOME: Role.OWNER,
    }
)

CARD_STEPS: Final[Mapping[Stage, tuple[Step, ...]]] = MappingProxyType(
    {
        _S.HOT: (Step.CLAIM, Step.PASS),
        _S.CLAIMED: (Step.BOOK_MEETING, Step.WIN, Step.LOSE),
        _S.MEETING: (Step.WIN, Step.LOSE, Step.CHANGE_OUTCOME),
        _S.WON: (Step.CHANGE_OUTCOME,),
        _S.LOST: (Step.CHANGE_OUTCOME,),
    }
)
# Change outcome takes a lead with an outcome to another (or the same one, with a new value
# or reason), or back to "no outcome yet"; a transition like any other, in the history.
CORRECTABLE: Final = frozenset({_S.MEETING, _S.WON, _S.LOST})
CORRECTIONS: Final = frozenset({_S.CLAIMED, *CORRECTABLE})

OUTCOME_STEPS: Final = frozenset({Step.BOOK_MEETING, Step.WIN, Step.LOSE})
OWNED_STAGES: Final = frozenset({_S.CLAIMED, _S.MEETING, _S.WON, _S.LOST})
DECIDED_STAGES: Final = frozenset({_S.WON, _S.LOST})
BEFORE_SALES: Final = frozenset({_S.NEW, _S.NURTURING, _S.RECYCLED})


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or leadbot) taking a step, with what the caller knows about their rights."""

    user: str
    is_admin: bool = False
    may_claim: bool = True
    is_system: bool = False


SYSTEM: Final = Actor(user="leadbot", is_system=True)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a step was refused, as a code with values for the message catalogue."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Move:
    """An allowed step: the stage it leaves and the stage it reaches (the same for Pass)."""

    step: Step
    source: Stage
    target: Stage

    @property
    def changes_stage(self) -> bool:
        """Whether the lead's stage changes (Pass keeps it)."""
        return self.source != self.target


def next_stage(stage: Stage, step: Step) -> Stage | None:
    """The stage `step` leads to from `stage`, or None when the table has no such move."""
    return TRANSITIONS.get((stage, step))


def decide(
    stage: Stage, step: Step, actor: Actor, *, owner: str | None, target: Stage | None = None
) -> Move | Refusal:
    """Allow the step from `stage` for `actor`, or say why not (stage first, then rights).

    Change outcome names its `target`: any outcome, from any outcome.
    """
    if step == Step.CHANGE_OUTCOME:
        return _correction(stage, actor, owner, target)
    target = next_stage(stage, step)
    if target is None:
        return stage_refusal(stage, step, owner)
    refused = _rights_refusal(WHO_MAY[step], actor, owner)
    return refused or Move(step, stage, target)


def _correction(
    stage: Stage, actor: Actor, owner: str | None, target: Stage | None
) -> Move | Refusal:
    if stage not in CORRECTABLE:
        return Refusal("claim_first") if stage == Stage.HOT else Refusal("nothing_to_change")
    if target not in CORRECTIONS:
        return Refusal("wrong_stage", {"stage": stage.value, "step": Step.CHANGE_OUTCOME.value})
    refused = _rights_refusal(WHO_MAY[Step.CHANGE_OUTCOME], actor, owner)
    return refused or Move(Step.CHANGE_OUTCOME, stage, target)


def stage_refusal(stage: Stage, step: Step, owner: str | None) -> Refusal:
    """Why `step` cannot happen while the lead is in `stage`."""
    if step in (Step.CLAIM, Step.PASS) and stage in OWNED_STAGES:
        return Refusal("already_claimed", {"owner": owner or ""})
    if step in OUTCOME_STEPS and stage == Stage.HOT:
        return Refusal("claim_first")
    if step in OUTCOME_STEPS and stage in DECIDED_STAGES:
        return Refusal("already_decided", {"stage": stage.value})
    if step == Step.BOOK_MEETING and stage == Stage.MEETING:
        return Refusal("already_meeting")
    if step in (Step.CLAIM, Step.PASS) and stage in BEFORE_SALES:
        return Refusal("not_hot", {"stage": stage.value})
    return Refusal("wrong_stage", {"stage": stage.value, "step": step.value})


def _rights_refusal(role: Role, actor: Actor, owner: str | None) -> Refusal | None:
    if actor.is_system or role == Role.ANYONE:
        return None
    if role == Role.SYSTEM:
        return Refusal("system_only")
    if role == Role.CLAIMER:
        return None if actor.may_claim or actor.is_admin else Refusal("may_not_claim")
    if actor.is_admin or (owner is not None and actor.user == owner):
        return None
    return Refusal("not_owner", {"owner": owner or ""})


def card_steps(stage: Stage) -> tuple[Step, ...]:
    """The buttons a hot-lead card shows in this stage, in order."""
    return CARD_STEPS.get(stage, ())
