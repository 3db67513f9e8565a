"""GUI test helpers: settings kept in a temporary folder, message boxes and file dialogs that
never block, and background operations drained before a test's database is thrown away.

Other GUI test modules import these fixtures by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from planit_desktop.ui import ops


@dataclass
class MessageBoxes:
    """Every message box shown, as (kind, text); answers given from ``answers`` in turn."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [text for _kind, text in self.shown]

    def _box(self, kind: str) -> Any:
        def show(_parent: object, _title: str, text: str, *args: object, **kwargs: object) -> Any:
            self.shown.append((kind, text))
            if self.answers:
                return self.answers.pop(0)
            return QMessageBox.StandardButton.Ok

        return show


@pytest.fixture(autouse=True)
def settings_folder(tmp_path: Path) -> Iterator[Path]:
    """QSettings in an INI file under the test's folder: tests never touch the user's own."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def ops_drained(qapp: Any) -> Iterator[None]:
    """Background operations finish before the test's database is disposed."""
    yield
    assert ops.wait_for_operations(20_000)
    qapp.processEvents()


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    """Message boxes recorded instead of shown, so a test never blocks on one."""
    boxes = MessageBoxes()
    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(boxes._box(kind)))
    return boxes


@dataclass
class FileDialogs:
    """File dialogs answered from a queue of paths ("" means the coordinator cancelled)."""

    answers: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def _ask(self, _parent: object, caption: str = "", *args: object, **kwargs: object) -> Any:
        self.asked.append(caption)
        answer = self.answers.pop(0) if self.answers else ""
        return answer, ""


@pytest.fixture
def file_dialogs(monkeypatch: pytest.MonkeyPatch) -> FileDialogs:
    dialogs = FileDialogs()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(dialogs._ask))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialogs._ask))
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: pytest.fail("unexpected input"))
    )
    return dialogs


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
