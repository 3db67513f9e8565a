"""The backup taken just before a rollover, for the kind of database in use."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

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


def backup_of(session: Session) -> Backup:
    """The backup of the database ``session`` works on (see :func:`backup_for`): what
    :func:`~planit_desktop.model.services.year_end.run.run_year_end` takes itself, so no
    caller has to remember it."""
    engine = session.get_bind().engine
    url = engine.url.render_as_string(hide_password=False)
    return backup_for(Database(url=url, engine=engine, session_factory=sessionmaker(engine)))
