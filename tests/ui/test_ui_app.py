"""Start-up and database files: unusable databases explained, empty ones filled, new and demo
databases made (or left unmade), switching databases, back-ups, and the excepthook."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import AuditEntry
from planit_desktop.model.services.school import summarise
from planit_desktop.ui import app as app_module
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.school import opening as startup
from tests.support.dialogs import FileDialogs, MessageBoxes


class Answers:
    """Answers ask_choice from a queue and records each question."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.queue: list[int | None] = []
        self.asked: list[tuple[str, list[str]]] = []
        monkeypatch.setattr(startup, "ask_choice", self._ask)

    def _ask(self, _parent: Any, text: str, options: Any, **_kw: Any) -> int | None:
        self.asked.append((text, list(options)))
        return self.queue.pop(0) if self.queue else None


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "notes.db"
    path.write_text("These are my notes, not a database.\n")
    return path


def _school_name(database: Database) -> str:
    with database.read() as session:
        return summarise(session).school


def test_a_file_that_is_not_a_database_is_explained_and_left_alone(
    qapp: Any, answers: Answers, not_a_database: Path
) -> None:
    before = not_a_database.read_bytes()
    answers.queue.append(2)  # Quit
    url = startup.sqlite_url(not_a_database)
    assert startup.open_with_recovery(None, url, Actor.founder()) is None
    text, options = answers.asked[0]
    assert "is not a Plan-it database" in text
    assert "Traceback" not in text
    assert options == ["Open another database…", "Create a new database…", "Quit"]
    assert not_a_database.read_bytes() == before


@pytest.mark.sqlite_only("a missing folder and another file are SQLite matters")
def test_a_missing_folder_offers_another_file(
    answers: Answers,
    file_dialogs: FileDialogs,  # noqa: F811
    tmp_path: Path,
    demo_database: Database,
) -> None:
    missing = tmp_path / "no such folder" / "school.db"
    answers.queue.append(0)  # Open another database…
    file_dialogs.answers.append(str(demo_database.path))
    opened = startup.open_with_recovery(None, startup.sqlite_url(missing), Actor.founder())
    assert opened is not None
    try:
        assert "does not exist" in answers.asked[0][0]
        assert opened.path == demo_database.path
        assert not missing.parent.exists()
    finally:
        opened.dispose()


def test_a_newer_database_is_refused_unchanged(qapp: Any, answers: Answers, tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    database = open_database(startup.sqlite_url(path))
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    database.dispose()
    before = path.read_bytes()
    answers.queue.append(None)  # the box closed: treated as Quit
    assert startup.open_with_recovery(None, startup.sqlite_url(path), Actor.founder()) is None
    assert "newer version" in answers.asked[0][0]
    assert path.read_bytes() == before


def test_an_empty_database_offers_a_new_school(
    qapp: Any, answers: Answers, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    answers.queue.append(1)  # Create a new school
    monkeypatch.setattr(startup, "ask_new_school", lambda *_a: ("Riverside Academy", 2025))
    opened = startup.open_with_recovery(None, startup.sqlite_url(db_path), Actor.founder())
    assert opened is not None
    try:
        assert "has no school in it yet" in answers.asked[0][0]
        with opened.read() as session:
            summary = summarise(session)
        assert (summary.school, summary.academic_year_text) == ("Riverside Academy", "2025/26")
    finally:
        opened.dispose()


def test_an_empty_database_offers_a_demo_school(
    qapp: Any,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxes,  # noqa: F811
    db_path: Path,
) -> None:
    answers.queue.append(0)  # Create a demo school
    monkeypatch.setattr(startup, "ask_demo_size", lambda *_a: 40)
    opened = startup.open_with_recovery(None, startup.sqlite_url(db_path), Actor.founder())
    assert opened is not None
    try:
        with opened.read() as session:
            assert summarise(session).on_roll == 40
    finally:
        opened.dispose()
    # Without the demo accounts nobody could sign in to it.
    (shown,) = message_boxes.texts()
    assert "admin1" in shown and "demo-admin-pass" in shown


def test_a_new_database_not_finished_leaves_no_file(
    qapp: Any,
    monkeypatch: pytest.MonkeyPatch,
    file_dialogs: FileDialogs,  # noqa: F811
    tmp_path: Path,
) -> None:
    target = tmp_path / "new.db"
    file_dialogs.answers.append(str(target))
    monkeypatch.setattr(startup, "ask_new_school", lambda *_a: None)  # Cancel
    assert startup.create_new_database(None, Actor.founder()) is None
    assert list(tmp_path.glob("new.db*")) == []


def test_a_new_database_never_overwrites_a_file(
    qapp: Any,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
    not_a_database: Path,
) -> None:
    before = not_a_database.read_bytes()
    file_dialogs.answers.append(str(not_a_database))
    assert startup.create_new_database(None, Actor.founder()) is None
    assert "will not overwrite it" in message_boxes.texts()[0]
    assert not_a_database.read_bytes() == before


def test_a_refused_school_is_shown_and_its_file_removed(
    monkeypatch: pytest.MonkeyPatch,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
    tmp_path: Path,
) -> None:
    file_dialogs.answers.append(str(tmp_path / "new.db"))
    monkeypatch.setattr(startup, "ask_new_school", lambda *_a: ("   ", 2025))
    assert startup.create_new_database(None, Actor.founder()) is None
    assert message_boxes.texts() == ["The school needs a name."]
    assert list(tmp_path.glob("new.db*")) == []


@pytest.fixture
def application(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Database, admin: Actor
) -> Iterator[app_module.Application]:
    # Signing in through the dialog is tested in test_ui_sign_in.py; here every database
    # opened is signed in to as an administrator.
    monkeypatch.setattr(app_module, "sign_in", lambda *_args, **_kwargs: admin)
    application = app_module.Application()
    qtbot.addWidget(application.window)  # deleted on the GUI thread, not by the collector
    assert application.show(demo_database)
    yield application


def test_switching_databases_replaces_tabs_and_disposes_the_old(
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    application: app_module.Application,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
    tmp_path: Path,
) -> None:
    window, first_database = application.window, application.database
    first_tabs = window.tabs
    disposed: list[bool] = []
    monkeypatch.setattr(first_database, "dispose", lambda: disposed.append(True))
    file_dialogs.answers.append(str(tmp_path / "demo.db"))
    monkeypatch.setattr(startup, "ask_demo_size", lambda *_a: 30)
    window.demo_action.trigger()
    assert window.tabs is not first_tabs
    assert disposed == [True]
    assert application.database.path == tmp_path / "demo.db"
    assert window.context.database is application.database
    assert "demo.db" in window.location_label.text()
    qtbot.waitUntil(lambda: window.current_tab().loaded, timeout=10_000)
    application.database.dispose()


def test_back_up_now_writes_a_copy(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
    file_dialogs: FileDialogs,  # noqa: F811
    tmp_path: Path,
) -> None:
    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)
    if demo_database.path is None:  # a server: its backups are explained, a copy offered
        message_boxes.answers.append(QMessageBox.StandardButton.Yes)
        file_dialogs.answers.append(str(tmp_path / "copy.db"))
        window.backup_action.trigger()
        qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=20_000)
        assert message_boxes.shown[0][0] == "question"
        assert "server's own backups" in message_boxes.texts()[0]
        assert message_boxes.shown[1] == (
            "information",
            f"A copy of all the data was saved as {tmp_path / 'copy.db'}.",
        )
        assert (tmp_path / "copy.db").stat().st_size > 0  # its rows: test_server_copy.py
        assert _files_recorded(demo_database) == [
            (admin.login, "copy of the database", str(tmp_path / "copy.db"))
        ]
        return
    window.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=10_000)
    assert message_boxes.shown[0][0] == "information"
    backups = list((demo_database.path.parent / "backups").glob("*manual.db"))
    assert len(backups) == 1
    assert str(backups[0]) in message_boxes.texts()[0]
    # Recorded, with its path, as whoever is signed in to the window.
    assert _files_recorded(demo_database) == [(admin.login, "backup", str(backups[0]))]


def _files_recorded(database: Database) -> list[tuple[str, str | None, str | None]]:
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.field, AuditEntry.new_value)
            .where(AuditEntry.action == "file_written")
            .order_by(AuditEntry.id)
        )
        return [(actor, what, path) for actor, what, path in rows]


def test_unexpected_errors_show_a_message_not_a_traceback(
    qapp: Any,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_excepthook()
    try:
        raise KeyError("surname")
    except KeyError as error:
        sys.excepthook(KeyError, error, error.__traceback__)
    assert message_boxes.shown == [
        ("critical", "Something went wrong: 'surname'; nothing was changed.")
    ]


@pytest.mark.parametrize("when", ["1", "data"])
def test_run_gui_quits_when_shown_if_asked(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Database, when: str
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app_module, "_log_to_file", lambda: None)
    monkeypatch.setenv(app_module.EXIT_WHEN_SHOWN, when)
    assert app_module.run_gui(str(demo_database.path or demo_database.url)) == 0


def test_run_gui_on_a_bad_file_quits_cleanly(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, answers: Answers, not_a_database: Path
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app_module, "_log_to_file", lambda: None)
    monkeypatch.setenv(app_module.EXIT_WHEN_SHOWN, "data")
    answers.queue.append(2)  # Quit
    assert app_module.run_gui(str(not_a_database)) == 0
    assert "is not a Plan-it database" in answers.asked[0][0]
