"""Opening, creating and filling school databases from the window: at start-up and from the
File menu. Every failure is a message in the coordinator's words; nothing half-made stays."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from planit_desktop.config import hide_password
from planit_desktop.model.errors import DatabaseUnavailable, NotFound, PlanitError
from planit_desktop.ui import ops
from planit_desktop.ui.common.choice import ask_choice
from planit_desktop.ui.school.new_school import DemoSchoolDialog, NewSchoolDialog

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

log = logging.getLogger(__name__)
DATABASE_FILES = "Plan-it databases (*.db *.sqlite);;All files (*)"


def sqlite_url(path: str | Path) -> str:
    """The database URL of the file at ``path``, its name taken literally (``a?b.db``)."""
    from planit_desktop.config import sqlite_url as url_of_file

    return url_of_file(path)


def open_url(url: str, *, create: bool = True) -> Any:
    """Open (and migrate) the database at ``url``; :class:`DatabaseUnavailable` if it cannot."""
    from planit_desktop.model.db import open_database

    return open_database(url, create=create)


def has_school(database: Any) -> bool:
    from planit_desktop.model.services.school import get_school

    try:
        with database.read() as session:
            get_school(session)
    except NotFound:
        return False
    return True


# --- questions (module functions, so tests can answer them) -----------------------------------
def ask_open_path(parent: QWidget | None) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open a Plan-it database", "", DATABASE_FILES)
    return path


def ask_new_path(parent: QWidget | None, caption: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, "school.db", DATABASE_FILES)
    return path


def ask_new_school(parent: QWidget | None, where: str = "") -> tuple[str, int] | None:
    dialog = NewSchoolDialog(parent, where=where)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.values()
    finally:
        dialog.deleteLater()  # not left behind, hidden, in its window


def ask_demo_size(parent: QWidget | None, where: str = "") -> int | None:
    dialog = DemoSchoolDialog(parent, where=where)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.learners.value()


# --- filling a database -----------------------------------------------------------------------
def fill_with_school(
    parent: QWidget | None, database: Any, actor: Actor, name: str, academic_year: int
) -> bool:
    """Create the school in the empty ``database``; True when done (waits, GUI stays live)."""
    from planit_desktop.model.services.school import create_school

    op = ops.run_op(
        parent,
        database,
        lambda session, _p: create_school(session, actor, name=name, academic_year=academic_year),
        write=True,
        progress_label="Creating the school…",
    )
    op.wait()
    return op.error is None


def fill_with_demo(parent: QWidget | None, database: Any, actor: Actor, learners: int) -> bool:
    """Fill the empty ``database`` with a demo school of ``learners``, off the GUI thread."""
    from planit_desktop.model.services.demo.school import create_demo_school

    op = ops.run_op(
        parent,
        database,
        lambda session, _p: create_demo_school(session, learners=learners, actor=actor),
        write=True,
        progress_label=f"Creating a demo school of {learners:,} learners…",
    )
    op.wait()
    if op.error is None and op.result is not None:
        # Nobody could sign in to the demo school without its (public) passwords.
        show_demo_accounts(parent, op.result.sign_in_accounts())
    return op.error is None


def demo_accounts_text(accounts: list[tuple[str, str, str]]) -> str:
    """The demo school's accounts as rich text: a fixed-width block that never wraps, so a
    password is never broken, and in two short lines an account (who and their logins, then
    the password), so that the block fits a message box's width at 200 % text too."""
    width = max(len(title) for title, _logins, _password in accounts) + 2
    lines = []
    for title, logins, password in accounts:
        lines.append(f"{title:<{width}}{logins}")
        lines.append(f"{'  password':<{width}}{password}")
    block = html.escape("\n".join(lines))
    return (
        "<p>The demo school is ready. Sign in with one of its accounts:</p>"
        f"<pre>{block}</pre>"
        "<p>These passwords are public: use the demo school for trying things out only.</p>"
    )


def show_demo_accounts(parent: QWidget | None, accounts: list[tuple[str, str, str]]) -> None:
    """Tell the demo school's logins and passwords."""
    # Rich text (found so by the message box itself), so the block of accounts stays whole.
    QMessageBox.information(parent, ops.TITLE, demo_accounts_text(accounts))


def offer_to_fill(parent: QWidget | None, database: Any, actor: Actor) -> bool:
    """An empty database: offer a demo school or a new school. True once it has a school."""
    while not has_school(database):
        choice = ask_choice(
            parent,
            f"The database at {database.location} has no school in it yet.",
            ["Create a demo school", "Create a new school", "Quit"],
        )
        if choice == 0:
            learners = ask_demo_size(parent, database.location)
            if learners is not None:
                fill_with_demo(parent, database, actor, learners)
        elif choice == 1:
            details = ask_new_school(parent, database.location)
            if details is not None:
                fill_with_school(parent, database, actor, *details)
        else:
            return False
    return True


# --- new database files -----------------------------------------------------------------------
def _discard(database: Any) -> None:
    """Remove a database file this program has just made and failed to fill."""
    path = database.path
    database.dispose()
    if path is not None:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


def _new_file(parent: QWidget | None, caption: str) -> Any:
    """Ask for a new file and make an empty, migrated database there (None if cancelled)."""
    path = ask_new_path(parent, caption)
    if not path:
        return None
    if Path(path).exists():
        ops.show_error(
            parent,
            f"There is already a file at {path}. Plan-it Desktop will not overwrite it; "
            "choose a new name.",
        )
        return None
    try:
        return open_url(sqlite_url(path))
    except PlanitError as error:
        ops.show_error(parent, error.message)
        return None


def create_new_database(parent: QWidget | None, actor: Actor) -> Any:
    """File ▸ New database…: a new file with a new school. The Database, or None."""
    database = _new_file(parent, "New database")
    if database is None:
        return None
    details = ask_new_school(parent, database.location)
    if details is None or not fill_with_school(parent, database, actor, *details):
        _discard(database)
        return None
    return database


def create_demo_database(parent: QWidget | None, actor: Actor) -> Any:
    """File ▸ Create demo school…: a new file holding a demo school. The Database, or None."""
    database = _new_file(parent, "Create demo school")
    if database is None:
        return None
    learners = ask_demo_size(parent, database.location)
    if learners is None or not fill_with_demo(parent, database, actor, learners):
        _discard(database)
        return None
    return database


def open_with_recovery(
    parent: QWidget | None, url: str, actor: Actor, *, create: bool = True
) -> Any:
    """Open ``url``; if it cannot be used, say why and offer another file, a new one or quit.

    Returns the open Database with a school in it, or None when the coordinator gives up.
    Nothing is changed in a database that could not be opened. With ``create`` (the start-up
    database) a missing or empty file is made into a database and the coordinator offered a
    school for it; a file chosen to be opened (``create=False``, and every file chosen after
    a refusal) must already be a Plan-it database.
    """
    while True:
        try:
            database = open_url(url, create=create)
        except DatabaseUnavailable as error:
            log.warning("Could not open %s: %s", hide_password(url), error.message)
            choice = ask_choice(
                parent,
                error.message,
                ["Open another database…", "Create a new database…", "Quit"],
                informative="Nothing was changed. What would you like to do?",
            )
            if choice == 0:
                path = ask_open_path(parent)
                if path:
                    url, create = sqlite_url(path), False
                continue
            if choice == 1:
                database = create_new_database(parent, actor)
                if database is not None:
                    return database
                continue
            return None
        if offer_to_fill(parent, database, actor):
            return database
        database.dispose()
        return None
