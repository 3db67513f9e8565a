"""Start-up: the QApplication, the database, (next issue: sign-in), then the main window.

The steps are separate so that a sign-in dialog slots in between opening the database and
showing the window; the window receives the Actor it acts as.
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from planit_desktop.model.actor import Actor
from planit_desktop.ui import ops, startup
from planit_desktop.ui.events import EVERYTHING, DataEvents
from planit_desktop.ui.settings import APPLICATION, ORGANISATION

log = logging.getLogger(__name__)
#: Set to quit as soon as the main window is shown with its first data (benchmarks, smoke tests).
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


def sign_in(database: Any) -> Actor | None:
    """Who the window acts as. Until sign-in exists: the operating-system user.

    The sign-in issue replaces this with a dialog (None when the coordinator cancels).
    """
    del database
    return Actor.operating_system_user()


class Application(QObject):
    """Keeps the one open database and its window; replaces both when another is opened."""

    def __init__(self) -> None:
        super().__init__()
        self.events = DataEvents()
        self.window: Any = None
        self.database: Any = None

    def show(self, database: Any) -> bool:
        """Sign in to ``database`` and show its window; False if sign-in was abandoned."""
        from planit_desktop.ui.context import AppContext
        from planit_desktop.ui.main_window import MainWindow

        actor = sign_in(database)
        if actor is None:
            database.dispose()
            return False
        window = MainWindow(AppContext(database, actor, self.events))
        window.sig_database_opened.connect(self.switch_to)
        old_window, old_database = self.window, self.database
        self.window, self.database = window, database
        window.show()
        if old_window is not None:
            old_window.close()
            old_window.deleteLater()
        if old_database is not None and old_database is not database:
            old_database.dispose()
        return True

    @Slot(object)
    def switch_to(self, database: Any) -> None:
        """Replace the open database with ``database`` (already opened and holding a school)."""
        if self.show(database):
            self.events.announce(EVERYTHING)

    def close(self) -> None:
        ops.wait_for_operations()
        if self.database is not None:
            self.database.dispose()
            self.database = None


def _ensure_default_folder(db_choice: str | None) -> None:
    from planit_desktop.config import ENV_DATABASE_URL, default_data_dir

    if db_choice is None and not os.environ.get(ENV_DATABASE_URL):
        try:
            default_data_dir().mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # opening then reports the missing folder in plain words


def _quit_when_shown(app: QApplication, window: Any) -> None:
    """For benchmarks: quit once the window is shown and its visible tab has its data."""
    tab = window.current_tab()

    def done(*_args: object) -> None:
        app.processEvents()  # let the data paint
        QTimer.singleShot(0, app.quit)

    if tab.loaded:
        done()
    else:
        tab.sig_tab_loaded.connect(done)
        tab.sig_tab_failed.connect(done)
    QTimer.singleShot(60_000, app.quit)  # never hang a benchmark


def run_gui(db_choice: str | None) -> int:
    """Open the window on ``db_choice`` (a path or URL; None: environment, then default)."""
    from planit_desktop.config import resolve_database

    _log_to_file()
    app = make_application()
    install_excepthook()
    _ensure_default_folder(db_choice)
    database = startup.open_with_recovery(
        None, resolve_database(db_choice), Actor.operating_system_user()
    )
    if database is None:
        return 0
    application = Application()
    if not application.show(database):
        return 0
    if os.environ.get(EXIT_WHEN_SHOWN):
        _quit_when_shown(app, application.window)
    try:
        return app.exec()
    finally:
        application.close()
