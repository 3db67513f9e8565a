"""A new, empty database has no staff: its first administrator's account is made here, and
they are signed in with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.errors import InvalidInput
from planit_desktop.ui import ops
from planit_desktop.ui.account.passwords import new_password_problem, password_field, problem_label
from planit_desktop.ui.common.styles import keep_height_for_width

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

FIRST_ADMINISTRATOR = (
    "Nobody can sign in to this school's database yet. Create the first administrator's "
    "account: yours, if you are the school's Plan-it coordinator. Administrators can do "
    "everything, including adding the other staff in the Staff Access tab."
)


def account_problem(name: str, login: str, password: str, again: str) -> str | None:
    """The first thing wrong with the details typed so far, or None."""
    from planit_desktop.model.services.staff.members import normalise_login, normalise_staff_name

    try:
        normalise_staff_name(name)
        login = normalise_login(login)
    except InvalidInput as error:
        return error.message
    return new_password_problem(password, again, login)


class FirstAdministratorDialog(QDialog):
    """Name, login name and a password typed twice, checked as they are typed."""

    def __init__(
        self,
        database: Any,
        parent: QWidget | None = None,
        *,
        school: str = "",
        cancel_text: str = "Cancel",
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.actor: Actor | None = None
        self._busy = False
        self._close_when_shown = False
        self.setWindowTitle("The first administrator" + (f" of {school}" if school else ""))
        intro = QLabel(FIRST_ADMINISTRATOR)
        intro.setWordWrap(True)
        where = QLabel(f"Database: {database.location}")
        where.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("e.g. Ada Lovelace")
        self.name.setMaxLength(200)
        self.login = QLineEdit()
        self.login.setAccessibleName("Login name")
        self.login.setPlaceholderText("e.g. alovelace")
        self.login.setMaxLength(64)
        self.password = password_field("Password")
        self.again = password_field("Password again")
        form = QFormLayout()
        form.addRow("Your name:", self.name)
        form.addRow("Login name:", self.login)
        form.addRow("Password:", self.password)
        form.addRow("Password again:", self.again)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create and sign in")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
        self.buttons.accepted.connect(self.create_account)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.name, self.login, self.password, self.again):
            field.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 62)
        keep_height_for_width(self)  # the introduction wraps to more lines at large text

    @Slot()
    def _check(self) -> None:
        fields = (self.name, self.login, self.password, self.again)
        problem = account_problem(*(field.text() for field in fields))
        # An untouched form is not a mistake: say what is wrong once something was typed.
        self.problem.setText(problem if problem and any(f.text() for f in fields) else "")
        self.create_button.setEnabled(problem is None and not self._busy)

    @Slot()
    def create_account(self) -> None:
        from planit_desktop.model.services.staff.sign_in import create_first_administrator

        if not self.create_button.isEnabled():
            return
        name, login, password = self.name.text(), self.login.text(), self.password.text()
        self._busy = True
        self.create_button.setEnabled(False)
        ops.run_op(
            self,
            self.database,
            lambda session, _p: create_first_administrator(
                session, name=name, login=login, password=password
            ),
            write=True,
            on_success=self._created,
            on_failure=self._failed,
        )

    def _created(self, actor: Actor) -> None:
        self._busy = False
        self.actor = actor
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.problem.setText(ops.describe_failure(error))
        self._check()
        self.problem.setText(ops.describe_failure(error))

    def close_when_shown(self) -> None:
        """Cancel as soon as the dialog is on screen (``PLANIT_EXIT_WHEN_SHOWN``)."""
        self._close_when_shown = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._close_when_shown:
            QTimer.singleShot(0, self.reject)

    def done(self, result: int) -> None:
        self.password.clear()
        self.again.clear()
        super().done(result)
