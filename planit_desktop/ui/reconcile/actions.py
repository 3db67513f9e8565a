"""File ▸ Check against MIS…, and the same check started from the Year End checklist and the
year-end wizard: choose the whole-roll file, read and compare it in the background, record
the comparison for the checklist's hints, and open the review.

Only Qt at the top: the window builds its menus before the database layer is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from planit_desktop.ui import ops
from planit_desktop.ui.settings import settings

if TYPE_CHECKING:
    from planit_desktop.model.services.reconcile import Comparison
    from planit_desktop.ui.context import AppContext
    from planit_desktop.ui.reconcile.dialog import MisCheckDialog

FILE_FILTER = "MIS roll files (*.xlsx *.xlsm *.xls *.ods *.csv *.xml);;All files (*)"
ADMINISTRATORS_ONLY = (
    "Only an administrator can check Plan-it against the MIS. You are signed in as a "
    "supervisor: ask one of the school's administrators."
)
CHECK_TIP = (
    "Compare Plan-it with the school's whole roll exported from its MIS (or a Common Transfer "
    "File of its own pupils): new learners, leavers, year groups, tutor groups and details "
    "that differ, reviewed before anything changes."
)
_FOLDER_KEY = "mis_check/folder"


def _folder() -> Path:
    stored = settings().value(_FOLDER_KEY) or settings().value("import/folder")
    folder = Path(str(stored)) if stored else Path.home()
    return folder if folder.is_dir() else Path.home()


def _compare(path: Path, sheet: str | None, actor: Any, wizard: bool) -> Any:
    """The background step: read the file, read Plan-it's roll, compare them."""
    from planit_desktop.model.services import reconcile

    def work(session: Any, progress: ops.Progress) -> Comparison:
        progress.report(0, 0, f"Reading {path.name}…")
        table = reconcile.read_roll_file(path, sheet=sheet)
        progress.check()
        progress.report(0, 0, f"Comparing {len(table.rows):,} learners with Plan-it…")
        roll = reconcile.load_roll(session, actor)
        before = wizard or reconcile.before_year_end(session)
        return reconcile.compare(table, roll, before_year_end=before)

    return work


class MisCheck(QObject):
    """One check against the MIS, from the choice of file to the review dialog.

    ``wizard``: started from the year-end wizard before its run (learners a year group behind
    may be kept back even before August). ``on_applied(result)`` is called after Apply.
    """

    def __init__(
        self,
        parent: QWidget,
        context: AppContext,
        *,
        wizard: bool = False,
        on_applied: Callable[[Any], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.context = context
        self.wizard = wizard
        self.on_applied = on_applied
        self.dialog: MisCheckDialog | None = None

    def start(self, path: Path | None = None) -> None:
        """Ask for the file (unless given), then read and compare it."""
        if not self.context.actor.is_administrator:
            QMessageBox.information(self.parent_widget, ops.TITLE, ADMINISTRATORS_ONLY)
            return
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(
                self.parent_widget,
                "Choose the school's whole roll exported from the MIS",
                str(_folder()),
                FILE_FILTER,
            )
            if not chosen:
                return
            path = Path(chosen)
        settings().setValue(_FOLDER_KEY, str(path.parent))
        from planit_desktop.ui.importing.actions import open_sheet

        open_sheet(self.parent_widget, path, self._sheet_chosen)

    def _sheet_chosen(self, path: Path, sheet: str | None) -> None:
        self.context.run(
            self.parent_widget,
            _compare(path, sheet, self.context.actor, self.wizard),
            on_success=lambda comparison: self._compared(path, comparison),
            progress_label=f"Comparing {path.name} with Plan-it…",
            cancellable=True,
        )

    def _compared(self, path: Path, comparison: Comparison) -> None:
        from planit_desktop.ui.reconcile.dialog import MisCheckDialog

        if comparison.usable:
            self._record(comparison)
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = MisCheckDialog(self.context, comparison, path=path, parent=self.parent_widget)
        if self.on_applied is not None:
            self.dialog.sig_applied.connect(self.on_applied)
        self.dialog.open()

    def _record(self, comparison: Comparison) -> None:
        """The comparison, for the Year End checklist's hints (a short write of its own)."""
        from planit_desktop.model.services.reconcile import record_check

        actor = self.context.actor
        found = {category.value: count for category, count in comparison.counts().items()}
        self.context.run(
            None,
            lambda session, _p: record_check(
                session, actor, source_name=comparison.source_name, found=found
            ),
            write=True,
            # The review is open whatever happens to this note (a read-only database, say).
            on_failure=lambda _error: None,
        )


class MisCheckMenu(QObject):
    """File ▸ Check against MIS…; bound to the open database by :meth:`bind`."""

    def __init__(self, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.context: AppContext | None = None
        self.check: MisCheck | None = None
        self.action = QAction("Check against &MIS…", window)
        self.action.setEnabled(False)
        self.action.triggered.connect(self.start)
        menu.addAction(self.action)

    def bind(self, context: AppContext) -> None:
        self.context = context
        allowed = context.actor.is_administrator
        self.action.setEnabled(allowed)
        tip = CHECK_TIP if allowed else ADMINISTRATORS_ONLY
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)

    @Slot()
    def start(self) -> None:
        if self.context is None:
            return
        self.check = MisCheck(self.window, self.context)
        self.check.start()


def start_mis_check(
    parent: QWidget,
    context: AppContext,
    *,
    wizard: bool = False,
    on_applied: Callable[[Any], object] | None = None,
    path: Path | None = None,
) -> MisCheck:
    """Start a check from anywhere (the checklist, the wizard); the check, kept by ``parent``."""
    check = MisCheck(parent, context, wizard=wizard, on_applied=on_applied)
    check.start(path)
    return check
