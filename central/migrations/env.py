"""Alembic's environment for central: always run from central.migrate with a connection that
already holds central's migration lock (see central.migrate), never from an alembic.ini."""

from __future__ import annotations

from alembic import context

from central.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying a table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
