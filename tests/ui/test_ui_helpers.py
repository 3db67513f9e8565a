"""The GUI tests' own fixtures (tests/ui/conftest.py) do what they promise."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from tests.support.dialogs import MessageBoxes


def test_settings_are_kept_in_the_test_folder(settings_folder: Path) -> None:
    settings = QSettings(
        QSettings.defaultFormat(), QSettings.Scope.UserScope, "Plan-it", "Plan-it Desktop"
    )
    settings.setValue("probe", 1)
    settings.sync()
    assert str(settings.fileName()).startswith(str(settings_folder))


def test_message_boxes_are_recorded(message_boxes: MessageBoxes) -> None:
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    assert QMessageBox.question(None, "t", "Really?") == QMessageBox.StandardButton.No
    assert message_boxes.shown == [("question", "Really?")]
