"""What a SQLite file must be before Plan-it opens it to write, found out without writing to it.

A file named as the school database may be anything: a folder, a pipe, a file this user may
not read, a spreadsheet, another program's SQLite file, a Plan-it file cut short by a full
disk or a bad copy, or one whose pages are damaged. Each is refused with one line saying
which, before any connection that could change the file (switch its journal mode, migrate
it, roll a journal back) is made: the file is looked at through its header and then
through a read-only SQLite connection that creates nothing beside it.

A file this user may not write is opened read-only (:func:`read_only_url`); in a folder this
user may only read, only from a read-only medium (a CD, a locked memory stick) with every
change already in the file, and refused otherwise.

How much checking is affordable (measured on a 100,000-learner school, a 40 MB file):
``PRAGMA quick_check`` reads every page once and checks each b-tree, record and constraint,
about 0.3 s; it runs whenever a file is opened. ``PRAGMA integrity_check`` also checks that
every index agrees with its table, about 3 s; it runs before the changes a coordinator could
not simply do again (a rollover, through its backup; an undo; an import), because those
changes find their rows through the indexes, and because a damaged file must never be
backed up as if it were good.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy.engine import URL

from planit_desktop.model.errors import DatabaseUnavailable, NewerSchema

SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
#: Problems reported by an integrity check; the first is what the coordinator is told.
_PROBLEMS_LISTED = 5


def check_file(path: Path, *, create: bool) -> bool:
    """Check, without writing to it, that ``path`` can be opened as a Plan-it database.

    Returns True when there is no database there yet (no file, or an empty one) and
    ``create`` allows one to be made; False for an existing Plan-it database that passed the
    header, schema and quick checks. Raises :class:`DatabaseUnavailable` (or
    :class:`NewerSchema`) with the reason in one line otherwise; the file is left untouched.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise DatabaseUnavailable(
                f"{path} is a link to a file that does not exist, so it is not a Plan-it "
                "database. Nothing was changed."
            ) from None
        return _nothing_there(path, create=create, what=f"There is no database at {path}.")
    except NotADirectoryError:
        raise DatabaseUnavailable(
            f"{path} cannot be a database: part of that path is a file, not a folder."
        ) from None
    except PermissionError:
        raise _cannot_read(path, "you do not have permission to open its folder") from None
    except (OSError, RuntimeError) as error:  # a loop of links, a name too long, a lost disk
        raise _cannot_read(path, _reason(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseUnavailable(f"{path} is a folder, not a Plan-it database.")
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseUnavailable(
            f"{path} is not a file (it is a device or a pipe), so it is not a Plan-it "
            "database. Nothing was changed."
        )
    if info.st_size == 0:
        return _nothing_there(
            path,
            create=create,
            what=f"{path} is empty (0 bytes): there is no Plan-it database in it.",
        )
    header = _read_header(path)
    if header[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise DatabaseUnavailable(
            f"{path} is not a Plan-it database (it is not a database file at all). "
            "Nothing was changed."
        )
    _check_size(path, header, info.st_size)
    return _look_inside(path, create=create)


def integrity_check_sql(*, full: bool = True) -> str:
    """SQLite's integrity check (``full``) or its quick check, listing a few problems at most."""
    return f"PRAGMA {'integrity_check' if full else 'quick_check'}({_PROBLEMS_LISTED})"


def problems_found(rows: Iterable[Sequence[object]]) -> list[str]:
    """The problems in the rows of an integrity check: none when its one row says ``ok``."""
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def integrity_problems(connection: sqlite3.Connection, *, full: bool = True) -> list[str]:
    """What SQLite's integrity check (``full``) or quick check finds wrong; empty when sound."""
    return problems_found(connection.execute(integrity_check_sql(full=full)))


def damaged(location: str, problems: list[str] | str) -> DatabaseUnavailable:
    """The refusal for a file that fails SQLite's checks, naming the first problem found."""
    first = problems if isinstance(problems, str) else (problems[0] if problems else "")
    detail = " ".join(first.split())  # SQLite's reports span lines; the message is one
    if len(detail) > 120:
        detail = detail[:117] + "…"
    found = f" (SQLite reports: {detail})" if detail else ""
    return DatabaseUnavailable(
        f"The database at {location} is damaged{found}. Nothing was changed. Restore the "
        "latest backup (in the backups folder beside it), or ask whoever looks after your "
        "computers for help."
    )


def _nothing_there(path: Path, *, create: bool, what: str) -> bool:
    if not create:
        raise DatabaseUnavailable(f"{what} Nothing was changed.")
    if not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"The folder {path.parent} does not exist, so no database can be made there."
        )
    return True


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def _cannot_read(path: Path, reason: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The database at {path} cannot be read: {reason}. Nothing was changed."
    )


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEADER_SIZE)
    except PermissionError:
        raise _cannot_read(path, "you do not have permission to read it") from None
    except OSError as error:
        raise _cannot_read(path, _reason(error)) from None


def _cut_short(path: Path, size: int, expected: int | None = None) -> DatabaseUnavailable:
    of = f" of the {expected:,} it should have" if expected else ""
    return DatabaseUnavailable(
        f"The database at {path} is damaged: the file is cut short ({size:,} bytes{of}), "
        "as after a full disk or an unfinished copy. Nothing was changed. Restore the "
        "latest backup (in the backups folder beside it)."
    )


def _check_size(path: Path, header: bytes, size: int) -> None:
    """A file shorter than its own header says is cut short (a copy or a disk that failed).

    The header's page count is only trusted as SQLite trusts it: when the "version valid for"
    number matches the change counter. With changes still waiting in a ``-wal`` file beside
    it the main file may lawfully lag behind, so it is left to SQLite's own checks.
    """
    if len(header) < HEADER_SIZE:
        raise _cut_short(path, size)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(str(path), "the header gives no valid page size")
    if size < page_size:
        raise _cut_short(path, size, page_size)
    if _has_changes_waiting(path):
        return
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        raise _cut_short(path, size, pages * page_size)


def _has_changes_waiting(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size > 0
    except OSError:
        return False


def _sidecars(path: Path) -> bool:
    return any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm", "-journal"))


# --- opening a file that cannot be written ---------------------------------------------------
def is_read_only(path: Path) -> bool:
    """True when this user may not write the (existing) file."""
    return path.exists() and not os.access(path, os.W_OK)


def _on_read_only_medium(path: Path) -> bool:
    """True when ``path`` is on a file system mounted read-only (a CD, a locked memory stick)."""
    if not hasattr(os, "statvfs"):  # Windows
        return False
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def read_only_url(path: Path) -> URL:
    """How to open a database file that cannot be written: ``mode=ro``.

    SQLite reads a WAL database (as Plan-it's are) with the help of a ``-shm`` file beside
    it, which it makes if none is there. Where none can be made: on a read-only medium, with
    every change already in the file (no ``-wal`` file beside it), nothing can change the file,
    so ``immutable=1`` lets SQLite do without; elsewhere (a folder this user may only read,
    where someone else may be writing) the database is refused with a clear message.
    """
    query = {"mode": "ro", "uri": "true"}
    shared = Path(f"{path}-shm")
    if _is_wal(path) and not shared.exists() and not os.access(path.parent, os.W_OK):
        wal = Path(f"{path}-wal")
        if _on_read_only_medium(path) and (not wal.exists() or wal.stat().st_size == 0):
            query["immutable"] = "1"
        else:
            raise DatabaseUnavailable(
                f"The database at {path} cannot be opened: it is read-only, and so is the "
                "folder it is in. Copy it to a folder you can write to and open the copy, or "
                "ask for write access. Nothing has been changed."
            )
    # The file as a URI (as_uri() percent-encodes it), so ?, # and % in its name are literal.
    return URL.create("sqlite", database=path.absolute().as_uri(), query=query)


def _is_wal(path: Path) -> bool:
    """True when the file's header says it is in WAL mode (byte 18: 1 rollback, 2 WAL)."""
    with path.open("rb") as handle:
        header = handle.read(20)
    return len(header) == 20 and header[18] == 2


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    # as_uri() percent-encodes the name, so ?, # and % in it are taken literally.
    uri = f"{path.absolute().as_uri()}?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def _look_inside(path: Path, *, create: bool) -> bool:
    """Read the schema and run the quick check through a connection that writes nothing.

    A read-only SQLite connection still creates ``-wal`` and ``-shm`` files beside a WAL
    file; when neither is there (no program has the file open, every change is in it),
    ``immutable=1`` reads the file alone and so creates nothing. Should a program open the
    file meanwhile and the look fail, it is tried once more the ordinary read-only way.
    """
    immutable = not _sidecars(path)
    try:
        return _look(path, create=create, immutable=immutable)
    except DatabaseUnavailable:
        if not immutable or not _sidecars(path):
            raise
        return _look(path, create=create, immutable=False)


def _look(path: Path, *, create: bool, immutable: bool) -> bool:
    try:
        connection = sqlite3.connect(_read_only_uri(path, immutable=immutable), uri=True)
    except sqlite3.Error as error:
        raise _sqlite_refusal(path, error) from None
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables:  # an SQLite file with nothing in it yet
            return _nothing_there(
                path, create=create, what=f"{path} holds no Plan-it data (it is empty)."
            )
        revision = None
        if "alembic_version" in tables:
            (revision,) = connection.execute(
                "SELECT max(version_num) FROM alembic_version"
            ).fetchone()
        if revision is None:
            raise DatabaseUnavailable(f"{path} is not a Plan-it database. Nothing was changed.")
        _check_revision(path, str(revision))
        problems = integrity_problems(connection, full=False)
    except sqlite3.Error as error:
        raise _sqlite_refusal(path, error) from None
    finally:
        connection.close()
    if problems:
        raise damaged(str(path), problems)
    return False


def _check_revision(path: Path, revision: str) -> None:
    from planit_desktop.model import migrations

    if revision != migrations.HEAD and revision not in migrations.known_revisions():
        raise NewerSchema(
            f"The database at {path} was written by a newer version of Plan-it Desktop. "
            "Install the newer version to open it; nothing has been changed."
        )


def _sqlite_refusal(path: Path, error: sqlite3.Error) -> DatabaseUnavailable:
    message = str(error).lower()
    if "locked" in message or "busy" in message:
        return DatabaseUnavailable(
            f"The database at {path} is busy: another program or coordinator is writing to "
            "it. Wait a moment and try again."
        )
    if "not a database" in message or "malformed" in message or "corrupt" in message:
        return damaged(str(path), str(error))
    if "unable to open" in message and not os.access(path, os.R_OK):
        return _cannot_read(path, "you do not have permission to read it")
    return _cannot_read(path, str(error))
