"""What a card shows besides the lead itself, looked up in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from blocks.cards import CardView
from leadloop.context import Loop
from leads.calibration import Weight
from leads.funnel import Dimension
from leads.lead import Lead
from storage.calibration import stored_weights
from storage.leads import passed_by


async def calibration_of(session: AsyncSession, loop: Loop, lead: Lead) -> tuple[Weight, ...]:
    """The weights of the lead's source and event that move its score (calibration on)."""
    if not loop.config.calibration.enabled:
        return ()
    wanted = [(Dimension.SOURCE, lead.facts().source), (Dimension.EVENT, lead.profile.event)]
    return tuple(weight for weight in await stored_weights(session, wanted) if weight.points)


async def card_view(
    session: AsyncSession, loop: Loop, lead: Lead, *, moved_to: str = ""
) -> CardView:
    """Who passed on the lead, where it went, what outcomes taught, and the currency."""
    return CardView(
        passed_by=await passed_by(session, lead.id),
        moved_to=moved_to,
        calibration=await calibration_of(session, loop, lead),
        currency=loop.config.outcomes.currency,
    )
