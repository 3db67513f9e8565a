"""Fixtures of the GUI tests: settings kept in a temporary folder, message boxes and file
dialogs that never block, background operations drained and windows closed before a test's
database is thrown away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from planit_desktop.model.db import Database
from planit_desktop.ui import ops
from tests.support import windows
from tests.support.dialogs import FileDialogs, MessageBoxes


@pytest.fixture(autouse=True)
def settings_folder(tmp_path: Path) -> Iterator[Path]:
    """QSettings in an INI file under the test's folder: tests never touch the user's own."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


def _drain(qapp: Any) -> None:
    """Background operations finished, their outcomes delivered, and the widgets the test
    closed deleted. ``deleteLater`` waits for an event loop to return to, which a test ends
    outside of: without the last step every widget of every test (qtbot's too) would stay,
    with its context and database, to the end of the run, and each full garbage collection
    would walk them all."""
    assert ops.wait_for_operations(20_000)
    qapp.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def ops_drained(qapp: Any) -> Iterator[None]:
    """No background operation of a test outlives it, database or not."""
    yield
    _drain(qapp)


@pytest.fixture
def database(database: Database, qapp: Any) -> Iterator[Database]:
    """The test's database (tests/conftest.py), disposed only once the test's windows are
    closed and their background operations have finished. Autouse fixtures are torn down
    after the fixtures a test asks for, so without this a load still running when the test
    ended (or work a window does as it closes) would meet a disposed engine (on PostgreSQL, a
    dropped database) and fail at random, in a message box nobody can close."""
    yield database
    windows.close_kept()
    _drain(qapp)


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    """Message boxes recorded instead of shown, so a test never blocks on one."""
    boxes = MessageBoxes()
    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(boxes._box(kind)))
    return boxes


@pytest.fixture
def file_dialogs(monkeypatch: pytest.MonkeyPatch) -> FileDialogs:
    """File dialogs answered from ``answers`` instead of shown; an input dialog fails the test."""
    dialogs = FileDialogs()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(dialogs._ask))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialogs._ask))
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: pytest.fail("unexpected input"))
    )
    return dialogs


@pytest.fixture(autouse=True)
def windows_closed() -> Iterator[None]:
    """Main windows a test opened with a helper of tests/support are closed after it: qtbot
    holds windows by weak reference only, so the helpers keep each one alive until then."""
    yield
    windows.close_kept()
