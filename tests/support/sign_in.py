"""Who acts in the tests: real members of staff, and the command line signed in as one.

Services trust only a member of staff the database holds (an :class:`Actor` without a staff
record is nobody's administrator), so tests act as real staff too:

- :func:`staff_actor` is the Actor a sign-in would give for a member of staff, read from the
  database without signing in (nothing is written, no argon2 check is made);
- :func:`command_line_sign_in` makes what a script gives the command line to sign in with: a
  password file readable by its owner only, and the login. Its ``environment()`` is for a
  ``planit-desktop`` subprocess (``PLANIT_LOGIN`` and ``PLANIT_PASSWORD_FILE`` set);
  ``use_in(monkeypatch)`` sets the same variables for ``main([...])`` run in the test's own
  process; ``arguments()`` gives ``--login NAME --password-file FILE`` instead. The fixture
  ``cli_signed_in`` (tests/conftest.py) is this for the demo school's ``admin1``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.commands import LOGIN_VARIABLE, PASSWORD_FILE_VARIABLE
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Staff
from planit_desktop.model.services.demo.school import ADMIN_PASSWORD, SUPERVISOR_PASSWORD

#: The demo school's first administrator and first supervisor (model/services/demo.py).
DEMO_ADMINISTRATOR = ("admin1", ADMIN_PASSWORD)
DEMO_SUPERVISOR = ("supervisor1", SUPERVISOR_PASSWORD)
#: The passwords of the ``admin`` and ``supervisor_actor`` fixtures' own staff (conftest.py),
#: ``test-admin`` and ``test-supervisor``, in a database without the demo school.
TEST_ADMIN_PASSWORD, TEST_SUPERVISOR_PASSWORD = "test-admin-pass", "test-supervisor-pass"


def staff_actor(database: Database | Session, login: str) -> Actor:
    """The Actor of the member of staff ``login`` as the database holds them now."""

    def find(session: Session) -> Actor:
        staff = session.scalars(select(Staff).where(Staff.login == login)).one()
        return Actor(staff.login, staff.name, staff.role, staff.id)

    if isinstance(database, Session):
        return find(database)
    with database.read() as session:
        return find(session)


def write_password_file(path: Path, password: str, *, mode: int = 0o600) -> Path:
    """Write ``password`` as the first line of ``path``, created with ``mode`` (owner only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    os.chmod(path, mode)  # whatever the umask
    return path


@dataclass(frozen=True)
class CommandLineSignIn:
    """A login and a password file for the command line to sign in with."""

    login: str
    password_file: Path

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with the sign-in variables set."""
        environment = dict(os.environ if base is None else base)
        environment[LOGIN_VARIABLE] = self.login
        environment[PASSWORD_FILE_VARIABLE] = str(self.password_file)
        return environment

    def arguments(self) -> list[str]:
        """``--login NAME --password-file FILE``, to put after a command's name."""
        return ["--login", self.login, "--password-file", str(self.password_file)]

    def use_in(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Sign ``main([...])`` in this process in, through the environment."""
        monkeypatch.setenv(LOGIN_VARIABLE, self.login)
        monkeypatch.setenv(PASSWORD_FILE_VARIABLE, str(self.password_file))


def command_line_sign_in(
    folder: Path, login: str = DEMO_ADMINISTRATOR[0], password: str = DEMO_ADMINISTRATOR[1]
) -> CommandLineSignIn:
    """A sign-in for ``login`` (default: the demo school's admin1), its file in ``folder``."""
    return CommandLineSignIn(login, write_password_file(folder / f"{login}.password", password))
