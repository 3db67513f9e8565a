"""The main window: five tabs, the File and Help menus, and a status bar. Thin by design:
each tab loads and refreshes itself; database files are handled in :mod:`.startup`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.ui import events, ops
from planit_desktop.ui.change_watcher import ChangeWatcher
from planit_desktop.ui.help.guide import YearEndGuideDialog, show_about
from planit_desktop.ui.settings import settings

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.db import Database
    from planit_desktop.ui.common.data_tab import DataTab
    from planit_desktop.ui.context import AppContext

OPENING = "Opening the school database…"
READ_ONLY_BANNER = (
    "This database is read-only: you can look at everything, but nothing can be changed. "
    "To make changes, copy the file to a folder you can write to and open the copy, or ask "
    "for write access."
)
CHANGED_ELSEWHERE = "Updated with changes made by someone else."


def tab_classes() -> tuple[type[DataTab], ...]:
    """The tabs, in order. Imported when a database is attached: the window itself shows
    before the database layer (SQLAlchemy) is loaded, which keeps start-up quick."""
    from planit_desktop.ui.groups.tab import GroupsTab
    from planit_desktop.ui.learners.tab import LearnersTab
    from planit_desktop.ui.staff.tab import StaffAccessTab
    from planit_desktop.ui.subjects.tab import SubjectsTab
    from planit_desktop.ui.year_end.tab import YearEndTab

    return (YearEndTab, LearnersTab, GroupsTab, StaffAccessTab, SubjectsTab)


def _school_line(session: Any, _progress: ops.Progress) -> tuple[str, int]:
    from planit_desktop.model.services.school import get_school

    school = get_school(session)
    return school.name, school.academic_year


class MainWindow(QMainWindow):
    """The coordinator's window onto one open school database, acting as one member of staff."""

    #: The coordinator opened or created another database (a Database); the application
    #: signs in to it and replaces this window.
    sig_database_opened = Signal(object)
    #: The status bar shows the school (after each load).
    sig_status_loaded = Signal()

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: AppContext | None = None
        self.tabs: QTabWidget | None = None
        self.tab_pages: list[DataTab] = []
        self.watcher: ChangeWatcher | None = None
        self.read_only_banner: QLabel | None = None
        self.setWindowTitle("Plan-it Desktop")
        self.setObjectName("main_window")
        self.placeholder = QLabel(OPENING)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.placeholder)
        self._build_menus()
        self.school_label = QLabel("")
        self.location_label = QLabel("")
        self.statusBar().addWidget(self.school_label)
        self.statusBar().addPermanentWidget(self.location_label)
        self.statusBar().addPermanentWidget(self.account.label)
        self._restore_layout()
        if context is not None:
            self.attach(context)

    def attach(self, context: AppContext) -> None:
        """Show the school in ``context``'s database, acting as its actor. Replaces the tabs
        of a database shown before (their pending loads are dropped with them)."""
        if self.tabs is not None:
            self._save_splitter()
        old_context = self.context
        if old_context is not None:
            old_context.events.sig_data_changed.disconnect(self._on_data_changed)
        self._stop_watching()
        self.context = context
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        pages = []
        for tab_class in tab_classes():
            page = tab_class(context)
            pages.append(page)
            tabs.addTab(page, tab_class.title)
        old_tabs = self.tabs
        self.tabs, self.tab_pages = tabs, pages
        read_only = bool(getattr(context.database, "read_only", False))
        self.setCentralWidget(self._with_banner(tabs, read_only))  # the old tabs go
        del old_tabs
        self._restore_splitter()
        marked = " (read-only)" if read_only else ""
        self.location_label.setText(f"Database: {context.database.location}{marked}")
        self.backup_action.setEnabled(True)
        self.import_menu.bind(context)
        context.events.sig_data_changed.connect(self._on_data_changed)
        from planit_desktop.ui.undo import history_for

        self.undo_actions.bind(history_for(context))  # the previous database's is cleared
        self.account.bind(context)
        self.reload_status()
        self.watcher = ChangeWatcher(context, self)
        self.watcher.sig_changes_seen.connect(
            lambda _kinds: self.statusBar().showMessage(CHANGED_ELSEWHERE, 8000)
        )

    def _with_banner(self, tabs: QTabWidget, read_only: bool) -> QWidget:
        """The tabs, under a banner when the database cannot be changed."""
        if not read_only:
            self.read_only_banner = None
            return tabs
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        banner = QLabel(READ_ONLY_BANNER)
        banner.setObjectName("read_only_banner")
        banner.setWordWrap(True)
        banner.setStyleSheet("background: #fff4ce; color: #4a3b00; padding: 6px;")
        layout.addWidget(banner)
        layout.addWidget(tabs, 1)
        self.read_only_banner = banner
        return page

    def _stop_watching(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher.deleteLater()
            self.watcher = None

    def detach(self, text: str = "Signed out.") -> None:
        """Hide the school (someone signed out): the tabs go until the next :meth:`attach`."""
        if self.tabs is not None:
            self._save_splitter()
        if self.context is not None:
            self.context.events.sig_data_changed.disconnect(self._on_data_changed)
        self._stop_watching()
        self.context, self.tabs, self.tab_pages = None, None, []
        self.read_only_banner = None
        self.placeholder = QLabel(text)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.placeholder)  # deletes the tabs
        self.school_label.setText("")
        self.backup_action.setEnabled(False)
        self.account.bind(None)

    # --- parts -------------------------------------------------------------------------------
    def tab(self, tab_class: type[DataTab]) -> Any:
        """The page of class ``tab_class`` (for tests and links between tabs)."""
        return next(page for page in self.tab_pages if isinstance(page, tab_class))

    def show_tab(self, title: str) -> DataTab | None:
        """Bring the tab called ``title`` to the front ("Go there" links); None if no such tab."""
        if self.tabs is None:
            return None
        for index, page in enumerate(self.tab_pages):
            if page.title == title:
                self.tabs.setCurrentIndex(index)
                return page
        return None

    def current_tab(self) -> DataTab | None:
        return self.tab_pages[self.tabs.currentIndex()] if self.tabs is not None else None

    def founder(self) -> Actor:
        """Who gives a new or empty database its school from the File menu.

        Nobody can be signed in to a database that has no school yet (whoever is signed in
        here is staff of the open one, unknown to the other), so it is always its founder,
        whom the services let do that and nothing else.
        """
        from planit_desktop.model.actor import Actor

        return Actor.founder()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open database…", self.open_database)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.new_action = self._action(file_menu, "&New database…", self.new_database)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.demo_action = self._action(file_menu, "Create &demo school…", self.demo_school)
        file_menu.addSeparator()
        self.backup_action = self._action(file_menu, "&Back up now", self.back_up_now)
        self.backup_action.setEnabled(False)
        file_menu.addSeparator()
        # Save import template… and Import new learners… (ui.importing keeps the behaviour).
        from planit_desktop.ui.importing.actions import ImportMenu

        self.import_menu = ImportMenu(self, file_menu)
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", self.close)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        # Edit ▸ Undo/Redo follow the open database's history (ui.undo: Qt only, no model).
        from planit_desktop.ui.undo import UndoActions

        self.edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_actions = UndoActions(self, self.edit_menu)

        # Account ▸ Change my password… / Sign out, and "Signed in as …" (ui.account).
        from planit_desktop.ui.account.menu import AccountMenu

        self.account = AccountMenu(self, self.menuBar().addMenu("&Account"))

        help_menu = self.menuBar().addMenu("&Help")
        self.guide_action = self._action(help_menu, "&Year-end guide", self.show_guide)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.about_action = self._action(help_menu, "&About Plan-it Desktop", self.show_about)

    def _action(self, menu: Any, text: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --- status bar --------------------------------------------------------------------------
    def reload_status(self) -> None:
        if self.context is None:
            return
        self.context.run(
            self,
            _school_line,
            on_success=self._show_status,
            on_failure=lambda error: self.school_label.setText(ops.describe_failure(error)),
        )

    def _show_status(self, school: tuple[str, int]) -> None:
        name, academic_year = school
        self.school_label.setText(f"{name} · Academic year {format_academic_year(academic_year)}")
        self.sig_status_loaded.emit()

    @Slot(object)
    def _on_data_changed(self, kinds: frozenset[str]) -> None:
        if kinds & {events.SCHOOL, events.ROLLOVER}:
            self.reload_status()

    # --- File menu ---------------------------------------------------------------------------
    @Slot()
    def open_database(self) -> None:
        from planit_desktop.ui.school import opening as startup

        path = startup.ask_open_path(self)
        if not path:
            return
        database = startup.open_with_recovery(
            self, startup.sqlite_url(path), self.founder(), create=False
        )
        if database is not None:
            self.sig_database_opened.emit(database)

    @Slot()
    def new_database(self) -> None:
        from planit_desktop.ui.school import opening as startup

        database = startup.create_new_database(self, self.founder())
        if database is not None:
            self.sig_database_opened.emit(database)

    @Slot()
    def demo_school(self) -> None:
        from planit_desktop.ui.school import opening as startup

        database = startup.create_demo_database(self, self.founder())
        if database is not None:
            self.sig_database_opened.emit(database)

    @Slot()
    def back_up_now(self) -> None:
        from planit_desktop.model.db import backup_sqlite
        from planit_desktop.model.personal_files import BACKUP_WHAT, write_recorded

        if self.context is None:
            return
        database, actor = self.context.database, self.context.actor
        if database.path is None:
            self._copy_server_database(database, actor)
            return
        ops.run_task(
            self,
            lambda _progress: write_recorded(
                database, actor, what=BACKUP_WHAT, write=lambda: backup_sqlite(database, "manual")
            ),
            on_success=lambda path: QMessageBox.information(
                self, ops.TITLE, f"A backup of the database was saved as {path}."
            ),
            progress_label="Backing up the database…",
        )

    def _copy_server_database(self, database: Database, actor: Actor) -> None:
        from planit_desktop.model.copies import COPY_WHAT, SERVER_BACKUP_NOTE, copy_to_file
        from planit_desktop.model.personal_files import write_recorded

        answer = QMessageBox.question(
            self,
            ops.TITLE,
            f"{SERVER_BACKUP_NOTE}\n\nYou can also save a copy of all the data in a file on "
            "this PC, which Plan-it Desktop can open. Save a copy now?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        suggested = Path.home() / f"planit_copy_{date.today():%Y-%m-%d}.db"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save a copy of the database", str(suggested), "Plan-it databases (*.db)"
        )
        if not chosen:
            return
        ops.run_task(
            self,
            lambda progress: write_recorded(
                database,
                actor,
                what=COPY_WHAT,
                write=lambda: copy_to_file(
                    database, Path(chosen), lambda text: progress.report(0, 0, text)
                ),
            ),
            on_success=lambda path: QMessageBox.information(
                self, ops.TITLE, f"A copy of all the data was saved as {path}."
            ),
            progress_label="Copying the database…",
        )

    # --- Help menu ---------------------------------------------------------------------------
    @Slot()
    def show_guide(self) -> None:
        dialog = YearEndGuideDialog(self)
        dialog.setModal(False)
        dialog.show()

    @Slot()
    def show_about(self) -> None:
        show_about(self)

    # --- size and layout ---------------------------------------------------------------------
    def _groups_splitter(self) -> Any:
        if not self.tab_pages:
            return None  # no database shown yet: nothing to import or save
        from planit_desktop.ui.groups.tab import GroupsTab

        page = next((p for p in self.tab_pages if isinstance(p, GroupsTab)), None)
        return page.splitter if page is not None else None

    def _restore_layout(self) -> None:
        stored = settings()
        geometry = stored.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        state = stored.value("main_window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def _restore_splitter(self) -> None:
        state = settings().value("main_window/groups_splitter")
        splitter = self._groups_splitter()
        if isinstance(state, QByteArray) and splitter is not None:
            splitter.restoreState(state)

    def _save_splitter(self) -> None:
        splitter = self._groups_splitter()
        if splitter is not None:
            settings().setValue("main_window/groups_splitter", splitter.saveState())

    def save_layout(self) -> None:
        stored = settings()
        stored.setValue("main_window/geometry", self.saveGeometry())
        stored.setValue("main_window/state", self.saveState())
        self._save_splitter()
        stored.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self._stop_watching()
        super().closeEvent(event)
