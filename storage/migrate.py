"""Apply Alembic migrations from code, safely when several replicas start at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")
ADVISORY_LOCK_KEY = 0x1EADB07  # any constant shared by every replica


def alembic_config(url: str = "") -> Config:
    """Alembic settings pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(database: Database) -> None:
    """Bring the schema to the newest revision; PostgreSQL replicas take turns."""
    async with database.engine.connect() as plain:
        connection = await plain.execution_options(leadbot_write=True)
        async with connection.begin():
            if not database.is_sqlite:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            await connection.run_sync(_upgrade_to_head)


def _upgrade_to_head(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
