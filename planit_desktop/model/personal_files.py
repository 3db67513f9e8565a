"""Files of personal data written out of the database: private to their owner, and each
recorded in the audit log with its full path.

**Private.** Every such file (a database and its ``-wal`` and ``-shm`` files, backups,
copies, reports, exports, password lists and slips) is created readable and writable by its
owner only, ``0600``, before anything is written into it: databases and backups through
:func:`create_private`, workbooks and PDFs through ``workbooks.save_atomically``, whose
temporary file ``tempfile.mkstemp`` makes ``0600``. SQLite gives a database's ``-wal``,
``-shm`` and journal files the mode of the database file. On Windows a mode means nothing:
files in the user's profile (where the data folder is, and where the save dialogs start)
are private to the user by the profile's own permissions, and nothing else is done there.
Files that exist already keep the mode their owner gave them.

**Audited.** A service that writes a file inside a write transaction records it there
itself (``audit.file_written``): the learners export, the support requests, the backup
taken before a rollover. A file written from a read-only session, or from none (the
rollover report and summary, **Back up now**, the backup before an upgrade, a copy of a
server database, the rows to fix), is recorded by :func:`write_recorded` or
:func:`write_report` in a transaction of its own as soon as the file is complete; if that
record cannot be written, the file is removed, so no file of personal data is left that the
audit log does not know of.

**A read-only database** cannot record anything, so nothing of personal data is written from
it: the refusal comes before anything is written, and says to copy the database somewhere
it can be written (the copy then records what is written from it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from planit_desktop.model.errors import PlanitError, Refused

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from planit_desktop.model.actor import Actor

#: Read and write for the owner only.
PRIVATE = 0o600
#: How the audit log names a backup made with **Back up now**, and one before an upgrade.
BACKUP_WHAT = "backup"
UPGRADE_BACKUP_WHAT = "backup before an upgrade"


def create_private(path: str | os.PathLike[str]) -> None:
    """Create ``path`` as an empty file that only its owner may read or write.

    Raises FileExistsError if something is there already (it is never taken over).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(path, flags, PRIVATE))


class Database(Protocol):
    """What recording a file needs of the open database (a :class:`~planit_desktop.model.db.
    Database`; named here as a protocol, since the database module creates files with this
    one's help)."""

    @property
    def read_only(self) -> bool: ...

    @property
    def location(self) -> str: ...

    def begin(self) -> AbstractContextManager[Session]: ...

    def read(self) -> AbstractContextManager[Session]: ...


def refuse_if_unrecordable(database: Database, what: str) -> None:
    """Refuse, before anything is written, a file that ``database`` could not record."""
    if database.read_only:
        raise Refused(
            f"The {what} was not written: the database at {database.location} is read-only, "
            "so writing it could not be recorded in its audit log. Copy the database to a "
            "folder you can write to, open the copy, and write it from there."
        )


def record_written(
    database: Database,
    actor: Actor | str,
    *,
    what: str,
    path: str | os.PathLike[str],
    rows: int | None = None,
) -> Path:
    """Record in a transaction of its own that the complete file ``path`` was written.

    If the record cannot be written the file is removed, and :class:`Refused` says so.
    """
    from planit_desktop.model.services import audit

    target = Path(path)
    try:
        with database.begin() as session:
            audit.file_written(session, actor, what=what, path=target, rows=rows)
    except PlanitError as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise Refused(
            f"The {what} was written to {target}, but it could not be recorded in the audit "
            f"log ({error.message}), so it was removed. Try again."
        ) from error
    return target


def write_recorded(
    database: Database,
    actor: Actor | str,
    *,
    what: str,
    write: Callable[[], str | os.PathLike[str]],
    rows: int | None = None,
) -> Path:
    """``write()`` a file of personal data (returning its path), then record it.

    Refused first on a read-only database; see :func:`record_written`.
    """
    refuse_if_unrecordable(database, what)
    return record_written(database, actor, what=what, path=write(), rows=rows)


def write_report(
    database: Database,
    actor: Actor | str,
    *,
    what: str,
    write: Callable[[Session], str | os.PathLike[str]],
) -> Path:
    """``write(session)`` a file from a read-only session (a report), then record it.

    The reading takes no write lock, however long the file takes to write; the record is
    a short transaction of its own right after.
    """
    refuse_if_unrecordable(database, what)
    with database.read() as session:
        path = write(session)
    return record_written(database, actor, what=what, path=path)
