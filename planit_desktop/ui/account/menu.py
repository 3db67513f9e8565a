"""The Account menu and the 'Signed in as …' line: who is using the window, changing one's
own password, and signing out (the application then asks who signs in next)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QSizePolicy, QWidget

from planit_desktop.ui import ops
from planit_desktop.ui.common.labels import ElidedLabel
from planit_desktop.ui.common.roles import signed_in_text

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

NOBODY = "Not signed in"


class AccountMenu(QObject):
    """Account ▸ Change my password… and Sign out, and the status bar's signed-in label."""

    #: The person asked to sign out; the application hides the school and asks who signs in.
    sig_sign_out_requested = Signal()

    def __init__(self, window: QWidget, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self.context: AppContext | None = None
        self.label = ElidedLabel(NOBODY)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.label.setObjectName("signed_in")
        self.change_password_action = QAction("&Change my password…", window)
        self.sign_out_action = QAction("&Sign out", window)
        menu.addAction(self.change_password_action)
        menu.addSeparator()
        menu.addAction(self.sign_out_action)
        self.change_password_action.triggered.connect(self.change_password)
        self.sign_out_action.triggered.connect(self.sig_sign_out_requested)
        self.bind(None)

    def bind(self, context: AppContext | None) -> None:
        """Follow who is signed in to the shown database (None: nobody)."""
        self.context = context
        self.label.setText(signed_in_text(context.actor) if context is not None else NOBODY)
        staff_account = context is not None and context.actor.staff_id is not None
        # Someone acting as the computer's user has no password here to change.
        self.change_password_action.setEnabled(staff_account)
        self.change_password_action.setToolTip(
            ""
            if staff_account
            else "Only a member of staff signed in with a password can change it."
        )
        self.sign_out_action.setEnabled(context is not None)

    @Slot()
    def change_password(self) -> None:
        from planit_desktop.ui.account.passwords import ChangePasswordDialog

        if self.context is None or self.context.actor.staff_id is None:
            return
        dialog = ChangePasswordDialog(self.context.database, self.context.actor, self._window)
        if dialog.exec() == ChangePasswordDialog.DialogCode.Accepted:
            QMessageBox.information(
                self._window, ops.TITLE, "Your password was changed. Use it from now on."
            )
        dialog.deleteLater()
