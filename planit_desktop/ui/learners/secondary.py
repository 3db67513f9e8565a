"""Secondary passwords…: find learners as a forgotten-password request describes them, choose
where their passwords go (a list, .xlsx, or slips, .pdf), and issue them: the file is written
and synced before the passwords are stored, so none is issued that could be lost. More copies
may be saved while the dialog is open; closing forgets the passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.learner_passwords import (
    learners_with_unused_secondary,
)
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.credentials.password_files import (
    PasswordFiles,
    write_password_copy,
)
from planit_desktop.model.services.credentials.secondary import issue_secondary
from planit_desktop.model.services.learners.roll import LearnerRow, find_learners
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark, open_at_text_size
from planit_desktop.ui.learners.dialog_models import PasswordModel
from planit_desktop.ui.learners.table import LearnerListModel

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

LIST_FILTER = "Password list (*.xlsx)"
SLIPS_FILTER = "Password slips to print (*.pdf)"


@dataclass(frozen=True)
class SchoolSetup:
    school_name: str
    lowest_year: int
    highest_year: int


def _table(model: object, selection: QAbstractItemView.SelectionMode) -> QTableView:
    table = QTableView()
    table.setModel(model)  # type: ignore[arg-type]
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.resizeColumnsToContents()  # empty until found: as wide as the headings, at any size
    return table


class SecondaryPasswordsDialog(QDialog):
    """Find, issue, save; see the module's description."""

    #: Learners were found and listed.
    sig_learners_found = Signal()
    #: Secondary passwords were issued (a list of PasswordRow).
    sig_passwords_issued = Signal(object)
    #: A list or slips file was written (its Path).
    sig_file_saved = Signal(object)

    def __init__(
        self, context: AppContext, setup: SchoolSetup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.context, self.setup = context, setup
        self.setWindowTitle("Secondary passwords")
        self.issued: list[PasswordRow] = []
        #: The files the passwords were saved in (when issued, and any copies since).
        self.saved: list[Path] = []
        intro = QLabel(
            "A secondary password lets a learner who forgot theirs sign in; their own password "
            "keeps working. Find the learners, choose them and issue: you choose where the list "
            "or slips are saved first, since the passwords are not kept anywhere else."
        )
        intro.setWordWrap(True)
        self.first_names, self.surname, self.date_of_birth = QLineEdit(), QLineEdit(), QLineEdit()
        self.date_of_birth.setPlaceholderText("dd/mm/yyyy")
        self.year_group = QComboBox()
        self.year_group.addItem("Any year group", None)
        for number in range(setup.lowest_year, setup.highest_year + 1):
            self.year_group.addItem(format_year_group(number), number)
        self.find_button = QPushButton("Find")
        self.find_button.setDefault(True)
        grid = QGridLayout()
        for column, (label, widget) in enumerate(
            (
                ("First names", self.first_names),
                ("Surname", self.surname),
                ("Date of birth", self.date_of_birth),
                ("Year group", self.year_group),
            )
        ):
            widget.setAccessibleName(label)
            grid.addWidget(QLabel(label), 0, column)
            grid.addWidget(widget, 1, column)
        grid.addWidget(self.find_button, 1, 4)
        self.found_label = QLabel("Type what you know about the learner, then Find.")
        self.found = LearnerListModel(self)
        self.found_table = _table(self.found, QAbstractItemView.SelectionMode.ExtendedSelection)
        self.found_table.setAccessibleName("Learners found")
        self.found_table.setAccessibleDescription(
            "The learners whose name and date of birth match the search; select those who need a "
            "secondary password."
        )
        self.issue_button = QPushButton("Issue secondary passwords and save them…")
        self.issue_button.setEnabled(False)
        self.issued_label = QLabel("No secondary passwords issued yet.")
        # Long sentences (file paths, names) wrap rather than widen or clip the dialog.
        for wrapped in (self.found_label, self.issued_label):
            wrapped.setWordWrap(True)
        self.passwords = PasswordModel(self)
        self.issued_table = _table(self.passwords, QAbstractItemView.SelectionMode.NoSelection)
        self.issued_table.setAccessibleName("Secondary passwords issued")
        self.issued_table.setAccessibleDescription(
            "Each learner given a secondary password now, with the password to hand them."
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_list_button = self.buttons.addButton(
            "Save list (.xlsx)…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_slips_button = self.buttons.addButton(
            "Save slips (.pdf)…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        mark(self.problem, State.ERROR)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.found_label)
        layout.addWidget(self.found_table, 2)
        layout.addWidget(self.issue_button)
        layout.addWidget(self.issued_label)
        layout.addWidget(self.issued_table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        open_at_text_size(self, 120, 34)
        self.find_button.clicked.connect(self.find_learners)
        for edit in (self.first_names, self.surname, self.date_of_birth):
            edit.returnPressed.connect(self.find_learners)
        self.issue_button.clicked.connect(self.issue)
        self.save_list_button.clicked.connect(lambda: self.save(slips=False))
        self.save_slips_button.clicked.connect(lambda: self.save(slips=True))
        self.buttons.rejected.connect(self.reject)
        self.found_table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.found.modelReset.connect(self._update)
        self._update()

    # --- finding ------------------------------------------------------------------------------
    @Slot()
    def find_learners(self) -> None:
        actor = self.context.actor
        first, last = self.first_names.text(), self.surname.text()
        born, year = self.date_of_birth.text(), self.year_group.currentData()
        self.problem.hide()
        # Results of an earlier Find must not stay beside an error (nor be issued).
        self.found.set_rows([])
        self.found_label.setText("Finding…")

        def find(session: Any, _p: ops.Progress) -> tuple[list[LearnerRow], frozenset[int]]:
            rows = find_learners(
                session,
                actor,
                first_names=first,
                surname=last,
                date_of_birth=born or None,
                year_group=year,
            )
            return rows, frozenset(learners_with_unused_secondary(session, actor))

        self.context.run(
            self,
            find,
            on_success=lambda found: self._found(*found),
            on_failure=self._find_failed,
        )

    def _found(self, rows: list[LearnerRow], unused: frozenset[int] = frozenset()) -> None:
        self.found.set_rows(rows, unused & {row.id for row in rows})
        if not rows:
            text = "Nobody on roll matches all of that. Try with less."
        else:
            text = (
                f"{count_of(len(rows), 'learner')} found. "
                "Choose one or more (Ctrl or Shift for several)."
            )
            holding = [row.full_name for row in rows if row.id in unused]
            if holding:
                text += " " + _unused_sentence(holding)
        self.found_label.setText(text)
        self.found_table.resizeColumnsToContents()
        self.sig_learners_found.emit()

    def _find_failed(self, error: BaseException) -> None:
        self.found_label.setText("Nobody is listed: correct what was typed, then Find again.")
        self._failed(error)

    def chosen_ids(self) -> list[int]:
        rows = self.found_table.selectionModel().selectedRows()
        return sorted({self.found.row_at(index.row()).id for index in rows})

    def choose_all(self) -> None:
        self.found_table.selectAll()

    # --- issuing and saving ---------------------------------------------------------------------
    @Slot()
    def issue(self) -> None:
        """Ask where the passwords go, then issue them and write the file in one step."""
        ids = self.chosen_ids()
        if not ids:
            return
        holding = [self.found.row_at(i).full_name for i in range(self.found.rowCount())
                   if self.found.row_at(i).id in ids
                   and self.found.has_unused_secondary(self.found.row_at(i).id)]  # fmt: skip
        if holding and (
            QMessageBox.question(
                self,
                "Secondary passwords",
                f"{_unused_sentence(holding)} Issue a new one anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        folder = self._folder()
        chosen, selected = QFileDialog.getSaveFileName(
            self,
            "Save the secondary passwords as",
            str(folder / f"Plan-it secondary passwords {date.today():%Y-%m-%d}.xlsx"),
            f"{LIST_FILTER};;{SLIPS_FILTER}",
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".xlsx", ".pdf"):
            path = path.with_name(path.name + (".pdf" if selected == SLIPS_FILTER else ".xlsx"))
        files = PasswordFiles(slips=path) if path.suffix.lower() == ".pdf" else PasswordFiles(path)
        actor, database = self.context.actor, self.context.database
        delivery = PasswordDelivery(
            files,
            what=f"issue of secondary passwords for {len(ids):,} learners",
            database=database.location,
            school_name=self.setup.school_name,
            secondary=True,
        )

        def work(_progress: ops.Progress) -> tuple[list[PasswordRow], tuple[Path, ...]]:
            with delivery, database.begin() as session:
                rows = issue_secondary(session, actor, ids, delivery=delivery)
            return rows, tuple(delivery.saved)

        self.issue_button.setEnabled(False)
        self.problem.hide()
        ops.run_task(
            self,
            work,
            events=self.context.events,
            on_success=lambda done: self._issued(*done),
            on_failure=self._failed,
            progress_label="Issuing secondary passwords and saving them…",
        )

    def _folder(self) -> Path:
        return self.saved[-1].parent if self.saved else Path.home()

    def _issued(self, rows: list[PasswordRow], saved: tuple[Path, ...]) -> None:
        again = {row.login for row in rows}
        replaced = [row for row in self.issued if row.login in again]
        # A learner issued one again: only the new password works, so only it is listed
        # (and saved in any copy from now on).
        self.issued = [row for row in self.issued if row.login not in again] + list(rows)
        earlier = list(self.saved)
        self.saved.extend(saved)
        self.passwords.set_rows(self.issued)
        self.issued_table.resizeColumnsToContents()
        text = (
            f"{count_of(len(self.issued), 'password')} issued and saved in "
            + "; ".join(str(p) for p in saved)
            + ". Keep the file safe until they are handed out, then delete it."
        )
        if replaced:
            names = ", ".join(f"{row.first_names} {row.surname}" for row in replaced)
            text += f" The earlier secondary password of {names} no longer works" + (
                f": destroy the copies saved before ({'; '.join(str(p) for p in earlier)})."
                if earlier
                else "."
            )
        self.issued_label.setText(text)
        self._update()
        self.sig_passwords_issued.emit(rows)
        for path in saved:
            self.sig_file_saved.emit(path)

    def save(self, *, slips: bool) -> None:
        """Save another copy of the passwords issued (as a list or slips)."""
        if not self.issued:
            return
        kind = "slips" if slips else "list"
        suffix = ".pdf" if slips else ".xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            f"Save the secondary password {kind}",
            str(self._folder() / f"secondary-passwords{'-slips' if slips else ''}{suffix}"),
            SLIPS_FILTER if slips else LIST_FILTER,
        )
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        rows, school, actor = list(self.issued), self.setup.school_name, self.context.actor
        # A copy of personal data is audited with its path, like the file of the issue.
        self.context.run(
            self,
            lambda session, _p: write_password_copy(
                session, actor, Path(path), rows, slips=slips, school_name=school, secondary=True
            ),
            write=True,
            on_success=self._saved,
            on_failure=self._failed,
        )

    def _saved(self, path: Path) -> None:
        self.saved.append(Path(path))
        self.issued_label.setText(
            f"{count_of(len(self.issued), 'password')}, saved in "
            + "; ".join(str(p) for p in self.saved)
            + "."
        )
        self.sig_file_saved.emit(Path(path))

    def _failed(self, error: BaseException) -> None:
        self.problem.setText(ops.describe_failure(error))
        self.problem.show()
        self._update()

    def _update(self) -> None:
        self.issue_button.setEnabled(bool(self.chosen_ids()))
        self.save_list_button.setEnabled(bool(self.issued))
        self.save_slips_button.setEnabled(bool(self.issued))

    # --- closing ----------------------------------------------------------------------------------
    def reject(self) -> None:
        # The passwords are in the files saved when they were issued: nothing to ask.
        self._forget()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._forget()
        event.accept()

    def _forget(self) -> None:
        self.issued = []
        self.passwords.set_rows([])


def _unused_sentence(names: list[str]) -> str:
    """Said before re-issuing: the learners who hold a secondary password not yet used."""
    if len(names) == 1:
        who, verb = names[0], "has"
    else:
        who, verb = ", ".join(names[:-1]) + " and " + names[-1], "have"
    return (
        f"{who} already {verb} an unused secondary password: issuing a new one replaces it, "
        "and the old one stops working."
    )


def show_secondary_passwords(
    context: AppContext, setup: SchoolSetup, parent: QWidget | None
) -> SecondaryPasswordsDialog:
    dialog = SecondaryPasswordsDialog(context, setup, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
