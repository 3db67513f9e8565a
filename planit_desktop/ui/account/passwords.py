"""Staff passwords in the window: choosing a new one (checked as it is typed) and showing a
temporary one exactly once, with a Copy button."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.errors import InvalidInput
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor

NOT_THE_SAME = "The two new passwords are not the same."


def problem_label() -> QLabel:
    """The red line under a form that says what is wrong, in words."""
    label = QLabel()
    label.setObjectName("problem")
    mark(label, State.ERROR)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def password_field(accessible_name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible_name)
    field.setMaxLength(200)
    return field


def new_password_problem(password: str, again: str, login: str) -> str | None:
    """What is wrong with a new password typed twice, or None (the service's own checks)."""
    from planit_desktop.model.services.staff.members import check_new_password

    if not password:
        return "Type a new password."
    try:
        check_new_password(password, login)
    except InvalidInput as error:
        return error.message
    if password != again:
        return NOT_THE_SAME
    return None


class ChangePasswordDialog(QDialog):
    """The signed-in member of staff chooses a new password (Account ▸ Change my password…).

    ``current`` is given straight after signing in with a temporary password (``forced``):
    it was just typed, so it is not asked again.
    """

    def __init__(
        self,
        database: Any,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        current: str | None = None,
        forced: bool = False,
    ) -> None:
        super().__init__(parent)
        self.database, self.actor, self._given_current = database, actor, current
        self.setWindowTitle("Choose a new password" if forced else "Change my password")
        intro = QLabel(
            f"{actor.name}, you signed in with a temporary password. Choose your own "
            "password now; you will use it from the next time you sign in."
            if forced
            else f"Change the password you ({actor.login}) sign in with."
        )
        intro.setWordWrap(True)
        self.current = password_field("Current password")
        self.new = password_field("New password")
        self.again = password_field("New password again")
        form = QFormLayout()
        if current is None:
            form.addRow("Current password:", self.current)
        else:
            self.current.hide()
        form.addRow("New password:", self.new)
        form.addRow("New password again:", self.again)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Change password")
        if forced:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Sign out")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.current, self.new, self.again):
            field.textChanged.connect(self._check)
        self._busy = False
        self._check()
        keep_height_for_width(self)

    def _current_password(self) -> str:
        return self._given_current if self._given_current is not None else self.current.text()

    @Slot()
    def _check(self) -> None:
        problem = new_password_problem(self.new.text(), self.again.text(), self.actor.login)
        if problem is None and not self._current_password():
            problem = "Type your current password."
        # Say nothing until something was typed: an empty form is not a mistake.
        typed = any(f.text() for f in (self.new, self.again))
        self.problem.setText(problem if typed and problem else "")
        self.ok_button.setEnabled(problem is None and not self._busy)

    @Slot()
    def save(self) -> None:
        from planit_desktop.model.services.staff.sign_in import change_own_password

        if self._busy or not self.ok_button.isEnabled():
            return
        old, new = self._current_password(), self.new.text()
        actor = self.actor
        self._busy = True
        self.ok_button.setEnabled(False)
        ops.run_op(
            self,
            self.database,
            lambda session, _p: change_own_password(session, actor, old, new),
            write=True,
            on_success=lambda _none: self._done(),
            on_failure=self._failed,
        )

    def _done(self) -> None:
        self._busy = False
        self._given_current = None
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.problem.setText(ops.describe_failure(error))
        self.ok_button.setEnabled(True)


SHOWN_ONCE = (
    "This password will not be shown again: Plan-it keeps only a scrambled form of it. "
    "Copy it or write it down now. If it is lost, reset the password again."
)


class ShownOncePasswordDialog(QDialog):
    """A temporary password shown exactly once, with a Copy button and a plain warning."""

    def __init__(
        self,
        name: str,
        login: str,
        password: str,
        parent: QWidget | None = None,
        *,
        intro_text: str | None = None,
        warning_text: str = SHOWN_ONCE,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Temporary password")
        intro = QLabel(
            intro_text
            or f"The temporary password for {name} (login name {login}) is below. Give it to "
            "them in person; they must choose their own password when they first sign in."
        )
        intro.setWordWrap(True)
        self.intro = intro
        self.password = QLineEdit(password)
        self.password.setReadOnly(True)
        self.password.setAccessibleName("Temporary password")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.Bold)
        self.password.setFont(font)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.copy_button)
        warning = QLabel(warning_text)
        warning.setObjectName("warning")
        warning.setWordWrap(True)
        warning.setStyleSheet("font-weight: bold;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.warning = warning
        self.buttons = buttons
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(warning)
        layout.addWidget(buttons)
        keep_height_for_width(self)

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.password.text())
        self.copy_button.setText("Copied")

    def done(self, result: int) -> None:
        # Once closed, the password leaves the widget too.
        self.password.clear()
        super().done(result)


def show_password_once(
    parent: QWidget | None, name: str, login: str, password: str
) -> ShownOncePasswordDialog:
    """Show ``password`` in a window-modal :class:`ShownOncePasswordDialog` (deleted when
    closed); returns at once."""
    dialog = ShownOncePasswordDialog(name, login, password, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
