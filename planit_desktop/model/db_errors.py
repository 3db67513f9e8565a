"""Driver errors a coordinator can meet, turned into messages in their words: a database
busy or locked, read-only, damaged or full; a server out of reach, a connection lost (and
whether the change may have been saved), an account without the rights it needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError

from planit_desktop.model.errors import DatabaseUnavailable


@dataclass
class Stage:
    """How far a transaction got: ``saving`` once its work is done and its COMMIT is sent."""

    saving: bool = False


@contextmanager
def translate_errors(location: str) -> Iterator[Stage]:
    """Turn driver errors that a coordinator can meet into messages in their words.

    Operational errors (locks, files, a server gone or out of reach) and any error that cost
    the connection become :class:`DatabaseUnavailable`; other errors (a broken constraint:
    a bug, or a clash the service handles) pass through. Set the yielded
    :attr:`Stage.saving` before committing: a connection lost then leaves the outcome unknown.
    """
    stage = Stage()
    try:
        yield stage
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise _no_permission(error, location) from error
        if not isinstance(error, OperationalError) and not error.connection_invalidated:
            raise
        raise _unavailable(error, location, saving=stage.saving) from error


#: PostgreSQL's code for a role lacking the rights for a statement.
INSUFFICIENT_PRIVILEGE = "42501"


def _no_permission(error: DBAPIError, location: str) -> DatabaseUnavailable:
    server_says = str(error.orig).splitlines()[0]
    return DatabaseUnavailable(
        f"The account used for the database at {location} does not have permission to do "
        f"this (the server says: {server_says}). Nothing was changed. Ask whoever looks "
        "after the server to give it the rights in the guide; creating or upgrading the "
        "tables needs the database's owner."
    )


#: Words of the drivers' messages when a server cannot be reached (not when it refuses a
#: login or has no such database: those keep the server's own message), or when the
#: connection to it broke (a shutdown, or an administrator, ending the session).
_UNREACHABLE = (
    "connection refused",
    "could not connect to server",
    "could not translate host name",
    "name or service not known",
    "temporary failure in name resolution",
    "no route to host",
    "network is unreachable",
    "timeout expired",
    "connection timed out",
    "the database system is",  # … starting up / shutting down / in recovery mode
)
_CONNECTION_LOST = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection is lost",
    "connection reset",
    "broken pipe",
    "ssl syscall error",
)


def _unavailable(error: DBAPIError, location: str, *, saving: bool = False) -> DatabaseUnavailable:
    message = str(error.orig).lower()
    if error.connection_invalidated or any(words in message for words in _CONNECTION_LOST):
        if saving:
            return DatabaseUnavailable(
                f"The connection to the database at {location} was lost just as the change "
                "was being saved, so it may or may not have been saved. When the database "
                "can be reached again, check whether it was, before doing it again."
            )
        return DatabaseUnavailable(
            f"The connection to the database at {location} was lost (the server may have "
            "stopped, or the network failed). Nothing was changed. Plan-it Desktop connects "
            "again by itself: try again in a moment, or ask whoever looks after the server."
        )
    if any(words in message for words in _UNREACHABLE):
        return DatabaseUnavailable(
            f"The database server at {location} cannot be reached: it may be stopped, or the "
            "network is down. Nothing was changed. Try again when it is back, or ask whoever "
            "looks after the server."
        )
    if "locked" in message or "busy" in message:
        return DatabaseUnavailable(
            f"The database at {location} is busy: another program or coordinator is writing "
            "to it. Wait a moment and try again."
        )
    if "malformed" in message:
        from planit_desktop.model.db_files import damaged

        return damaged(location, str(error.orig))
    if "not a database" in message:
        return DatabaseUnavailable(f"{location} is not a Plan-it database (or it is damaged).")
    if "readonly" in message or "read-only" in message:
        return DatabaseUnavailable(f"The database at {location} is read-only.")
    if "unable to open" in message:
        return DatabaseUnavailable(f"The database at {location} cannot be opened.")
    if "disk" in message and "full" in message:
        return DatabaseUnavailable(f"The disk holding {location} is full. Nothing was saved.")
    return DatabaseUnavailable(
        f"The database at {location} could not be used: {error.orig}. Nothing was changed."
    )
