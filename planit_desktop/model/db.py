"""Opening the school database: engine, sessions, SQLite pragmas, migrations on open, backups.

One :class:`Database` per open database. Callers own one Session per user action::

    with database.begin() as session:
        learners.mark_left(session, actor, ...)
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError as UrlError
from sqlalchemy.orm import Session, sessionmaker

from planit_desktop.config import hide_password
from planit_desktop.model import db_files, migrations
from planit_desktop.model.db_errors import translate_errors
from planit_desktop.model.errors import DatabaseUnavailable, NewerSchema, PermissionDenied, Refused
from planit_desktop.model.personal_files import UPGRADE_BACKUP_WHAT, create_private

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_ONLY = "planit_read_only"
BACKUPS = "backups"
#: How a backup being written is named until it is complete (and how a killed one is found).
PARTIAL = ".part"


@dataclass
class Database:
    """An open, migrated school database."""

    url: str = field(repr=False)  # it may hold a password
    engine: Engine
    session_factory: sessionmaker[Session]
    read_only: bool = False
    _reader: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a database server."""
        return sqlite_file(self.url) if self.is_sqlite else None

    @property
    def location(self) -> str:
        """Where the data lives, fit for a status bar (no password shown)."""
        # Not SQLAlchemy's rendering: a password typed with an "@" in it would show in part.
        return str(self.path) if self.path else hide_password(self.url)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One write transaction for one user action; committed at the end, or rolled back.

        On SQLite it starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two
        coordinators cannot both read-then-write the same rows. A refusal for lack of
        permission is audited in a transaction of its own, since the action's is rolled back.
        """
        if self.read_only:
            raise Refused(
                f"The database at {self.location} is read-only, so nothing can be changed. "
                "Copy it somewhere you can write to, or ask for write access."
            )
        try:
            with translate_errors(self.location) as stage, self.session_factory.begin() as session:
                yield session
                stage.saving = True  # the action is done: what follows is its COMMIT
        except PermissionDenied as refused:
            self._audit_refusal(refused)
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for looking only; it takes no write lock."""
        if self._reader is None:
            self._reader = sessionmaker(
                self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
            )
        with translate_errors(self.location), self._reader.begin() as session:
            yield session

    def check_integrity(self) -> None:
        """Refuse a SQLite file that fails SQLite's full integrity check; call before a change
        that could not simply be done again (an undo, an import). A server checks itself.

        Raises :class:`DatabaseUnavailable` naming the first problem; nothing is changed.
        """
        if self.path is None:
            return
        # A read-only connection: the check reads every page, and must not hold the write lock.
        with (
            translate_errors(self.location),
            self.engine.execution_options(**{READ_ONLY: True}).connect() as connection,
        ):
            problems = db_files.problems_found(
                connection.exec_driver_sql(db_files.integrity_check_sql())
            )
        if problems:
            raise db_files.damaged(self.location, problems)

    def _audit_refusal(self, refused: PermissionDenied) -> None:
        from planit_desktop.model.services import audit

        if self.read_only:
            return
        with translate_errors(self.location), self.session_factory.begin() as session:
            audit.record(session, refused.actor_login, "refused", detail=refused.action)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # Readers never wait for the writer, and a crash mid-write leaves the file whole.
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | URL, *, read_only: bool = False) -> Engine:
    """An engine with the house settings for its kind of database."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        if not read_only:
            event.listen(engine, "connect", _sqlite_wal)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as error:
        raise DatabaseUnavailable(
            f"The driver for {parsed.get_backend_name()} is not installed "
            "(for PostgreSQL: pip install 'planit-desktop[postgres]')."
        ) from error


def _parse(url: str | URL) -> URL:
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except UrlError as error:
        shown = hide_password(url) if isinstance(url, str) else url.render_as_string()
        raise DatabaseUnavailable(f"“{shown}” is not a database path or address.") from error


def sqlite_file(url: str | URL) -> Path | None:
    """The file a ``sqlite:///`` URL names, or None (a server, a database in memory, a URI)."""
    parsed = _parse(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def open_database(url: str, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and if needed create and migrate) the database at ``url``.

    Raises :class:`DatabaseUnavailable` with a message fit for the coordinator when the place
    is missing, is not a Plan-it database, is damaged or unreadable, is locked, or is from a
    newer program; in each case nothing is changed. A SQLite file is checked read-only (see
    :mod:`planit_desktop.model.db_files`) before any connection that could write to it; only
    with ``create`` is a missing or empty (0-byte) file made into a school database.
    """
    path = sqlite_file(url)
    if path is not None and db_files.check_file(path, create=create) and not path.exists():
        _create_private_database(path)
    engine = make_engine(url)
    read_only = False
    if path is not None:
        read_only = db_files.is_read_only(path)
        if read_only:
            engine.dispose()
            engine = make_engine(db_files.read_only_url(path), read_only=True)
    database = Database(
        url=url,
        engine=engine,
        session_factory=sessionmaker(engine, expire_on_commit=False),
        read_only=read_only,
    )
    try:
        with translate_errors(database.location):
            _check_foreign_keys(database)
            if migrate:
                _bring_schema_up_to_date(database)
    except BaseException:
        engine.dispose()
        raise
    if path is not None and not read_only:
        remove_partial_backups(path.parent / BACKUPS)
    return database


def _create_private_database(path: Path) -> None:
    """Make the new database file private to its owner before SQLite writes to it; SQLite
    gives its ``-wal`` and ``-shm`` files the same mode (see personal_files)."""
    try:
        create_private(path)
    except FileExistsError:
        pass  # made meanwhile by someone else: SQLite opens it as it is
    except OSError as error:
        raise DatabaseUnavailable(
            f"No database can be made at {path} ({error.strerror or error})."
        ) from error


def _check_foreign_keys(database: Database) -> None:
    if not database.is_sqlite:
        return
    with database.engine.connect() as connection:
        enabled = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    if enabled != 1:
        raise DatabaseUnavailable(
            "This copy of SQLite cannot enforce the links between records (foreign keys), "
            "so Plan-it Desktop will not run on it."
        )


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for a database with none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _bring_schema_up_to_date(database: Database) -> None:
    revision = current_revision(database.engine)
    if revision == migrations.HEAD:
        return
    if revision is None:
        with database.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        if tables:
            raise DatabaseUnavailable(f"{database.location} is not a Plan-it database.")
    elif revision not in migrations.known_revisions():
        raise NewerSchema(
            f"The database at {database.location} was written by a newer version of Plan-it "
            "Desktop. Install the newer version to open it; nothing has been changed."
        )
    if database.read_only:
        raise DatabaseUnavailable(
            f"The database at {database.location} needs updating, but it is read-only."
        )
    backup = None
    if revision is not None and database.path is not None:
        backup = backup_sqlite(database, f"before-upgrade-from-{revision}")
    migrations.upgrade(database.engine)
    if backup is not None:  # recorded once the audit log has the schema this program writes
        _record_upgrade_backup(database, backup)


def _record_upgrade_backup(database: Database, backup: Path) -> None:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.services import audit

    # Nobody has signed in yet: the upgrade is done for whoever runs the program, recorded
    # by their name on the computer (os:<user>), as a new school's founder is.
    with translate_errors(database.location), database.session_factory.begin() as session:
        audit.file_written(session, Actor.founder().login, what=UPGRADE_BACKUP_WHAT, path=backup)


def backups_folder(database: Database) -> Path:
    """The ``backups`` folder beside the database file."""
    if database.path is None:
        raise Refused(
            "This database is on a server; its backups are made by the server's own backup."
        )
    return database.path.parent / BACKUPS


def backup_sqlite(database: Database, label: str) -> Path:
    """Write a consistent copy of the whole database with SQLite's online backup API.

    The copy is written to a temporary name and renamed, so no half-written backup is ever
    left looking complete; one left by a backup that was killed is removed first. The copy
    must pass SQLite's full integrity check before it is named a backup: a damaged database
    is refused (:class:`DatabaseUnavailable`), never backed up as if it were good. Raises
    :class:`Refused` if the copy cannot be written.
    """
    folder = backups_folder(database)
    remove_partial_backups(folder)
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    target = folder / f"planit_{stamp}_{label}.db"
    partial = target.with_suffix(".db" + PARTIAL)
    made_folder = not folder.exists()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Made private before SQLite writes a page into it (see personal_files).
        partial.unlink(missing_ok=True)
        create_private(partial)
        raw = database.engine.raw_connection()
        try:
            destination = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(destination)  # type: ignore[union-attr]
                problems = db_files.integrity_problems(destination)
            finally:
                destination.close()
        finally:
            raw.close()
        if problems:
            raise db_files.damaged(database.location, problems)
        partial.replace(target)
    except BaseException as error:
        _remove_partial(partial)
        if made_folder:  # leave no trace beside a database that was refused
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, sqlite3.DatabaseError) and _is_damage(error):
            raise db_files.damaged(database.location, str(error)) from error
        if isinstance(error, OSError | sqlite3.Error):
            raise Refused(
                f"The backup could not be written to {folder} ({error}). Nothing has been changed."
            ) from error
        raise
    return target


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    message = str(error).lower()
    return "malformed" in message or "not a database" in message


def remove_partial_backups(folder: Path) -> list[Path]:
    """Remove what killed backups left in ``folder`` (``*.part`` copies and their journals).

    A partial copy that a backup running right now is writing is kept: SQLite holds a lock
    on it, which the probe here sees. Returns the copies removed.
    """
    try:
        leftovers = sorted(folder.glob("*" + PARTIAL))
    except OSError:
        return []
    removed = []
    for partial in leftovers:
        if partial.is_file() and not _being_written(partial):
            _remove_partial(partial)
            removed.append(partial)
    return removed


def _being_written(partial: Path) -> bool:
    try:
        probe = sqlite3.connect(partial, timeout=0)
    except sqlite3.Error:
        return False
    try:
        probe.execute("BEGIN IMMEDIATE")  # refused at once while a backup writes the copy
        probe.rollback()
    except sqlite3.OperationalError as error:
        return "locked" in str(error).lower() or "busy" in str(error).lower()
    except sqlite3.Error:
        return False  # not even readable: nobody is writing it
    finally:
        probe.close()
    return False


def _remove_partial(partial: Path) -> None:
    for leftover in (partial, *(Path(f"{partial}{s}") for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)
