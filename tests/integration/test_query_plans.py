"""No query a person can trigger scans the leads table: every one is answered by an index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection

from leads.config import LeadbotConfig
from leads.model import Stage
from leads.routing import RoutingRule
from tests.conftest import StartLeadbot
from tests.harness import (
    BOOTH,
    SALES,
    Leadbot,
    capture,
    click,
    hot_card,
    prefilled_values,
    record_outcome,
    text_values,
    until_stage,
)

PARTNERS = "C0PARTNERS"
TOUCHES_LEADS = re.compile(r"\b(FROM|UPDATE|JOIN)\s+leads\b", re.IGNORECASE)
TEST_OWN_READ = "FROM leads ORDER BY leads.id"  # Leadbot.leads(), the test looking at the table


@contextmanager
def recorded_statements(bot: Leadbot) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT/UPDATE/DELETE that reads the leads table while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        statement, parameters, many = args[2], args[3], args[5]
        if statement.rstrip().endswith(TEST_OWN_READ):
            return
        if TOUCHES_LEADS.search(statement) and not statement.lstrip().upper().startswith("INSERT"):
            seen.append((statement, parameters[0] if many else parameters))

    engine = bot.svc.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def person_does_everything(leadbot: Leadbot) -> None:
    """Capture, repeat, edit, look at Home, set an event, claim, pass, record outcomes."""
    await leadbot.command("event Tokyo Expo 2026")
    await leadbot.command("event")
    await leadbot.command("Jane Roe, jane@initech.example, 090-1111-2222, warm")
    await leadbot.command("Jane Roe, 090 1111 2222, met again")
    [lead] = [lead for lead in await leadbot.leads() if lead.profile.name == "Jane Roe"]
    await leadbot.click("lead_edit", str(lead.id), user="U0STAFF", channel=BOOTH)
    [opened] = await leadbot.slack.wait_for("views.open")
    values = prefilled_values(opened.args["view"]) | text_values(company="Initech Global")
    await leadbot.submit(values, metadata=opened.args["view"]["private_metadata"])
    await leadbot.event(
        {"type": "app_home_opened", "user": "U0STAFF", "tab": "home"}, event_id="E1"
    )
    passed = await hot_card(leadbot, name="Pat Passer", email="pat@initech.example")
    await click(leadbot, "lead_pass", passed, "U0ANN")
    await leadbot.posted_to(PARTNERS)
    leadbot.slack.set_members(SALES, ["U0ANN"])
    leadbot.clock.advance(seconds=2)  # cards to one channel are paced
    claimed = await hot_card(leadbot, name="Cal Claimed", email="cal@initech.example")
    await click(leadbot, "lead_claim", claimed, "U0ANN")
    await until_stage(leadbot, claimed, Stage.CLAIMED)
    await click(leadbot, "lead_meeting", claimed, "U0ANN")
    await until_stage(leadbot, claimed, Stage.MEETING)
    await record_outcome(leadbot, claimed, "U0ANN", "won", value="100")
    await until_stage(leadbot, claimed, Stage.WON)
    await capture(leadbot, name="Cal Claimed", email="cal@initech.example", notes="again")
    await leadbot.settle()


def full_scans(connection: Connection, statement: str, parameters: Any) -> list[str]:
    """The plan lines that read the whole leads table."""
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        details = [str(row[-1]) for row in plan]
        return [line for line in details if re.match(r"SCAN leads\b", line)]
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return [str(row[0]) for row in plan if "Seq Scan on leads" in str(row[0])]


async def test_no_query_a_person_triggers_scans_the_leads_table(
    start_leadbot: StartLeadbot,
) -> None:
    routing = (RoutingRule(channel=SALES, pass_to=PARTNERS),)
    leadbot = await start_leadbot(LeadbotConfig(routing=routing))

    with recorded_statements(leadbot) as statements:
        await person_does_everything(leadbot)

    assert len(statements) > 20
    scans = {}
    async with leadbot.svc.db.engine.connect() as connection:
        for statement, parameters in statements:
            found = await connection.run_sync(full_scans, statement, parameters)
            if found:
                scans[statement] = found
        await connection.rollback()
    assert scans == {}
