"""A question with a few named answers (one place, so tests can answer it)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QMessageBox, QWidget

TITLE = "Plan-it Desktop"


def ask_choice(
    parent: QWidget | None, text: str, options: Sequence[str], *, informative: str = ""
) -> int | None:
    """Show ``text`` with one button per option; the index chosen, or None if closed."""
    box = QMessageBox(parent)
    box.setWindowTitle(TITLE)
    box.setIcon(QMessageBox.Icon.Warning if informative else QMessageBox.Icon.Question)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    buttons = [box.addButton(option, QMessageBox.ButtonRole.ActionRole) for option in options]
    box.exec()
    clicked = box.clickedButton()
    return buttons.index(clicked) if clicked in buttons else None
