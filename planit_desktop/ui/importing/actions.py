"""File ▸ Save import template… and File ▸ Import new learners…

Only Qt at the top: the window builds its menus before the database layer is loaded, so the
importing services are imported when an action is used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QWidget

from planit_desktop.ui import ops
from planit_desktop.ui.settings import settings

if TYPE_CHECKING:
    from planit_desktop.model.services.importing import SheetInfo
    from planit_desktop.ui.context import AppContext
    from planit_desktop.ui.importing.preview import ImportPreviewDialog, LoadedFile

TEMPLATE_NAME = "Plan-it new learners template.xlsx"
FILE_FILTER = "Learner files (*.xlsx *.xlsm *.xls *.ods *.csv *.xml);;All files (*)"
ADMINISTRATORS_ONLY = (
    "Only an administrator can import new learners. You are signed in as a supervisor: ask "
    "one of the school's administrators to import them."
)
IMPORT_TIP = "Import new learners from the template, an MIS export (SIMS, Arbor, Bromcom) or a "
IMPORT_TIP += "DfE Common Transfer File, with a preview before anything is written."
_FOLDER_KEY = "import/folder"


def _folder() -> Path:
    stored = settings().value(_FOLDER_KEY)
    folder = Path(str(stored)) if stored else Path.home()
    return folder if folder.is_dir() else Path.home()


def _remember(path: Path) -> None:
    settings().setValue(_FOLDER_KEY, str(path.parent))


def hidden_mark(sheet: SheetInfo) -> str:
    return f"{sheet.name} (hidden)" if sheet.hidden else sheet.name


def choose_sheet(parent: QWidget | None, sheets: tuple[SheetInfo, ...]) -> str | None:
    """Ask which sheet holds the learners (hidden ones marked); None if cancelled."""
    items = [hidden_mark(s) for s in sheets]
    first_visible = next((i for i, s in enumerate(sheets) if not s.hidden), 0)
    chosen, ok = QInputDialog.getItem(
        parent,
        "Choose the sheet",
        "The workbook has several sheets. Which one holds the new learners?",
        items,
        first_visible,
        False,
    )
    if not ok or chosen not in items:
        return None
    return sheets[items.index(chosen)].name


def _read_and_check(path: Path, sheet: str | None) -> Any:
    """The background step: read the file, read what checking needs, check every row."""
    from planit_desktop.model.services.importing import check_table, load_context, read_table
    from planit_desktop.model.services.school import get_school
    from planit_desktop.ui.importing.preview import LoadedFile

    def work(session: Any, progress: ops.Progress) -> LoadedFile:
        progress.report(0, 0, f"Reading {path.name}…")
        table = read_table(path, sheet=sheet)
        progress.check()
        progress.report(0, 0, f"Checking {len(table.rows):,} rows…")
        context = load_context(session)
        progress.check()
        result = check_table(table, context)
        return LoadedFile(path, result, context, get_school(session).name)

    return work


class ImportMenu(QObject):
    """The two File menu entries; bound to the open database by :meth:`bind`."""

    def __init__(self, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.context: AppContext | None = None
        self.preview: ImportPreviewDialog | None = None
        menu.setToolTipsVisible(True)
        self.template_action = QAction("Save import &template…", window)
        self.template_action.setStatusTip("Save the spreadsheet to fill in with new learners.")
        self.import_action = QAction("&Import new learners…", window)
        for action, slot in (
            (self.template_action, self.save_template),
            (self.import_action, self.import_learners),
        ):
            action.setEnabled(False)
            action.triggered.connect(slot)
            menu.addAction(action)

    def bind(self, context: AppContext) -> None:
        """Act on ``context``'s database as its actor (administrators may import)."""
        self.context = context
        self.template_action.setEnabled(True)
        allowed = context.actor.is_administrator
        self.import_action.setEnabled(allowed)
        tip = IMPORT_TIP if allowed else ADMINISTRATORS_ONLY
        self.import_action.setToolTip(tip)
        self.import_action.setStatusTip(tip)

    # --- the template -------------------------------------------------------------------------
    @Slot()
    def save_template(self) -> None:
        if self.context is None:
            return
        chosen, _filter = QFileDialog.getSaveFileName(
            self.window,
            "Save the import template",
            str(_folder() / TEMPLATE_NAME),
            "Excel workbook (*.xlsx)",
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        _remember(path)

        def write(session: Any, _progress: ops.Progress) -> Path:
            from planit_desktop.model.services.importing import write_import_template
            from planit_desktop.model.services.school import get_school

            school = get_school(session)
            return write_import_template(
                path, lowest_year=school.lowest_year, highest_year=school.highest_year
            )

        self.context.run(
            self.window,
            write,
            on_success=lambda saved: QMessageBox.information(
                self.window,
                ops.TITLE,
                f"The import template was saved as {saved}. Fill in one learner per row, "
                "then choose File ▸ Import new learners….",
            ),
            on_failure=lambda error: ops.show_error(
                self.window,
                f"The import template was not saved. {ops.describe_failure(error)}",
            ),
            progress_label="Saving the import template…",
        )

    # --- importing ----------------------------------------------------------------------------
    @Slot()
    def import_learners(self) -> None:
        context = self.context
        if context is None:
            return
        if not context.actor.is_administrator:
            QMessageBox.information(self.window, ops.TITLE, ADMINISTRATORS_ONLY)
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self.window, "Choose the file of new learners", str(_folder()), FILE_FILTER
        )
        if not chosen:
            return
        path = Path(chosen)
        _remember(path)
        open_sheet(self.window, path, self._sheet_chosen)

    def _sheet_chosen(self, path: Path, sheet: str | None) -> None:
        assert self.context is not None
        self.context.run(
            self.window,
            _read_and_check(path, sheet),
            on_success=self._checked,
            progress_label=f"Reading and checking {path.name}…",
            cancellable=True,
        )

    def _checked(self, loaded: LoadedFile) -> None:
        from planit_desktop.ui.importing.preview import ImportPreviewDialog

        assert self.context is not None
        if self.preview is not None and not self.preview.isVisible():
            self.preview.deleteLater()  # the last file's rows go with it
        self.preview = ImportPreviewDialog(self.context, loaded, self.window)
        self.preview.open()


def open_sheet(parent: QWidget, path: Path, then: Callable[[Path, str | None], None]) -> None:
    """List the workbook's sheets off the GUI thread, ask which one when it has several, then
    ``then(path, sheet)`` (None: a file with no sheets, a CSV or CTF); nothing when the
    coordinator cancels the choice. The import and the MIS check open their files so."""
    from planit_desktop.model.services.importing import list_sheets

    def listed(sheets: tuple[SheetInfo, ...]) -> None:
        sheet: str | None = None
        if len(sheets) > 1:
            sheet = choose_sheet(parent, sheets)
            if sheet is None:
                return
        elif sheets:
            sheet = sheets[0].name
        then(path, sheet)

    ops.run_task(
        parent,
        lambda _progress: list_sheets(path),
        on_success=listed,
        progress_label=f"Opening {path.name}…",
    )
