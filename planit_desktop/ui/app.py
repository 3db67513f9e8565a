"""Start-up: the QApplication and the window first, then the database, sign-in (the dialog
of :mod:`planit_desktop.ui.account.sign_in`), and the tabs with the school's data.

The window appears before the database layer is even imported, so the coordinator sees the
program at once; nothing of the school is shown until the database is open and the actor
known, and the window receives that Actor with the database (``MainWindow.attach``).
"""

from __future__ import annotations

import logging
import os
import sys
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from planit_desktop.ui import ops
from planit_desktop.ui.events import EVERYTHING, DataEvents
from planit_desktop.ui.school import opening as startup
from planit_desktop.ui.settings import APPLICATION, ORGANISATION

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

log = logging.getLogger(__name__)
#: Set to quit as soon as the program is on screen (benchmarks, smoke tests): ``1`` once the
#: main window shows, ``sign-in`` (or ``data``, its name from before sign-in existed) once the
#: database is open and the sign-in dialog shows. No setting skips signing in.
EXIT_WHEN_SHOWN = "PLANIT_EXIT_WHEN_SHOWN"
#: The icon's PNGs, one per size, inside this package (drawn by packaging/make_icons.py).
ICON_FOLDER = "icons"
#: How long a smoke test waits for the sign-in dialog before it fails, in milliseconds.
SMOKE_TEST_TIMEOUT_MS = 60_000


def application_icon() -> QIcon:
    """The program's icon at every size it comes in (an empty icon if the files are missing)."""
    icon = QIcon()
    try:
        folder = resources.files("planit_desktop.ui") / ICON_FOLDER
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".png"):
                icon.addFile(str(entry))
    except OSError:
        log.warning("The program's icon is missing from this installation")
    return icon


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
    app.setWindowIcon(application_icon())
    # Wayland shows the icon of the desktop file of this name, where one is installed.
    app.setDesktopFileName("planit-desktop")
    # Light or dark as the system is, and state colours derived again when that changes.
    from planit_desktop.ui.common.styles import follow_colour_scheme

    follow_colour_scheme(app)
    return app


#: The log file, in the user data folder.
LOG_FILE = "planit-desktop.log"


class PasswordsHidden(logging.Formatter):
    """Formats log lines with every database URL's password replaced by ``***``: whatever
    logs an address or an error holding one (a traceback included), the log never holds it."""

    def format(self, record: logging.LogRecord) -> str:
        from planit_desktop.config import hide_password

        return hide_password(super().format(record))


def _private_log(path: Path) -> logging.Handler:
    # Only its owner may read the log (it may name files and learners' records).
    if path.exists():
        path.chmod(0o600)
    else:
        from planit_desktop.model.personal_files import create_private

        create_private(path)
    return logging.FileHandler(path, encoding="utf-8")


def log_handlers() -> list[logging.Handler]:
    """The window's log: the console, and ``planit-desktop.log`` in the data folder (private
    to its owner); every line with database passwords hidden."""
    from planit_desktop.config import default_data_dir

    handlers: list[logging.Handler] = []
    if sys.stderr is not None:  # None when started without a console (Windows' GUI program)
        handlers.append(logging.StreamHandler())
    try:
        folder = default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(_private_log(folder / LOG_FILE))
    except OSError:
        pass  # a log file is a help, not a requirement
    formatter = PasswordsHidden("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
    return handlers


def _log_to_file() -> None:
    logging.basicConfig(level=logging.INFO, handlers=log_handlers())


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
    from planit_desktop.ui.account.sign_in import ask_sign_in

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
            fresh = startup.open_url(self.database.url, create=False)
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
            self.window, resolve_database(db_choice), Actor.founder()
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


class SignInWatch(QObject):
    """Notes the first sign-in dialog (or first administrator's) shown, and whether it drew.

    The smoke test of an installed build uses it: the window, the database and the dialog that
    stands between them have all worked once it has seen one. Any other dialog (a database
    that cannot be opened, a question) would wait for an answer nobody gives, so it is noted
    and the program quits at once.
    """

    def __init__(self) -> None:
        super().__init__()
        from planit_desktop.ui.account.first_administrator import FirstAdministratorDialog
        from planit_desktop.ui.account.sign_in import SignInDialog

        self._doors = (SignInDialog, FirstAdministratorDialog)
        self.seen: str | None = None
        self.drawn = False
        self.blocked_by: str | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Show or self.seen or self.blocked_by:
            return False
        if isinstance(watched, self._doors):
            self.seen = watched.windowTitle() or type(watched).__name__
            self.drawn = _draws_something(watched)
        elif isinstance(watched, QDialog):
            text = watched.text() if isinstance(watched, QMessageBox) else ""
            self.blocked_by = " ".join((text or watched.windowTitle()).split())
            QTimer.singleShot(0, lambda: QApplication.exit(1))
        return False


def _draws_something(widget: QWidget) -> bool:
    """True if ``widget`` paints into an image with more than one colour (styles, text)."""
    image = widget.grab().toImage()
    if image.isNull():
        return False
    step = max(1, min(image.width(), image.height()) // 40)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    return len(colours) > 1


def run_gui(db_choice: str | None, *, smoke_test: bool = False) -> int:
    """Open the window on ``db_choice`` (a path or URL; None: environment, then default).

    The window is shown first, then the database is opened (with sign-in, when it exists,
    in between) and the tabs fill in: the coordinator sees the program at once.
    ``PLANIT_EXIT_WHEN_SHOWN=1`` quits as soon as the window is on screen;
    ``PLANIT_EXIT_WHEN_SHOWN=sign-in`` once the database is open and the sign-in dialog shows.

    ``smoke_test`` (``planit-desktop --smoke-test``) opens the window offscreen unless
    ``QT_QPA_PLATFORM`` names another platform, quits once the sign-in dialog has been shown,
    prints one line saying so and returns 0; it returns 1 if the dialog did not show (an
    unusable database, or nothing within a minute) or drew nothing.
    """
    if smoke_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _log_to_file()
    app = make_application()
    install_excepthook()
    application = Application()
    watch = SignInWatch() if smoke_test else None
    if watch is not None:
        app.installEventFilter(watch)
    application.window.show()
    app.processEvents()  # paint the window before the database layer loads
    exit_when = "sign-in" if smoke_test else os.environ.get(EXIT_WHEN_SHOWN, "")
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
        guard.start(SMOKE_TEST_TIMEOUT_MS)  # never hang a benchmark
    try:
        status = app.exec()
    finally:
        guard.stop()
        if watch is not None:
            app.removeEventFilter(watch)
        application.window.close()
        application.close()
    return status if watch is None else _smoke_test_result(watch)


def _smoke_test_result(watch: SignInWatch) -> int:
    if watch.seen is None:
        reason = f": {watch.blocked_by}" if watch.blocked_by else " within a minute"
        print(f"planit-desktop: smoke test failed: no sign-in dialog{reason}", file=sys.stderr)
        return 1
    if not watch.drawn:
        print(f'planit-desktop: smoke test failed: "{watch.seen}" drew nothing', file=sys.stderr)
        return 1
    print(f'planit-desktop: smoke test passed: the window opened and "{watch.seen}" was shown')
    return 0
