"""Alembic environment for HQ: runs on the engine handed over by `sync.hq.db.migrate`."""

from __future__ import annotations

from alembic import context

from sync.hq.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
