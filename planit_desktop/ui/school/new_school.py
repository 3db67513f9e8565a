"""The details of a new school, and the size of a demo school."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.calendar import academic_year_of, format_academic_year
from planit_desktop.model.calendar import parse_academic_year as _parse
from planit_desktop.model.errors import InvalidInput
from planit_desktop.ui.common.styles import State, keep_height_for_width, mark


def default_academic_year(today: date | None = None) -> int:
    """The academic year a new school most likely starts in: the one under way."""
    return academic_year_of(today or date.today())


class NewSchoolDialog(QDialog):
    """Asks for the school's name and current academic year; checks both before accepting."""

    def __init__(self, parent: QWidget | None = None, *, where: str = "") -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle("New school")
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. Riverside Academy")
        self.academic_year = QLineEdit(format_academic_year(default_academic_year()))
        self.academic_year.setPlaceholderText("e.g. 2025/26")
        self.problem = QLabel()
        mark(self.problem, State.ERROR)
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("School name:", self.name)
        form.addRow("Current academic year:", self.academic_year)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if where:
            layout.addWidget(QLabel(f"The school's database will be {where}."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, int]:
        """The tidied name and the academic year; :class:`InvalidInput` if either is wrong."""
        name = " ".join(self.name.text().split())
        if not name:
            raise InvalidInput("The school needs a name.")
        return name, _parse(self.academic_year.text())

    def accept(self) -> None:
        try:
            self.values()
        except InvalidInput as error:
            self.problem.setText(error.message)
            return
        super().accept()


class DemoSchoolDialog(QDialog):
    """Asks how many learners the demo school should have (default 1,000)."""

    def __init__(self, parent: QWidget | None = None, *, where: str = "") -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle("Create demo school")
        self.learners = QSpinBox()
        self.learners.setRange(10, 200_000)
        self.learners.setSingleStep(100)
        self.learners.setGroupSeparatorShown(True)
        self.learners.setValue(1000)
        form = QFormLayout()
        form.addRow("Learners on roll:", self.learners)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = (
            "A made-up school with realistic learners, groups, staff and subjects, to try "
            "Plan-it Desktop on. "
        )
        if where:
            text += f"It will be written to {where}."
        intro = QLabel(text)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
