"""Dialogs shared by every feature: one whose OK asks a service, and one that asks a name.

They open without blocking (``open()``) and say what was chosen with a signal; the caller runs
the service and either closes the dialog (:meth:`ServiceDialog.succeeded`) or shows the
service's message in it (:meth:`ServiceDialog.show_problem`), so nothing is lost by a refusal.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.ui.common.styles import State, fit_height, keep_height_for_width, mark


class ServiceDialog(QDialog):
    """A dialog whose OK asks a service; it stays open with the message if refused."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.layout_ = QVBoxLayout(self)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        mark(self.problem, State.ERROR)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        """Put the message and the buttons under the subclass's widgets."""
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _submit(self) -> None:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        """While the service runs, OK cannot be pressed again."""
        self.ok_button.setEnabled(not busy)

    def show_problem(self, message: str) -> None:
        self.set_busy(False)
        self.problem.setText(message)
        self.problem.show()
        fit_height(self)

    def succeeded(self, _result: object = None) -> None:
        self.accept()


class NameDialog(ServiceDialog):
    """Type a name (a new group, a group's new name, a subject)."""

    #: The name as typed; the service trims and checks it.
    sig_name_submitted = Signal(str)

    def __init__(
        self, title: str, prompt: str, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName(prompt)
        self.name_edit.selectAll()
        label.setBuddy(self.name_edit)
        self.layout_.addWidget(label)
        self.layout_.addWidget(self.name_edit)
        self.finish_layout()
        self.name_edit.textEdited.connect(lambda _text: self.problem.hide())

    @Slot()
    def _submit(self) -> None:
        self.set_busy(True)
        self.sig_name_submitted.emit(self.name_edit.text())
