"""Create New User…: a learner added in class by a supervisor or an administrator, with the
light duplicate check ("Create anyway"), and the temporary password shown once with a slip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from planit_desktop.model.services.password_outputs import PasswordRow, write_password_slips
from planit_desktop.model.services.quick_create import QuickCreateResult
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import ops
from planit_desktop.ui.dialogs.passwords import ShownOncePasswordDialog
from planit_desktop.ui.groups.dialogs import ServiceDialog


@dataclass(frozen=True)
class QuickCreateSetup:
    """What the dialog offers: the groups the person may use and the school's year groups."""

    groups: list[str]
    lowest_year: int
    highest_year: int
    school_name: str
    may_create_groups: bool  # administrators may type a new tutor group


@dataclass(frozen=True)
class NewLearner:
    """The details as typed, for the quick-create service."""

    first_names: str
    surname: str
    date_of_birth: str
    year_group: int
    tutor_group: str | None
    confirm_duplicates: bool


class QuickCreateDialog(ServiceDialog):
    """First names, surname, date of birth, year group and tutor group; duplicates warned."""

    #: A NewLearner to create; the actions run the service and answer the dialog.
    sig_learner_submitted = Signal(object)

    def __init__(self, setup: QuickCreateSetup, parent: QWidget | None = None) -> None:
        super().__init__("Create New User", parent)
        self.setup = setup
        intro = QLabel(
            "Add a learner who is missing from Plan-it. They get a login and a temporary "
            "password at once; an administrator checks the record later."
        )
        intro.setWordWrap(True)
        self.first_names = QLineEdit()
        self.surname = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText("dd/mm/yyyy")
        self.year_group = QComboBox()
        for number in range(setup.lowest_year, setup.highest_year + 1):
            self.year_group.addItem(format_year_group(number), number)
        self.tutor_group = QComboBox()
        self.tutor_group.addItems(setup.groups)
        # Administrators may name a new group; supervisors choose one of their own.
        self.tutor_group.setEditable(setup.may_create_groups)
        form = QFormLayout()
        for label, widget in (
            ("First names:", self.first_names),
            ("Surname:", self.surname),
            ("Date of birth:", self.date_of_birth),
            ("Year group:", self.year_group),
            ("Tutor group:", self.tutor_group),
        ):
            widget.setAccessibleName(label.rstrip(":"))
            form.addRow(label, widget)
        self.duplicates = QLabel()
        self.duplicates.setWordWrap(True)
        self.duplicates.setStyleSheet("color: #8a5300;")
        self.duplicates.hide()
        self.layout_.addWidget(intro)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.duplicates)
        self.finish_layout()
        self.ok_button.setText("Create")
        self._confirm = False
        for edit in (self.first_names, self.surname, self.date_of_birth):
            edit.textEdited.connect(self._edited)
        self.year_group.currentIndexChanged.connect(self._edited)
        self.tutor_group.currentTextChanged.connect(self._edited)

    @Slot()
    def _edited(self) -> None:
        # Changed details need checking for duplicates again.
        self._confirm = False
        self.ok_button.setText("Create")
        self.duplicates.hide()
        self.problem.hide()

    def details(self) -> NewLearner:
        group = self.tutor_group.currentText().strip()
        return NewLearner(
            self.first_names.text(),
            self.surname.text(),
            self.date_of_birth.text(),
            int(self.year_group.currentData()),
            group or None,
            self._confirm,
        )

    @Slot()
    def _submit(self) -> None:
        self.set_busy(True)
        self.sig_learner_submitted.emit(self.details())

    def show_duplicates(self, sentences: Sequence[str], warnings: Sequence[str]) -> None:
        """Nothing was created: say who may be the same learner, and offer Create anyway."""
        self.set_busy(False)
        self._confirm = True
        text = " ".join([*sentences, *warnings])
        self.duplicates.setText(
            f"This learner may already be in Plan-it. {text} If you have checked and they are "
            "a different learner, press Create anyway."
        )
        self.duplicates.show()
        self.ok_button.setText("Create anyway")


class LearnerPasswordDialog(ShownOncePasswordDialog):
    """The new learner's temporary password, shown once, with Copy and Save slip…."""

    def __init__(
        self,
        result: QuickCreateResult,
        school_name: str,
        parent: QWidget | None = None,
    ) -> None:
        row = result.password_row
        assert row is not None
        super().__init__(f"{row.first_names} {row.surname}", row.login, row.password, parent)
        self._row: PasswordRow | None = row
        self._school_name = school_name
        self.slip_button = QPushButton("Save slip…")
        self.slip_button.setToolTip("Save a printable slip (PDF) with the login and password")
        self.slip_button.clicked.connect(self.save_slip)
        notes = [*result.warnings]
        notes.append("The learner is marked “created in class” until an administrator checks them.")
        note = QLabel(" ".join(notes))
        note.setWordWrap(True)
        slip_row = QHBoxLayout()
        slip_row.addWidget(note, 1)
        slip_row.addWidget(self.slip_button)
        layout: Any = self.layout()
        layout.insertLayout(layout.count() - 1, slip_row)

    @Slot()
    def save_slip(self) -> None:
        row = self._row
        if row is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save slip", f"slip-{row.login}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        school = self._school_name
        ops.run_task(
            self,
            lambda _p: write_password_slips(path, [row], school_name=school),
            on_success=lambda written: QMessageBox.information(
                self, ops.TITLE, f"The slip was saved as {written}. Print it and cut it out."
            ),
        )

    def done(self, result: int) -> None:
        self._row = None  # the password leaves memory with the dialog
        super().done(result)


def show_learner_password(
    result: QuickCreateResult, school_name: str, parent: QWidget | None
) -> LearnerPasswordDialog:
    dialog = LearnerPasswordDialog(result, school_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
