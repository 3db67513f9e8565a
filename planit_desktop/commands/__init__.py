"""Sub-commands of ``planit-desktop``: one module each, discovered by :mod:`planit_desktop.cli`.

A command that changes data or writes personal data signs in first, as a member of staff,
through the same sign-in service as the window (:func:`command_actor`); commands that only
read, and dry runs, do not. Who signs in: ``--login`` or ``PLANIT_LOGIN`` (else asked for on
a terminal); the password: a file named by ``--password-file`` or ``PLANIT_PASSWORD_FILE``
(its first line, as PostgreSQL's PGPASSFILE holds a password; it must be readable by its
owner only), else typed at a prompt that does not echo it.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from planit_desktop.model.errors import InvalidInput, Refused

if TYPE_CHECKING:  # --help imports this module: it loads no database layer
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.db import Database


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, carrying what the interrupted command had done, in the coordinator's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def add_db_option(parser: argparse.ArgumentParser, *, sub_command: bool = True) -> None:
    """``--db PATH|URL``: which school database to use (default: the one in the data folder).

    On a sub-command the option has no default of its own, so ``--db x summary`` (given before
    the command) is not overwritten by the sub-command's unset value.
    """
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS if sub_command else None,
        help="database file or SQLAlchemy URL (default: $PLANIT_DATABASE_URL, "
        "else planit.db in your user data folder)",
    )


LOGIN_VARIABLE = "PLANIT_LOGIN"
PASSWORD_FILE_VARIABLE = "PLANIT_PASSWORD_FILE"

#: Said in each changing command's --help (after its own description).
SIGN_IN_HELP = (
    "Signing in, as a member of staff: the login name from --login or "
    f"${LOGIN_VARIABLE} (else asked for), the password from the first line of the file named by "
    f"--password-file or ${PASSWORD_FILE_VARIABLE} (readable by you only), else asked for "
    "without showing it. A wrong password counts towards locking the account, as in the "
    "window; a temporary password must first be changed in the window."
)


def open_for_command(args: argparse.Namespace, *, create: bool = False) -> Database:
    """Open the database named by ``--db`` (or the default) for a headless command."""
    from planit_desktop.config import resolve_database
    from planit_desktop.model.db import open_database

    database = open_database(resolve_database(args.db), create=create)
    report_unfinished(database)
    return database


def report_unfinished(database: Database) -> None:
    """Say (on standard error) what an interrupted change that issued passwords left, and
    finish it: put its password files in place if it was saved, or remove them if not."""
    import sys

    from planit_desktop.model.services.credentials.unfinished import settle_at_start

    for message in settle_at_start(database):
        print(f"planit-desktop: {message}", file=sys.stderr)


def add_sign_in_options(parser: argparse.ArgumentParser) -> None:
    """``--login`` and ``--password-file`` for a command that signs in (:func:`command_actor`)."""
    group = parser.add_argument_group("signing in")
    group.add_argument(
        "--login",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"your Plan-it login name (default: ${LOGIN_VARIABLE}; else asked for)",
    )
    group.add_argument(
        "--password-file",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"a file only you can read whose first line is your password (default: "
        f"${PASSWORD_FILE_VARIABLE}; else the password is asked for, not shown)",
    )


def command_actor(
    args: argparse.Namespace, database: Database, task: str, *, administrators_only: bool = True
) -> Actor:
    """Sign in the member of staff running this command, for ``task``; the Actor to act as.

    ``task`` completes "Only administrators can …"; supervisors are refused it unless
    ``administrators_only`` is False (a task the window lets them do, for their own groups,
    which the service then limits). The sign-in is the window's (the same
    waits and lock after wrong passwords, audited the same way) and is committed before the
    task starts, so a wrong password counts even if nothing else happens. Refused (exit 1)
    for a wrong login or password, a locked account, a supervisor, or a temporary password;
    InvalidInput (exit 2) when no login or password is given and there is no terminal to
    ask on, or the password file cannot be used.
    """
    from planit_desktop.model.services.staff.sign_in import sign_in_for_task

    login = _login(args)
    password = _password(args, login)
    with database.begin() as session:
        result = sign_in_for_task(
            session, login, password, task=task, administrators_only=administrators_only
        )
    if result.actor is None:
        raise Refused(result.message)
    return result.actor


def _can_ask() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):  # closed or replaced standard input
        return False


def _login(args: argparse.Namespace) -> str:
    given = getattr(args, "login", None) or os.environ.get(LOGIN_VARIABLE, "")
    if given.strip():
        return given.strip()
    if _can_ask():
        try:
            typed = input("Plan-it login name: ").strip()
        except EOFError:
            typed = ""
        if typed:
            return typed
    raise InvalidInput(
        f"Say who is signing in: give --login NAME or set {LOGIN_VARIABLE} to your Plan-it "
        "login name; nothing was changed."
    )


def _password(args: argparse.Namespace, login: str) -> str:
    named = getattr(args, "password_file", None) or os.environ.get(PASSWORD_FILE_VARIABLE, "")
    if named:
        return read_password_file(Path(named).expanduser())
    if not _can_ask():
        raise InvalidInput(
            f"There is no terminal to ask {login}'s password on: give --password-file FILE or "
            f"set {PASSWORD_FILE_VARIABLE} (a file only you can read, with the password on its "
            "first line); nothing was changed."
        )
    import getpass

    try:
        return getpass.getpass(f"Plan-it password for {login}: ")
    except EOFError:
        raise InvalidInput("No password was typed; nothing was changed.") from None


def read_password_file(path: Path) -> str:
    """The password on the first line of ``path``, refused unless only its owner may read it.

    Like ssh's keys and libpq's password file: on POSIX a file that its group or others may
    read (or write) is refused, since anyone who can read it can act as its owner.
    """
    try:
        status = path.stat()
    except FileNotFoundError:
        raise InvalidInput(f"The password file {path} does not exist.") from None
    except OSError as error:
        raise InvalidInput(f"The password file {path} cannot be read ({error.strerror}).") from None
    if stat.S_ISDIR(status.st_mode):
        raise InvalidInput(f"The password file {path} is a folder, not a file.")
    mode = stat.S_IMODE(status.st_mode)
    if os.name == "posix" and stat.S_ISREG(status.st_mode) and mode & 0o077:
        raise InvalidInput(
            f"The password file {path} can be read by other users of this computer (its mode "
            f"is {mode:04o}); make it private with “chmod 600 {path}”. Nothing was changed."
        )
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else "it is not text"
        raise InvalidInput(f"The password file {path} cannot be read ({why}).") from None
    password = first.rstrip("\r\n")
    if not password:
        raise InvalidInput(f"The password file {path} has no password on its first line.")
    return password
