"""Create New User…: a learner added in class by any member of staff, confirmed by their own
password, with the light duplicate check ("Create anyway"), and the temporary password shown
once with a slip. The same window shows a new temporary password for a learner (New
temporary password…, Forgotten Password…)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.credentials.delivery import PasswordDelivery
from planit_desktop.model.services.credentials.learner_passwords import (
    PreparedPassword,
    deliver_temporary_password,
)
from planit_desktop.model.services.credentials.password_files import PasswordFiles
from planit_desktop.model.validation.dates import parse_date
from planit_desktop.model.validation.years import format_year_group, year_group_mismatch
from planit_desktop.ui import ops
from planit_desktop.ui.account.passwords import ShownOncePasswordDialog
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.common.styles import State, fit_height, mark

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext


@dataclass(frozen=True)
class QuickCreateSetup:
    """What the dialog offers: the groups the person may use and the school's year groups."""

    groups: list[str]
    lowest_year: int
    highest_year: int
    school_name: str
    may_create_groups: bool  # administrators may type a new tutor group
    #: The academic year the year groups offered mean (a rollover meanwhile refuses).
    academic_year: int | None = None


@dataclass(frozen=True)
class NewLearner:
    """The details as typed, for the quick-create service."""

    first_names: str
    surname: str
    date_of_birth: str
    year_group: int
    tutor_group: str | None
    confirm_duplicates: bool
    #: The member of staff's own password, which the service checks (never kept).
    staff_password: str = field(default="", repr=False)


class QuickCreateDialog(ServiceDialog):
    """First names, surname, date of birth, year group and tutor group; duplicates warned."""

    #: A NewLearner to create; the actions run the service and answer the dialog.
    sig_learner_submitted = Signal(object)

    def __init__(self, setup: QuickCreateSetup, parent: QWidget | None = None) -> None:
        super().__init__("Create New User", parent)
        self.setup = setup
        intro = QLabel(
            "Add a learner who is missing from Plan-it. They get a login and a temporary "
            "password at once; an administrator checks the record later. Type your own "
            "password to confirm."
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
        self.staff_password = QLineEdit()
        self.staff_password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        for label, widget in (
            ("First names:", self.first_names),
            ("Surname:", self.surname),
            ("Date of birth:", self.date_of_birth),
            ("Year group:", self.year_group),
            ("Tutor group:", self.tutor_group),
            ("Your password:", self.staff_password),
        ):
            widget.setAccessibleName(label.rstrip(":"))
            form.addRow(label, widget)
        self.no_groups = QLabel(NO_GROUPS)
        self.no_groups.setWordWrap(True)
        self.no_groups.setVisible(not setup.groups and not setup.may_create_groups)
        self.tutor_group.setEnabled(bool(setup.groups) or setup.may_create_groups)
        self.duplicates = QLabel()
        self.duplicates.setWordWrap(True)
        mark(self.duplicates, State.WARNING)
        self.duplicates.hide()
        self.layout_.addWidget(intro)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.no_groups)
        self.layout_.addWidget(self.duplicates)
        self.finish_layout()
        self.ok_button.setText("Create")
        # Wide enough to read: the introduction and a warning wrap at a line of text, not at
        # the width of the narrow fields.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self._confirm = False
        self._agreed_to: tuple[str, int, str | None] | None = None  # asked once, not twice
        for edit in (self.first_names, self.surname, self.date_of_birth):
            edit.textEdited.connect(self._edited)
        self.year_group.currentIndexChanged.connect(self._edited)
        self.tutor_group.currentTextChanged.connect(self._edited)

    @Slot()
    def _edited(self) -> None:
        # Changed details need checking for duplicates (and asking) again.
        self._confirm = False
        self._agreed_to = None
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
            self.staff_password.text(),
        )

    @Slot()
    def _submit(self) -> None:
        new = self.details()
        if not self._agreed(new):
            return
        self.set_busy(True)
        self.sig_learner_submitted.emit(new)

    def _agreed(self, new: NewLearner) -> bool:
        """Ask before what cannot be seen from the form: a new tutor group made from what was
        typed (perhaps a typo), and a year group that does not fit the date of birth."""
        if self._agreed_to == (new.date_of_birth, new.year_group, new.tutor_group):
            return True
        questions: list[str] = []
        known = {name.casefold() for name in self.setup.groups}
        typed = " ".join((new.tutor_group or "").split())
        if typed and typed.casefold() not in known and self.setup.may_create_groups:
            questions.append(
                f"There is no tutor group “{typed}”: a new group of that name will be made "
                "for the learner."
            )
        if self.setup.academic_year is not None:
            try:
                born = parse_date(new.date_of_birth)
            except InvalidInput:
                born = None  # the service says what is wrong with it
            mismatch = (
                None
                if born is None
                else year_group_mismatch(born, new.year_group, self.setup.academic_year)
            )
            if mismatch:
                questions.append(
                    f"{mismatch} They will be put in {format_year_group(new.year_group)}."
                )
        if not questions:
            return True
        answer = QMessageBox.question(
            self,
            "Create New User",
            " ".join([*questions, "Create the learner anyway?"]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._agreed_to = (new.date_of_birth, new.year_group, new.tutor_group)
        return True

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
        # The window grows to hold the warning: Qt would squeeze the fields above it instead.
        fit_height(self)


NO_GROUPS = (
    "You have no groups this year, so the learner will be in no group. You will see them in "
    "the Learners tab until an administrator has checked them."
)

NOT_YET = (
    "The password starts working when you close this window (or save its slip): give it to "
    "the learner or write it down first. It will not be shown again: Plan-it keeps only a "
    "scrambled form of it."
)
WORKS_NOW = "The password works now. It will not be shown again."
NOT_ISSUED = (
    "Close without issuing the password? The learner keeps no password for now; give them "
    "one later with New temporary password…."
)


class LearnerPasswordDialog(ShownOncePasswordDialog):
    """A learner's temporary password, shown once, with Copy and Save slip….

    The password is *prepared*, not stored: it is stored (and starts working) when the teacher
    closes the window, having seen it, or saves its slip (written before the password is
    stored). So a crash while it is on screen leaves a learner with no password, who can be
    given one again, rather than with one nobody knows.
    """

    #: The password was stored: it works now.
    sig_password_delivered = Signal()

    def __init__(
        self,
        context: AppContext,
        prepared: PreparedPassword,
        school_name: str,
        parent: QWidget | None = None,
        *,
        notes: Sequence[str] = (),
    ) -> None:
        row = prepared.row
        name = f"{row.first_names} {row.surname}"
        super().__init__(
            name,
            row.login,
            row.password,
            parent,
            intro_text=f"The temporary password for {name} (login name {row.login}) is below. "
            "They must choose their own password when they first sign in.",
            warning_text=NOT_YET,
        )
        self.context = context
        self._prepared: PreparedPassword | None = prepared
        self._school_name = school_name
        self.delivered = False
        self.storing: ops.Operation[Any] | None = None
        self.slip_button = QPushButton("Save slip…")
        self.slip_button.setToolTip("Save a printable slip (PDF) with the login and password")
        self.slip_button.clicked.connect(self.save_slip)
        note = QLabel(" ".join(notes))
        note.setWordWrap(True)
        slip_row = QHBoxLayout()
        slip_row.addWidget(note, 1)
        slip_row.addWidget(self.slip_button)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        mark(self.problem, State.ERROR)
        self.problem.hide()
        layout: Any = self.layout()
        layout.insertLayout(layout.count() - 1, slip_row)
        layout.insertWidget(layout.count() - 1, self.problem)
        self.close_button.setText("Done")

    @Slot()
    def save_slip(self) -> None:
        """Save the slip and store the password in one step (the slip written first)."""
        prepared = self._prepared
        if prepared is None or self._busy():
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save slip", f"slip-{prepared.row.login}.pdf", "PDF (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self._store(PasswordFiles(slips=Path(path)))

    def _busy(self) -> bool:
        return self.storing is not None and not self.storing.done

    def _store(self, files: PasswordFiles | None, *, closing: int | None = None) -> None:
        prepared = self._prepared
        assert prepared is not None
        actor, database = self.context.actor, self.context.database
        name = f"{prepared.row.first_names} {prepared.row.surname}"
        delivery = (
            None
            if files is None
            else PasswordDelivery(
                files,
                what=f"temporary password slip for {name}",
                database=database.location,
                school_name=self._school_name,
                nothing="The password was not issued: it does not work yet.",
            )
        )

        def work(_progress: ops.Progress) -> tuple[Path, ...]:
            if delivery is None:
                with database.begin() as session:
                    deliver_temporary_password(session, actor, prepared)
                return ()
            with delivery, database.begin() as session:
                deliver_temporary_password(session, actor, prepared, delivery=delivery)
            return tuple(delivery.saved)

        for button in (self.slip_button, self.close_button):
            button.setEnabled(False)
        self.storing = ops.run_task(
            self,
            work,
            events=self.context.events,
            on_success=lambda saved: self._stored(saved, closing),
            on_failure=self._failed,
            progress_label="Saving the password…",
        )

    def _stored(self, saved: tuple[Path, ...], closing: int | None) -> None:
        self.delivered = True
        self.sig_password_delivered.emit()
        self.problem.hide()
        self.slip_button.setEnabled(False)
        self.close_button.setEnabled(True)
        if saved:
            self.warning.setText(f"{WORKS_NOW} The slip was saved as {saved[0]}: print it.")
        else:
            self.warning.setText(WORKS_NOW)
        if closing is not None:
            self.done(closing)

    def _failed(self, error: BaseException) -> None:
        self.slip_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.close_button.setText("Try again")
        self.problem.setText(
            f"{ops.describe_failure(error)} The password does not work yet: save the slip "
            "or press Try again."
        )
        self.problem.show()

    def done(self, result: int) -> None:
        """Closing stores the password first (it works from then on); refused while storing."""
        if self._busy():
            return
        if not self.delivered and self._prepared is not None:
            if self.problem.isVisible():
                answer = QMessageBox.question(
                    self,
                    ops.TITLE,
                    NOT_ISSUED,
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    self._store(None, closing=result)  # "Try again"
                    return
            else:
                self._store(None, closing=result)
                return
        self._prepared = None  # the password leaves memory with the dialog
        super().done(result)


def show_learner_password(
    context: AppContext,
    prepared: PreparedPassword,
    school_name: str,
    parent: QWidget | None,
    *,
    notes: Sequence[str] = (),
) -> LearnerPasswordDialog:
    dialog = LearnerPasswordDialog(context, prepared, school_name, parent, notes=notes)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
