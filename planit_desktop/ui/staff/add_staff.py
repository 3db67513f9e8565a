"""Adding a member of staff: name, login name, email and role, checked as they are typed.

Add asks the service before the dialog closes, so that a login name already taken is said in
the dialog, with what was typed kept. A temporary password is made for them and shown once;
they choose their own when they first sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services.staff.members import normalise_login, normalise_staff_name
from planit_desktop.ui.account.passwords import problem_label
from planit_desktop.ui.common.styles import keep_height_for_width

ROLES = (
    (StaffRole.SUPERVISOR, "Supervisor: sees only the learners in the groups assigned to them"),
    (StaffRole.ADMINISTRATOR, "Administrator: sees everything and can change everything"),
)


@dataclass(frozen=True)
class NewStaffDetails:
    name: str
    login: str
    email: str | None
    role: StaffRole


class AddStaffDialog(QDialog):
    """The details of a new member of staff; OK only once they are acceptable.

    With :attr:`asks_service` set, Add sends the details to :attr:`sig_staff_submitted` and the
    dialog stays open until :meth:`added` (or shows :meth:`show_problem`'s message, all kept).
    """

    #: NewStaffDetails to add; the listener runs the service and answers the dialog.
    sig_staff_submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        #: What the service made (a NewStaff), and from which details, once added.
        self.made: Any = None
        self.added_details: NewStaffDetails | None = None
        self.asks_service = False
        self.setWindowTitle("Add staff")
        intro = QLabel(
            "Add a member of staff who uses Plan-it. A temporary password is made for them "
            "and shown once; they choose their own when they first sign in."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(200)
        self.login = QLineEdit()
        self.login.setAccessibleName("Login name")
        self.login.setMaxLength(64)
        self.email = QLineEdit()
        self.email.setAccessibleName("Email (optional)")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role, text in ROLES:
            self.role.addItem(text, role)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Login name:", self.login)
        form.addRow("Email (optional):", self.email)
        form.addRow("Role:", self.role)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._check)
        self.login.textChanged.connect(self._check)
        self._check()

    def details(self) -> NewStaffDetails:
        """What was typed, tidied; :class:`InvalidInput` if the name or login will not do."""
        return NewStaffDetails(
            normalise_staff_name(self.name.text()),
            normalise_login(self.login.text()),
            self.email.text().strip() or None,
            StaffRole(self.role.currentData()),
        )

    @Slot()
    def _check(self) -> None:
        try:
            self.details()
        except InvalidInput as error:
            typed = bool(self.name.text() or self.login.text())
            self.problem.setText(error.message if typed else "")
            self.ok_button.setEnabled(False)
            return
        self.problem.clear()
        self.ok_button.setEnabled(True)

    def accept(self) -> None:
        """Add: checked by the service first, when one listens (see the class)."""
        try:
            details = self.details()
        except InvalidInput as error:
            self.show_problem(error.message)
            return
        if not self.asks_service:
            super().accept()
            return
        self.ok_button.setEnabled(False)
        self.problem.clear()
        self.sig_staff_submitted.emit(details)

    def added(self, made: Any, details: NewStaffDetails) -> None:
        """The service added them: close."""
        self.made, self.added_details = made, details
        super().accept()

    def show_problem(self, message: str) -> None:
        """The service refused (a login name taken, say): say why, keep what was typed."""
        self.problem.setText(message)
        self.ok_button.setEnabled(True)
