"""Small helpers for the services' Core statements: tables, row counts, and long IN (…) lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import Result

T = TypeVar("T")

#: Values per IN (…) list: well under every database's limit on bound parameters (SQLite's
#: 32,766, PostgreSQL's 65,535), so a statement about any number of learners can be sent.
CHUNK = 500


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most :data:`CHUNK`, each for one IN (…) list."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def cast_table(entity: type[Any]) -> Table:
    """The Core table behind a mapped class (for set-based INSERT … SELECT and UPDATE … FROM)."""
    table = entity.__table__
    assert isinstance(table, Table)
    return table


#: Execution options for an INSERT … SELECT whose row count is wanted: without them a driver
#: may close the cursor first (psycopg then reports -1); SQLite keeps it either way.
COUNTED: dict[str, Any] = {"execution_options": {"preserve_rowcount": True}}


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE, or inserted by an INSERT … SELECT."""
    return int(getattr(result, "rowcount", 0) or 0)
