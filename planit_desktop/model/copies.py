"""A copy of a server database in a file: "Back up now" on PostgreSQL.

A database server is backed up by the server's own means (``pg_dump``, continuous archiving),
which the trust's IT team sets up; the rollover's journal inside the database makes undo work
without a file. A coordinator may still want a copy of the data in hand before a risky change,
so this writes every table, as one consistent snapshot, into a Plan-it SQLite file with the
same schema: the program itself can open it (File ▸ Open database…).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from planit_desktop.config import sqlite_url
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import Base
from planit_desktop.model.errors import PlanitError, Refused

#: Rows copied per INSERT: keeps memory flat on a whole local authority's data.
BATCH = 5_000
#: How the audit log names the copy (recorded by ``personal_files.write_recorded``).
COPY_WHAT = "copy of the database"

SERVER_BACKUP_NOTE = (
    "This database is on a shared PostgreSQL server. The server's own backups, set up by "
    "your IT team (pg_dump or continuous archiving), are what protect it; every rollover "
    "also keeps a journal inside the database, so it can be undone without a file."
)


def copy_to_file(
    database: Database, target: Path, progress: Callable[[str], None] | None = None
) -> Path:
    """Write every table of ``database`` into a new SQLite file at ``target``.

    The rows are read in one repeatable-read snapshot, so the copy is consistent even while
    other coordinators work. The file is written under a temporary name and renamed: a
    failure leaves no half-written copy. Raises :class:`Refused` with the reason. The copy is
    made private to its owner (as every new database is); it holds every learner's data, so
    write it through ``personal_files.write_recorded``, which records it (:data:`COPY_WHAT`).
    """
    partial = target.with_name(target.name + ".part")
    with contextlib.suppress(OSError):
        partial.unlink(missing_ok=True)
    try:
        copy = open_database(sqlite_url(partial))
        try:
            _copy_tables(database, copy, progress)
        finally:
            copy.dispose()
        partial.replace(target)
    except (OSError, SQLAlchemyError, PlanitError) as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise Refused(f"The copy could not be written to {target} ({error}).") from error
    return target


def _copy_tables(source: Database, copy: Database, progress: Callable[[str], None] | None) -> None:
    tables = [table for table in Base.metadata.sorted_tables if table.name != "alembic_version"]
    with source.engine.connect() as reading, copy.engine.begin() as writing:
        if reading.dialect.name == "postgresql":
            reading.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for table in tables:
            writing.execute(table.delete())  # a new file holds only the migrations' rows
        for table in tables:
            if progress is not None:
                progress(f"Copying {table.name.replace('_', ' ')}…")
            rows = reading.execution_options(yield_per=BATCH).execute(select(table))
            for chunk in rows.mappings().partitions(BATCH):
                writing.execute(insert(table), [dict(row) for row in chunk])
