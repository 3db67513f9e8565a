"""SQLite held locked by another program for longer than the busy timeout: the coordinator
is told plainly, nothing is lost from the dialog, and pressing OK again once the lock is gone
saves the change."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt

from planit_desktop.model import db as db_module
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.ui.common.dialogs import NameDialog
from tests.support.ui_subjects import WAIT, open_subjects, subject


@pytest.mark.sqlite_only("file locks are a SQLite matter; the server has its own tests")
def test_a_locked_file_is_reported_and_the_same_dialog_tries_again(
    qtbot: Any, demo_database: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_database.path
    assert path is not None
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    impatient = open_database(f"sqlite:///{path}")
    try:
        tab = open_subjects(qtbot, impatient, admin)
        tab.add_action.trigger()
        dialog = tab.dialog
        assert isinstance(dialog, NameDialog)
        qtbot.keyClicks(dialog.name_edit, "Astronomy")
        locker = sqlite3.connect(path, timeout=0, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another program is writing, and takes its time
        try:
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not dialog.problem.isHidden(), timeout=WAIT)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert "is busy: another program or coordinator is writing" in dialog.problem.text()
        assert "try again" in dialog.problem.text()
        assert dialog.isVisible() and dialog.name_edit.text() == "Astronomy"
        assert subject(demo_database, "Astronomy") is None

        with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert subject(demo_database, "Astronomy") is not None
        assert tab.dialog is None  # closed once saved
    finally:
        impatient.dispose()
