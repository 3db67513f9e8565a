"""The backup taken just before a rollover, for the kind of database in use."""

from __future__ import annotations

from planit_desktop.model.db import Database, backup_sqlite
from planit_desktop.model.services.year_end.apply import Backup


def backup_for(database: Database) -> Backup:
    """A ``backup`` callable for :func:`apply_rollover` on ``database``.

    SQLite: a full copy by the online backup API into the ``backups`` folder beside the
    database file (Refused if it cannot be written). A database server (or a database in
    memory) has no file to copy: the callable returns None and the run records that the
    server's own backups cover it.
    """
    if database.path is None:
        return lambda _label: None

    def write(label: str) -> str:
        return str(backup_sqlite(database, label))

    return write
