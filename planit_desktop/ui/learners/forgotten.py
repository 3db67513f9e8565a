"""Forgotten Password…: any member of staff gives a learner in front of them a new temporary
password, found by exact login name or by name and date of birth, confirmed by the staff
member's own password. The password is then shown once with a slip
(:class:`~planit_desktop.ui.learners.quick_create.LearnerPasswordDialog`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from planit_desktop.ui.common.dialogs import ServiceDialog

#: Said beside the password once it is shown.
OLD_PASSWORD = (
    "The learner's old password works until this window is closed (or the slip saved); "
    "then only the new one does."
)


@dataclass(frozen=True)
class ForgottenRequest:
    """Who the learner is, as typed, and the staff member's own password (never kept)."""

    login: str
    first_names: str
    surname: str
    date_of_birth: str
    staff_password: str = field(repr=False)


class ForgottenPasswordDialog(ServiceDialog):
    """The learner's login name, or their name and date of birth; the staff password."""

    #: A ForgottenRequest; the actions run the service and answer the dialog.
    sig_request_submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Forgotten Password", parent)
        intro = QLabel(
            "Give a learner who forgot their password a new temporary password. Find them by "
            "their login name, or by their first names, surname and date of birth, exactly as "
            "recorded. They must choose their own password when they next sign in."
        )
        intro.setWordWrap(True)
        self.login = QLineEdit()
        self.first_names = QLineEdit()
        self.surname = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText("dd/mm/yyyy")
        self.staff_password = QLineEdit()
        self.staff_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.or_label = QLabel("or, if they do not know their login name:")
        form = QFormLayout()
        for label, widget in (
            ("Login name:", self.login),
            ("", self.or_label),
            ("First names:", self.first_names),
            ("Surname:", self.surname),
            ("Date of birth:", self.date_of_birth),
            ("Your password:", self.staff_password),
        ):
            if not label:
                form.addRow(widget)
                continue
            widget.setAccessibleName(label.rstrip(":"))
            form.addRow(label, widget)
        self.layout_.addWidget(intro)
        self.layout_.addLayout(form)
        self.finish_layout()
        self.ok_button.setText("Give new password")
        self.login.textEdited.connect(self._login_typed)

    @Slot(str)
    def _login_typed(self, text: str) -> None:
        # A login name finds the learner alone: the name fields are not used with it.
        for edit in (self.first_names, self.surname, self.date_of_birth):
            edit.setEnabled(not text.strip())

    def request(self) -> ForgottenRequest:
        return ForgottenRequest(
            self.login.text(),
            self.first_names.text(),
            self.surname.text(),
            self.date_of_birth.text(),
            self.staff_password.text(),
        )

    @Slot()
    def _submit(self) -> None:
        self.set_busy(True)
        self.sig_request_submitted.emit(self.request())
