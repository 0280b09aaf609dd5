"""Migrations build exactly the schema the models describe, and re-running them is harmless."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.db import create_database
from storage.migrate import migrate
from storage.tables import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = create_database(database_url)
    try:
        await migrate(db)
        await migrate(db)  # a second start finds nothing to do
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await db.dispose()
