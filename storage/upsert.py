"""Dialect-aware INSERT … ON CONFLICT helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import Base


def dialect_insert(session: AsyncSession, table: type[Base]) -> Any:
    """The INSERT construct of the session's dialect, which knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_ignoring_conflict(
    session: AsyncSession, table: type[Base], values: dict[str, Any], *, conflict_on: str
) -> Any | None:
    """Insert a row unless `conflict_on` already holds the value; return the new id or None."""
    statement: Insert = (
        dialect_insert(session, table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[conflict_on])
        .returning(table.__table__.primary_key.columns.values()[0])  # type: ignore[attr-defined]
    )
    return (await session.execute(statement)).scalar()


async def upsert(
    session: AsyncSession,
    table: type[Base],
    values: dict[str, Any],
    *,
    key: str | tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert or overwrite the row identified by `key` (a column, or several); the `keep`
    columns are only set by the insert."""
    keys = (key,) if isinstance(key, str) else key
    statement = dialect_insert(session, table).values(values)
    updates = {
        column: statement.excluded[column]
        for column in values
        if column not in keys and column not in keep
    }
    await session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updates))
