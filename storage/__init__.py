"""Persistence: SQLAlchemy tables, repositories, migrations and the outbox."""
