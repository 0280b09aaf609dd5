"""The rescore sweep: changed rules recomputed, decay applied, leads that turned hot alerted."""

from __future__ import annotations

from dataclasses import dataclass

from leadloop.calibrate import calibrate
from leadloop.context import Loop
from leadloop.hot import promote_hot
from storage.rescore import apply_decay, recompute_changed_rules


@dataclass(frozen=True)
class RescoreResult:
    """What one sweep changed."""

    rescored: int
    recomputed: int
    became_hot: int


async def rescore(loop: Loop) -> RescoreResult:
    """Recompute stale rules, apply decay to every score, alert leads that turned hot."""
    recomputed = await recompute_changed_rules(loop.db, config=loop.config, now=loop.now())
    await calibrate(loop)
    rescored = await apply_decay(loop.db, config=loop.config, now=loop.now())
    became_hot = await promote_hot(loop)
    return RescoreResult(rescored=rescored, recomputed=recomputed, became_hot=became_hot)
