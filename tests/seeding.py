"""Leads with a given past, written straight into the tables (for report and sweep tests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.db import Database
from storage.tables import AUDIT, HISTORY, LEADS


def lead_values(n: int, created_at: datetime, **columns: Any) -> dict[str, Any]:
    """Every column of a lead row, with `columns` overriding the plain defaults."""
    email = f"lead{n}@seed.example"
    values: dict[str, Any] = {
        "email_key": email, "name": f"Lead {n}", "company": "", "email": email, "phone": "",
        "phone_key": "", "title": "", "company_size": "", "industry": "", "source": "event",
        "event": "", "interest": "warm", "product": "", "budget": "", "timeline": "",
        "consent": False, "notes": "", "region": "", "stage": "new", "owner": None, "fit": 0.0,
        "engagement": 0.0, "engagement_at": created_at.timestamp(), "score": 0, "reasons": [],
        "rules_version": "seeded", "touch_count": 1, "route_channel": "", "route_rule": "",
        "card_channel": "", "card_ts": "", "captured_by": "U0STAFF", "created_at": created_at,
        "updated_at": created_at, "hot_at": None, "claimed_at": None, "outcome": "",
        "deal_value": None, "lost_reason": "", "lost_detail": "", "outcome_by": "",
        "outcome_at": None, "meeting_at": None, "won_at": None, "lost_at": None,
        "calibration": 0.0,
    }  # fmt: skip
    values.update(columns)
    return values


async def seed_lead(
    db: Database,
    n: int,
    created_at: datetime,
    path: list[tuple[str, timedelta]],
    *,
    value: float | None = None,
    reason: str = "",
    breach: bool = False,
    **columns: Any,
) -> int:
    """A lead that went through `path` (stage, time after capture); its history, outcome
    columns and (with `breach`) an SLA breach; returns its id."""
    stages = dict(path)
    at = {stage: created_at + delay for stage, delay in path}
    decided = [stage for stage, _ in path if stage in ("won", "lost")]
    outcome = decided[-1] if decided else ""
    row = lead_values(
        n,
        created_at,
        stage=path[-1][0] if path else "new",
        owner="U0REP" if "claimed" in stages else None,
        hot_at=at.get("hot"),
        claimed_at=at.get("claimed"),
        outcome=outcome,
        deal_value=value if outcome == "won" else None,
        lost_reason=reason if outcome == "lost" else "",
        outcome_at=at.get(outcome) if outcome else None,
        won_at=at.get("won") if outcome == "won" else None,
        lost_at=at.get("lost") if outcome == "lost" else None,
        meeting_at=at.get("meeting"),
        **columns,
    )
    async with db.write() as session:
        lead_id = int(
            (await session.execute(insert(LEADS).returning(LEADS.c.id), row)).scalar_one()
        )
        history = [_history(lead_id, "", "new", created_at)]
        previous = "new"
        for stage, _ in path:
            history.append(
                _history(lead_id, previous, stage, at[stage], value=value, reason=reason)
            )
            previous = stage
        await session.execute(insert(HISTORY), history)
        if breach:
            await session.execute(
                insert(AUDIT),
                {"lead_id": lead_id, "actor": "leadbot", "action": "sla_breach", "detail": {},
                 "created_at": created_at},
            )  # fmt: skip
    return lead_id


def _history(
    lead_id: int,
    source: str,
    target: str,
    at: datetime,
    *,
    value: float | None = None,
    reason: str = "",
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "from_stage": source,
        "to_stage": target,
        "actor": "U0REP",
        "reason": reason if target == "lost" else "",
        "value": value if target == "won" else None,
        "created_at": at,
    }
