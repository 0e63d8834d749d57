"""Alembic's entry point: migrations run on the connection pufa hands in (bot/store/migrate.py)."""

from __future__ import annotations

from alembic import context

from bot.store.migrate import ours
from bot.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=ours,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
