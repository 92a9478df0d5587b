"""Alembic environment: runs on the connection bot/timelines/database.py passes in."""

from alembic import context

from bot.timelines.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
