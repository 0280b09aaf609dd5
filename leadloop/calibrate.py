"""Calibration as a sweep step: learn weights from outcomes, give every lead its points."""

from __future__ import annotations

from leadloop.context import Loop
from leads.calibration import Weight, weights
from leads.funnel import Dimension
from storage.calibration import apply_weights, save_weights, tallies


async def calibrate(loop: Loop) -> list[Weight]:
    """Learn each source's and event's weight when calibration is on (none when it is off),
    store them, and move every lead's score by its source's and event's points."""
    learned: list[Weight] = []
    if loop.config.calibration.enabled:
        async with loop.db.read() as session:
            for dimension in Dimension:
                found = await tallies(session, dimension)
                learned += weights(dimension, found, loop.config.calibration)
        async with loop.db.write() as session:
            await save_weights(session, learned, loop.now())
    await apply_weights(loop.db, learned)
    return learned
