"""Alembic environment: runs on the connection bot.database passes in (the conversation database's
migrations, versions/, or the erasure log's, erasure_log/)."""

from alembic import context

from bot.database import TABLES, VERSION_TABLE, ours

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=TABLES,
    version_table=VERSION_TABLE,
    include_name=ours,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
