"""Start-up: the QApplication and the window first, then the database, sign-in (the dialog
of :mod:`planit_desktop.ui.dialogs.sign_in`), and the tabs with the school's data.

The window appears before the database layer is even imported, so the coordinator sees the
program at once; nothing of the school is shown until the database is open and the actor
known, and the window receives that Actor with the database (``MainWindow.attach``).
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from planit_desktop.ui import ops, startup
from planit_desktop.ui.events import EVERYTHING, DataEvents
from planit_desktop.ui.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

log = logging.getLogger(__name__)
#: Set to quit as soon as the program is on screen (benchmarks, smoke tests): ``1`` once the
#: main window shows, ``sign-in`` (or ``data``, its name from before sign-in existed) once the
#: database is open and the sign-in dialog shows. No setting skips signing in.
EXIT_WHEN_SHOWN = "PLANIT_EXIT_WHEN_SHOWN"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named for QSettings, crisp on high-DPI screens."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from planit_desktop import __version__

    app.setApplicationVersion(__version__)
    return app


def _log_to_file() -> None:
    from planit_desktop.config import default_data_dir

    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        folder = default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(folder / "planit-desktop.log", encoding="utf-8"))
    except OSError:
        pass  # a log file is a help, not a requirement
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def install_excepthook() -> None:
    """An unexpected error shows a plain message (details go to the log), never a traceback."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.error("Unexpected error", exc_info=(kind, error, trace))
        try:
            QMessageBox.critical(None, ops.TITLE, ops.describe_failure(error))
        except Exception:  # noqa: BLE001 - the hook itself must never fail
            log.exception("Could not show the error")

    sys.excepthook = hook


def sign_in(
    database: Any,
    parent: Any = None,
    *,
    cancel_text: str = "Cancel",
    close_when_shown: bool = False,
) -> Actor | None:
    """Who the window acts as: the member of staff who signs in to ``database`` (a new
    database's first administrator creates their account). None when they cancel."""
    from planit_desktop.ui.dialogs.sign_in import ask_sign_in

    return ask_sign_in(database, parent, cancel_text=cancel_text, close_when_shown=close_when_shown)


class Application(QObject):
    """The one window and the one open database; another database replaces it cleanly."""

    def __init__(self, window: Any = None) -> None:
        super().__init__()
        from planit_desktop.ui.main_window import MainWindow

        self.events = DataEvents()
        self.window = window if window is not None else MainWindow()
        self.window.sig_database_opened.connect(self.switch_to)
        self.window.account.sig_sign_out_requested.connect(self.sign_out)
        self.database: Any = None
        #: Cancel the sign-in dialog as soon as it shows (PLANIT_EXIT_WHEN_SHOWN=sign-in).
        self.close_at_sign_in = False

    def show(self, database: Any) -> bool:
        """Sign in to ``database`` and show it in the window; False if sign-in was abandoned
        (``database`` is then closed and the window keeps what it showed)."""
        # At start-up cancelling quits; when switching, the database shown stays.
        cancel_text = "Quit" if self.database is None else "Cancel"
        actor = sign_in(
            database, self.window, cancel_text=cancel_text, close_when_shown=self.close_at_sign_in
        )
        if actor is None:
            database.dispose()
            return False
        self._attach(database, actor)
        return True

    def _attach(self, database: Any, actor: Actor) -> None:
        from planit_desktop.ui.context import AppContext

        old_database = self.database
        self.database = database
        self.window.attach(AppContext(database, actor, self.events))
        self.window.show()
        from planit_desktop.ui.importing.unfinished import report_unfinished

        # An import (or other change issuing passwords) that stopped half-way is said now.
        report_unfinished(self.window, database)
        if old_database is not None and old_database is not database:
            old_database.dispose()

    @Slot()
    def sign_out(self) -> None:
        """Hide the school and ask who signs in next; cancelling quits.

        The database is opened afresh, so the next person starts with an empty undo history
        (each entry is undone as the person who made it).
        """
        if self.database is None:
            return
        try:
            fresh = startup.open_url(self.database.url)
        except Exception as error:  # noqa: BLE001 - said in words, then the window closes
            ops.show_error(self.window, ops.describe_failure(error))
            self.window.close()
            return
        self.window.detach()
        actor = sign_in(fresh, self.window, cancel_text="Quit")
        if actor is None:
            fresh.dispose()
            self.window.close()
            return
        self._attach(fresh, actor)

    @Slot(object)
    def switch_to(self, database: Any) -> None:
        """Replace the open database with ``database`` (already opened and holding a school)."""
        if self.show(database):
            self.events.announce(EVERYTHING)

    def open_first(self, db_choice: str | None) -> bool:
        """Open the database chosen on the command line (or the default), with recovery."""
        from planit_desktop.config import resolve_database
        from planit_desktop.model.actor import Actor

        _ensure_default_folder(db_choice)
        database = startup.open_with_recovery(
            self.window, resolve_database(db_choice), Actor.operating_system_user()
        )
        return database is not None and self.show(database)

    def close(self) -> None:
        ops.wait_for_operations()
        if self.database is not None:
            self.database.dispose()
            self.database = None
        # Deleted now, on the GUI thread: the window sits in reference cycles, and the garbage
        # collector may otherwise run its destructor on a worker thread, which crashes Qt.
        from shiboken6 import delete, isValid

        if isValid(self.window):
            delete(self.window)


def _ensure_default_folder(db_choice: str | None) -> None:
    from planit_desktop.config import ENV_DATABASE_URL, default_data_dir

    if db_choice is None and not os.environ.get(ENV_DATABASE_URL):
        try:
            default_data_dir().mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # opening then reports the missing folder in plain words


def run_gui(db_choice: str | None) -> int:
    """Open the window on ``db_choice`` (a path or URL; None: environment, then default).

    The window is shown first, then the database is opened (with sign-in, when it exists,
    in between) and the tabs fill in: the coordinator sees the program at once.
    ``PLANIT_EXIT_WHEN_SHOWN=1`` quits as soon as the window is on screen;
    ``PLANIT_EXIT_WHEN_SHOWN=sign-in`` once the database is open and the sign-in dialog shows.
    """
    _log_to_file()
    app = make_application()
    install_excepthook()
    application = Application()
    application.window.show()
    app.processEvents()  # paint the window before the database layer loads
    exit_when = os.environ.get(EXIT_WHEN_SHOWN, "")
    if exit_when and exit_when not in ("sign-in", "data"):
        application.window.close()
        return 0
    application.close_at_sign_in = bool(exit_when)

    def start() -> None:
        if not application.open_first(db_choice):
            # The window closes after the loop: closing the last window inside it would post
            # a Quit event that could end a later event loop.
            app.exit(0)

    QTimer.singleShot(0, start)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: app.exit(0))
    if exit_when:
        guard.start(60_000)  # never hang a benchmark
    try:
        return app.exec()
    finally:
        guard.stop()
        application.window.close()
        application.close()
