"""Alembic environment: always given a connection by planit_desktop.model.migrations."""

from __future__ import annotations

from alembic import context

from planit_desktop.model.entities import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the program runs these migrations
    raise RuntimeError("Run migrations through planit_desktop.model.migrations.upgrade().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
