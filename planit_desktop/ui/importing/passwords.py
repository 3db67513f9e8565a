"""Choosing where the temporary passwords go (before Import), and where they went (after).

The password list and slips are written as part of the import itself, before it commits
(see :mod:`planit_desktop.ui.importing.commit`): so the place is chosen in the preview, with a
sensible default (:class:`PasswordFilesChoice`), and the dialog after the import only says
where the files are. It may be closed at any time; it can also save another copy, or slips
too, while it is open (the passwords leave memory with it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.credentials.password_files import (
    PasswordFiles,
    write_password_copy,
)
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark
from planit_desktop.ui.importing.commit import ImportOutcome
from planit_desktop.ui.settings import settings

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

KEEP_SAFE = (
    "Keep the file safe until the passwords are handed out, then delete it: Plan-it keeps "
    "only a scrambled form of them and cannot show them again. A learner whose password is "
    "lost is given a new one with New temporary password… in the Learners tab."
)
_FOLDER_KEY = "passwords/folder"


def list_name(day: date) -> str:
    return f"Plan-it temporary passwords {day:%Y-%m-%d}.xlsx"


def slips_name(day: date) -> str:
    return f"Plan-it password slips {day:%Y-%m-%d}.pdf"


def free_name(path: Path) -> Path:
    """``path``, or ``path`` with " (2)", " (3)"… when a file of that name is already there."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        number += 1
    return candidate


def default_folder(beside: Path | None) -> Path:
    """The folder last used for passwords, else the folder of the file imported, else home."""
    stored = settings().value(_FOLDER_KEY)
    for folder in (Path(str(stored)) if stored else None, beside, Path.home()):
        if folder is not None and folder.is_dir():
            return folder
    return Path.home()


def summary(outcome: ImportOutcome) -> str:
    """What the import did, in a sentence or two."""
    return outcome.result.summary()


class PasswordFilesChoice(QWidget):
    """In the preview: where the password list goes (and, ticked, the slips beside it)."""

    #: The chosen place changed (the new PasswordFiles).
    sig_files_changed = Signal(object)

    def __init__(self, beside: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = date.today()
        folder = default_folder(beside)
        self.list_path = free_name(folder / list_name(today))
        self.slips_path = free_name(folder / slips_name(today))
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.change_button = QPushButton("Save them &elsewhere…")
        self.slips_box = QCheckBox("Also save &printable slips (.pdf) beside the list")
        self.page_per_group_box = QCheckBox("Start each tutor &group's slips on a new page")
        self.page_per_group_box.setEnabled(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout()
        column.addWidget(self.label)
        column.addWidget(self.slips_box)
        column.addWidget(self.page_per_group_box)
        row.addLayout(column, 1)
        row.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignTop)
        self.change_button.clicked.connect(self.choose)
        self.slips_box.toggled.connect(self._changed)
        self.slips_box.toggled.connect(self.page_per_group_box.setEnabled)
        self.page_per_group_box.toggled.connect(self._changed)
        self._changed()

    def files(self) -> PasswordFiles:
        """Where the import will write the passwords."""
        slips = self.slips_path if self.slips_box.isChecked() else None
        return PasswordFiles(
            password_list=self.list_path,
            slips=slips,
            new_page_per_group=slips is not None and self.page_per_group_box.isChecked(),
        )

    @Slot()
    def choose(self) -> None:
        """Ask for the password list's name and folder (the slips go beside it)."""
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Save the temporary passwords as", str(self.list_path), "Excel workbook (*.xlsx)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self.list_path = path
        self.slips_path = free_name(path.with_name(slips_name(date.today())))
        settings().setValue(_FOLDER_KEY, str(path.parent))
        self._changed()

    @Slot()
    def _changed(self) -> None:
        text = f"The temporary passwords will be saved, as part of the import, in {self.list_path}"
        if self.slips_box.isChecked():
            text += f", with slips to print in {self.slips_path.name}"
        self.label.setText(text + ".")
        self.sig_files_changed.emit(self.files())


class PasswordsDialog(QDialog):
    """After the import: what was done and where the password files are."""

    #: Another copy (or the slips) was saved (its path).
    sig_passwords_saved = Signal(object)
    #: Saving another copy failed; the message in plain words.
    sig_passwords_failed = Signal(str)

    def __init__(
        self,
        outcome: ImportOutcome,
        *,
        context: AppContext,
        school_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.context = context
        self.setWindowTitle("Temporary passwords")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.outcome = outcome
        self.school_name = school_name
        self._rows: tuple[PasswordRow, ...] = outcome.result.password_rows
        self.saved: list[Path] = list(outcome.saved)
        self.saving: ops.Operation[Any] | None = None

        layout = QVBoxLayout(self)
        done = QLabel(summary(outcome))
        done.setWordWrap(True)
        layout.addWidget(done)
        self.saved_label = QLabel()
        self.saved_label.setWordWrap(True)
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.saved_label)
        self.warning = QLabel(KEEP_SAFE)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.warning)
        self.problem = QLabel(" ".join(outcome.problems))
        self.problem.setWordWrap(True)
        mark(self.problem, State.ERROR)
        self.problem.setVisible(bool(outcome.problems))
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.list_button = QPushButton("Save a &copy of the list (.xlsx)…")
        self.slips_button = QPushButton("Save password &slips to print (.pdf)…")
        self.close_button = QPushButton("&Close")
        for button in (self.list_button, self.slips_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.list_button.clicked.connect(self.save_list)
        self.slips_button.clicked.connect(self.save_slips)
        self.close_button.clicked.connect(self.accept)
        self.close_button.setDefault(True)
        self._show_saved()

    @property
    def holds_passwords(self) -> bool:
        return bool(self._rows)

    def _show_saved(self) -> None:
        self.saved_label.setText(
            "The temporary passwords are saved in: " + "; ".join(str(p) for p in self.saved)
        )

    # --- another copy ---------------------------------------------------------------------------
    @Slot()
    def save_list(self) -> None:
        self._save(
            "Save a copy of the password list",
            list_name(date.today()),
            "Excel workbook (*.xlsx)",
            ".xlsx",
            slips=False,
        )

    @Slot()
    def save_slips(self) -> None:
        self._save(
            "Save the password slips",
            slips_name(date.today()),
            "PDF document (*.pdf)",
            ".pdf",
            slips=True,
        )

    def _save(self, caption: str, name: str, filter_: str, suffix: str, *, slips: bool) -> None:
        if not self._rows:
            return
        folder = self.saved[-1].parent if self.saved else Path.home()
        chosen, _selected = QFileDialog.getSaveFileName(self, caption, str(folder / name), filter_)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        rows, school, actor = self._rows, self.school_name, self.context.actor
        self._busy(True)
        # A copy of personal data is audited with its path, like the files of the import.
        self.saving = self.context.run(
            self,
            lambda session, _p: write_password_copy(
                session, actor, path, rows, slips=slips, school_name=school
            ),
            write=True,
            on_success=self._saved,
            on_failure=self._failed,
            progress_label=f"Saving {path.name}…",
        )

    def _busy(self, busy: bool) -> None:
        for button in (self.list_button, self.slips_button, self.close_button):
            button.setEnabled(not busy)

    def _saved(self, path: Path) -> None:
        self._busy(False)
        self.saved.append(Path(path))
        self.problem.hide()
        self._show_saved()
        self.sig_passwords_saved.emit(Path(path))

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        message = (
            f"{ops.describe_failure(error)} The passwords are safe in the files listed above; "
            "this copy was not saved."
        )
        self.problem.setText(message)
        self.problem.show()
        self.sig_passwords_failed.emit(message)

    # --- closing ----------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Closing by any means (not while a copy is being saved): the passwords are in files."""
        if self.saving is not None and not self.saving.done:
            return
        # The clear-text passwords leave memory with the dialog.
        self._rows = ()
        self.outcome = replace(self.outcome, result=replace(self.outcome.result, password_rows=()))
        super().done(result)
