"""Bad database files in the window: File ▸ Open and the file given on the command line.

Each is refused in a message box with the same one-line reason the command line prints, never
a traceback, and the file and its folder are left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.services.demo.school import create_demo_school
from planit_desktop.ui import app as app_module
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow
from tests.support.bad_database_files import BAD_FILES, BadFile, snapshot
from tests.support.command_line import one_line
from tests.support.dialogs import FileDialogs

#: Nothing at the path: the window's start-up makes a new database there (and offers a
#: school for it), as on the very first start; File ▸ Open refuses them.
NOTHING_THERE = {"zero-bytes", "missing", "percent-20", "percent-41", "question-mark", "hash"}


@pytest.fixture(scope="module")
def good_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("good") / "school.db"
    database = open_database(f"sqlite:///{path}")
    with database.begin() as session:
        create_demo_school(session, learners=30, seed=5, academic_year=2025)
    database.dispose()
    return path


class Boxes:
    """Every QMessageBox shown (its text and informative text); each is closed unanswered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown: list[tuple[str, str]] = []

        def exec_(box: QMessageBox) -> int:
            self.shown.append((box.text(), box.informativeText()))
            return 0

        monkeypatch.setattr(QMessageBox, "exec", exec_)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    return Boxes(monkeypatch)


def _command_line_reason(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["summary", "--db", str(path)]) == 2
    return one_line(capsys.readouterr().err)


@pytest.fixture
def window(qtbot: Any, good_school: Path, tmp_path: Path, admin: Actor) -> Iterator[MainWindow]:
    """A window showing a good school, from which another file is opened."""
    shown = tmp_path / "shown" / "school.db"
    shown.parent.mkdir()
    shown.write_bytes(good_school.read_bytes())
    database = open_database(f"sqlite:///{shown}", create=False)
    window = MainWindow(AppContext(database, admin, DataEvents()))
    qtbot.addWidget(window)
    yield window
    database.dispose()


@pytest.mark.parametrize("case", [case.param() for case in BAD_FILES])
def test_file_open_refuses_a_bad_file_in_a_message_box(
    case: BadFile,
    window: MainWindow,
    boxes: Boxes,
    file_dialogs: FileDialogs,  # noqa: F811
    good_school: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    path = case.make(folder, good_school)
    before = snapshot(folder)
    reason = _command_line_reason(path, capsys)
    assert case.says in reason
    showing = window.context.database if window.context else None
    opened: list[Database] = []
    window.sig_database_opened.connect(opened.append)
    file_dialogs.answers.append(str(path))
    window.open_action.trigger()
    assert boxes.shown == [(reason, "Nothing was changed. What would you like to do?")]
    assert "Traceback" not in reason
    assert opened == [] and window.context is not None and window.context.database is showing
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    "case", [case.param() for case in BAD_FILES if case.name not in NOTHING_THERE]
)
def test_a_bad_file_given_on_the_command_line_is_refused_in_a_message_box(
    case: BadFile,
    qtbot: Any,
    boxes: Boxes,
    good_school: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    path = case.make(folder, good_school)
    before = snapshot(folder)
    reason = _command_line_reason(path, capsys)
    application = app_module.Application()
    qtbot.addWidget(application.window)
    assert application.open_first(str(path)) is False
    assert boxes.shown == [(reason, "Nothing was changed. What would you like to do?")]
    assert application.database is None
    assert snapshot(folder) == before
