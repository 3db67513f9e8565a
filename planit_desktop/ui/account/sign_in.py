"""Signing in to a school database: login name and password, a wait after wrong passwords,
and a new password straight away for someone given a temporary one.

The check runs off the GUI thread in a write transaction of its own, so that a failure's
counter and audit entries are committed even though the sign-in is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
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

from planit_desktop.ui import ops
from planit_desktop.ui.account.passwords import ChangePasswordDialog, password_field, problem_label
from planit_desktop.ui.common.styles import fit_height, keep_height_for_width

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.services.staff.sign_in import SignInResult

WHAT_THIS_IS = (
    "Plan-it Desktop keeps your school's Plan-it learners, groups and staff up to date and "
    "runs the year end. Sign in with your staff login name and password. No account yet? "
    "Ask one of the school's Plan-it administrators (usually the Plan-it coordinator)."
)
SIGN_IN = "Sign in"
CHECKING = "Checking…"


def _countdown_text(seconds: int) -> str:
    if seconds >= 120:
        return f"{SIGN_IN} (wait {seconds // 60 + (1 if seconds % 60 else 0)} min)"
    return f"{SIGN_IN} (wait {seconds} s)"


class SignInDialog(QDialog):
    """Asks for a login name and password and checks them with the sign-in service.

    On success :attr:`actor` is set and the dialog is accepted; a refusal shows the service's
    message in the dialog and, after repeated failures, disables Sign in for the wait given.
    """

    def __init__(
        self,
        database: Any,
        parent: QWidget | None = None,
        *,
        school: str = "",
        cancel_text: str = "Cancel",
    ) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.database = database
        self.actor: Actor | None = None
        self.must_change_password = False
        #: The password that signed in, kept only until a forced change has used it.
        self.password_used = ""
        self._busy = False
        self._wait_left = 0
        self._close_when_shown = False
        self.setWindowTitle(f"Sign in to {school}" if school else "Sign in to Plan-it Desktop")
        intro = QLabel(WHAT_THIS_IS)
        intro.setObjectName("what_this_is")
        intro.setWordWrap(True)
        where = QLabel(
            f"School: {school}\nDatabase: {database.location}"
            if school
            else f"Database: {database.location}"
        )
        where.setWordWrap(True)
        self.login = QLineEdit()
        self.login.setAccessibleName("Login name")
        self.login.setMaxLength(100)
        self.password = password_field("Password")
        form = QFormLayout()
        form.addRow("Login name:", self.login)
        form.addRow("Password:", self.password)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(SIGN_IN)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(cancel_text)
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.login.textChanged.connect(self._update_button)
        self.password.textChanged.connect(self._update_button)
        self._update_button()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 62)

    # --- the check ----------------------------------------------------------------------
    @Slot()
    def try_sign_in(self) -> None:
        """Check what was typed (off the GUI thread); the answer arrives in :meth:`_answered`."""
        from planit_desktop.model.services.staff.sign_in import sign_in

        if not self.sign_in_button.isEnabled():
            return
        login, password = self.login.text(), self.password.text()
        self._busy = True
        self.sign_in_button.setText(CHECKING)
        self._update_button()
        ops.run_op(
            self,
            self.database,
            lambda session, _p: sign_in(session, login, password),
            write=True,  # the failure counter and audit entries must be committed
            on_success=lambda result: self._answered(result, password),
            on_failure=self._failed,
        )

    def _answered(self, result: SignInResult, password: str) -> None:
        self._busy = False
        self.sign_in_button.setText(SIGN_IN)
        if result.ok:
            self.actor = result.actor
            self.must_change_password = result.must_change_password
            self.password_used = password if result.must_change_password else ""
            self.problem.clear()
            self.accept()
            return
        self.problem.setText(result.message)
        fit_height(self)  # the introduction above keeps all its lines
        self.password.clear()
        self.password.setFocus()
        self._start_wait(result.retry_after_seconds)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.sign_in_button.setText(SIGN_IN)
        self.problem.setText(ops.describe_failure(error))
        fit_height(self)
        self._update_button()

    # --- waiting after wrong passwords ----------------------------------------------------
    def _start_wait(self, seconds: int) -> None:
        self._wait_left = max(0, seconds)
        if self._wait_left:
            self.sign_in_button.setText(_countdown_text(self._wait_left))
            self._timer.start()
        self._update_button()

    @Slot()
    def _tick(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        if self._wait_left:
            self.sign_in_button.setText(_countdown_text(self._wait_left))
        else:
            self._timer.stop()
            self.sign_in_button.setText(SIGN_IN)
        self._update_button()

    @property
    def waiting(self) -> int:
        """Seconds left before Sign in may be pressed again (0: it may now)."""
        return self._wait_left

    @Slot()
    def _update_button(self) -> None:
        ready = bool(self.login.text().strip() and self.password.text())
        self.sign_in_button.setEnabled(ready and not self._busy and not self._wait_left)

    # --- for benchmarks -----------------------------------------------------------------
    def close_when_shown(self) -> None:
        """Cancel as soon as the dialog is on screen (``PLANIT_EXIT_WHEN_SHOWN``)."""
        self._close_when_shown = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._close_when_shown:
            QTimer.singleShot(0, self.reject)

    def done(self, result: int) -> None:
        self._timer.stop()
        self.password.clear()
        super().done(result)


@dataclass(frozen=True)
class _Door:
    needs_first_administrator: bool
    school: str


def _door(session: Any, _progress: ops.Progress) -> _Door:
    from planit_desktop.model.services.school import get_school
    from planit_desktop.model.services.staff.sign_in import needs_first_administrator

    return _Door(needs_first_administrator(session), get_school(session).name)


def ask_sign_in(
    database: Any,
    parent: QWidget | None = None,
    *,
    cancel_text: str = "Cancel",
    close_when_shown: bool = False,
) -> Actor | None:
    """Who signs in to ``database``: the sign-in dialog, or for a new database the first
    administrator's account. A temporary password is replaced straight away.

    Returns None when the coordinator cancels (or cannot read the database, which is said).
    """
    from planit_desktop.ui.account.first_administrator import FirstAdministratorDialog

    look = ops.run_op(parent, database, _door, write=False, on_failure=lambda _e: None)
    look.wait()
    if look.error is not None or look.result is None:
        ops.show_error(parent, ops.describe_failure(look.error or RuntimeError("no answer")))
        return None
    dialog: SignInDialog | FirstAdministratorDialog
    if look.result.needs_first_administrator:
        dialog = FirstAdministratorDialog(
            database, parent, school=look.result.school, cancel_text=cancel_text
        )
    else:
        dialog = SignInDialog(database, parent, school=look.result.school, cancel_text=cancel_text)
    if close_when_shown:
        dialog.close_when_shown()
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
            return None
        actor = dialog.actor
        if isinstance(dialog, SignInDialog) and dialog.must_change_password:
            change = ChangePasswordDialog(
                database, actor, parent, current=dialog.password_used, forced=True
            )
            dialog.password_used = ""
            accepted = change.exec() == QDialog.DialogCode.Accepted
            change.deleteLater()
            if not accepted:
                return None  # nobody works on with a temporary password
        return actor
    finally:
        dialog.deleteLater()
