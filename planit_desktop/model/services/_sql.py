"""Small typing helpers for the rollover's Core statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Result


def cast_table(entity: type[Any]) -> Table:
    """The Core table behind a mapped class (for set-based INSERT … SELECT and UPDATE … FROM)."""
    table = entity.__table__
    assert isinstance(table, Table)
    return table


#: Execution options for an INSERT … SELECT whose row count is wanted: without them a driver
#: may close the cursor first (psycopg then reports -1); SQLite keeps it either way.
COUNTED: dict[str, Any] = {"execution_options": {"preserve_rowcount": True}}


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or inserted by an INSERT … SELECT."""
    return int(getattr(result, "rowcount", 0) or 0)
