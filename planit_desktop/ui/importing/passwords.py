"""The passwords step after an import: save the password list and/or the slips.

The temporary passwords exist only in this dialog's memory until they are written to a file
(the database holds only their hashes). So the dialog does not let the coordinator close it
before one of the files was saved, unless they confirm that the passwords may be lost. There
is no "handed out" mark in the database: this dialog is where that rule is kept. A file that
cannot be saved (open in Excel, a read-only folder) is reported in plain words, and the
coordinator chooses another place: the learners stay imported and the passwords stay here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.importing import ImportResult
from planit_desktop.model.services.password_outputs import (
    PasswordRow,
    write_password_list,
    write_password_slips,
)
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops

CANNOT_SHOW_AGAIN = (
    "These passwords cannot be shown again: Plan-it keeps only a scrambled form of them. "
    "Save the password list or the slips before closing."
)
LOSE_THEM = (
    "These passwords cannot be shown again. Close without saving them? The learners stay "
    "imported, but each would need a new password from the Learners tab."
)


def summary(outcome: ImportResult) -> str:
    """What the import did, in a sentence or two."""
    parts = [f"{count_of(outcome.imported, 'learner')} imported from {outcome.source_name}"]
    if outcome.reinstated:
        parts.append(f"{count_of(len(outcome.reinstated), 'learner')} who had left reinstated")
    text = "; ".join(parts) + "."
    if outcome.groups_created:
        text += " Tutor groups created: " + ", ".join(outcome.groups_created) + "."
    if outcome.left_out_rows:
        text += f" {count_of(len(outcome.left_out_rows), 'row')} left out."
    return text


class PasswordsDialog(QDialog):
    """Holds the clear-text temporary passwords until they are saved (or knowingly dropped)."""

    #: A password file was saved (its path).
    sig_passwords_saved = Signal(object)
    #: Saving failed; the message in plain words.
    sig_passwords_failed = Signal(str)

    def __init__(
        self, outcome: ImportResult, *, school_name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Temporary passwords")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.outcome = outcome
        self.school_name = school_name
        self._rows: tuple[PasswordRow, ...] = outcome.password_rows
        self.saved: list[Path] = []
        self.saving: ops.Operation[Any] | None = None

        layout = QVBoxLayout(self)
        done = QLabel(summary(outcome))
        done.setWordWrap(True)
        layout.addWidget(done)
        self.warning = QLabel(CANNOT_SHOW_AGAIN)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.warning)
        self.saved_label = QLabel()
        self.saved_label.setWordWrap(True)
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.saved_label)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.list_button = QPushButton("Save the password &list (.xlsx)…")
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
        self.list_button.setDefault(True)

    @property
    def holds_passwords(self) -> bool:
        return bool(self._rows)

    # --- saving -----------------------------------------------------------------------------
    @Slot()
    def save_list(self) -> None:
        rows = self._rows
        self._save(
            "Save the password list",
            f"Plan-it temporary passwords {date.today():%Y-%m-%d}.xlsx",
            "Excel workbook (*.xlsx)",
            ".xlsx",
            lambda path: write_password_list(path, rows),
        )

    @Slot()
    def save_slips(self) -> None:
        rows, school = self._rows, self.school_name
        self._save(
            "Save the password slips",
            f"Plan-it password slips {date.today():%Y-%m-%d}.pdf",
            "PDF document (*.pdf)",
            ".pdf",
            lambda path: write_password_slips(path, rows, school_name=school),
        )

    def _save(self, caption: str, name: str, filter_: str, suffix: str, write: Any) -> None:
        if not self._rows:
            return
        folder = self.saved[-1].parent if self.saved else Path.home()
        chosen, _selected = QFileDialog.getSaveFileName(self, caption, str(folder / name), filter_)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self._busy(True)
        self.saving = ops.run_task(
            self,
            lambda _progress: write(path),
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
        self.saved_label.setText("Saved: " + "; ".join(str(p) for p in self.saved))
        self.warning.setText(
            "Keep the saved file safe until the passwords are handed out, then delete it."
        )
        self.sig_passwords_saved.emit(Path(path))

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        message = (
            f"{ops.describe_failure(error)} The learners were imported and the passwords are "
            "still here: save them again, in another place if need be."
        )
        self.problem.setText(message)
        self.problem.show()
        self.sig_passwords_failed.emit(message)

    # --- closing ----------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Closing by any means: refused while saving; asks first if nothing was saved."""
        if self.saving is not None and not self.saving.done:
            return
        if self._rows and not self.saved:
            answer = QMessageBox.warning(
                self,
                "Temporary passwords",
                LOSE_THEM,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        # The only copies of the clear-text passwords go with the dialog.
        self._rows = ()
        self.outcome = replace(self.outcome, password_rows=())
        super().done(result)
