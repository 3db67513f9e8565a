"""Changes made by another coordinator appear in an open window: the database's change stamp,
the watcher that looks at it on focus and on a timer, and the read-only banner."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.changes import change_stamp, changes_since, kinds_of
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, GroupMembership
from planit_desktop.model.services.groups.editing import move_members
from planit_desktop.model.services.staff.sign_in import sign_in
from planit_desktop.model.services.subjects.offers import add_subject
from planit_desktop.ui import events
from planit_desktop.ui.change_watcher import ChangeWatcher
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import CHANGED_ELSEWHERE, READ_ONLY_BANNER, MainWindow
from planit_desktop.ui.subjects.tab import SubjectsTab
from planit_desktop.ui.year_end.tab import YearEndTab


def _subject_names(tab: SubjectsTab) -> set[str]:
    return {row.name for row in tab.model.rows()}


def _open_window(qtbot: Any, database: Database, actor: Actor) -> MainWindow:
    main = MainWindow(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.tab(YearEndTab).sig_tab_loaded, timeout=10_000):
        main.show()
    assert main.watcher is not None
    qtbot.waitUntil(lambda: main.watcher is not None and main.watcher._stamp is not None)
    return main


@pytest.fixture
def window(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[MainWindow]:
    yield _open_window(qtbot, demo_database, admin)


def _show_subjects(qtbot: Any, window: MainWindow) -> SubjectsTab:
    tab: SubjectsTab = window.tab(SubjectsTab)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        assert window.tabs is not None
        window.tabs.setCurrentWidget(tab)
    return tab


def test_the_stamp_moves_with_each_change_and_names_what_changed(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        before = change_stamp(session)
        assert not changes_since(session, before).any
        assert not changes_since(session, None).any  # the first look only takes the stamp
    with demo_database.begin() as session:
        add_subject(session, admin, "Astronomy")
    with demo_database.read() as session:
        changes = changes_since(session, before)
    assert changes.stamp != before
    assert changes.entities == {"subject"}


def test_what_changed_elsewhere_is_read_with_the_same_vocabulary(
    demo_database: Database, admin: Actor, demo_accounts: Any
) -> None:
    """The watcher's kinds are those our own operations announce (model.changes): a sign-in
    elsewhere changes nothing on screen; a group move is the learners' and the groups'."""
    with demo_database.read() as session:
        before = change_stamp(session)
    with demo_database.begin() as session:
        sign_in(session, demo_accounts[0].login, demo_accounts[0].password)
        sign_in(session, "nobody-at-all", "whatever")
    with demo_database.read() as session:
        signed = changes_since(session, before)
    assert signed.any and signed.kinds == frozenset()
    with demo_database.read() as session:
        from_id, learner_id = session.execute(
            select(GroupMembership.group_id, GroupMembership.learner_id).limit(1)
        ).one()
        to_id = session.scalars(select(Group.id).where(Group.id != from_id)).first()
    assert to_id is not None
    with demo_database.begin() as session:
        move_members(session, admin, from_id, to_id, [learner_id])
    with demo_database.read() as session:
        moved = changes_since(session, signed.stamp)
    assert moved.kinds == {events.LEARNERS, events.GROUPS}


def test_kinds_of_changed_records() -> None:
    assert kinds_of(frozenset({"subject"})) == {events.SUBJECTS}
    assert kinds_of(frozenset({"learner", "group"})) == {events.LEARNERS, events.GROUPS}
    # Something the watcher does not know about: every tab reloads, rather than miss it.
    assert kinds_of(frozenset({"something new"})) == events.EVERYTHING


def test_another_coordinators_change_appears_when_the_window_comes_back_to_the_front(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor
) -> None:
    tab = _show_subjects(qtbot, window)
    assert "Astronomy" not in _subject_names(tab)
    # Someone else, on another PC: straight into the database, no announcement here.
    with demo_database.begin() as session:
        add_subject(session, admin, "Astronomy")
    assert window.watcher is not None
    window.watcher.focus_gap.stop()  # the window came to the front just now, when shown
    with (
        qtbot.waitSignal(window.watcher.sig_changes_seen, timeout=10_000) as seen,
        qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000),
    ):
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert seen.args == [frozenset({events.SUBJECTS})]
    assert "Astronomy" in _subject_names(tab)
    assert window.statusBar().currentMessage() == CHANGED_ELSEWHERE


def test_the_gentle_timer_looks_too(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor
) -> None:
    tab = _show_subjects(qtbot, window)
    assert window.watcher is not None
    assert window.watcher.timer.isActive() and window.watcher.timer.interval() >= 10_000
    window.watcher.timer.setInterval(50)
    with demo_database.begin() as session:
        add_subject(session, admin, "Geology")
    qtbot.waitUntil(lambda: "Geology" in _subject_names(tab), timeout=10_000)


def test_our_own_changes_are_not_loaded_twice(qtbot: Any, window: MainWindow, admin: Actor) -> None:
    tab = _show_subjects(qtbot, window)
    assert window.context is not None and window.watcher is not None
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        window.context.run(
            None,
            lambda session, _p: add_subject(session, admin, "Latin"),
            write=True,
        )
    assert "Latin" in _subject_names(tab)
    with (
        qtbot.assertNotEmitted(window.watcher.sig_changes_seen),
        qtbot.waitSignal(window.watcher.sig_checked, timeout=10_000),
    ):
        window.watcher.check()


def test_a_look_that_fails_is_quiet_and_the_next_one_works(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor, monkeypatch: Any
) -> None:
    watcher = window.watcher
    assert isinstance(watcher, ChangeWatcher)

    def unreachable(*_args: Any) -> Any:
        raise OSError("the server went away")

    monkeypatch.setattr("planit_desktop.ui.change_watcher.changes_since", unreachable)
    with qtbot.waitSignal(watcher.sig_checked, timeout=10_000):
        watcher.check()
    monkeypatch.undo()
    tab = _show_subjects(qtbot, window)
    with demo_database.begin() as session:
        add_subject(session, admin, "Welsh")
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        watcher.check()
    assert "Welsh" in _subject_names(tab)


def test_signing_out_stops_watching(qtbot: Any, window: MainWindow) -> None:
    watcher = window.watcher
    assert watcher is not None
    window.detach()
    assert window.watcher is None and not watcher.timer.isActive()


def test_a_read_only_database_shows_a_banner(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    read_only = dataclasses.replace(demo_database, read_only=True)
    main = _open_window(qtbot, read_only, admin)
    assert main.read_only_banner is not None and main.read_only_banner.isVisible()
    assert main.read_only_banner.text() == READ_ONLY_BANNER
    assert main.location_label.text().endswith("(read-only)")
    writable = _open_window(qtbot, demo_database, admin)
    assert writable.read_only_banner is None
    assert not writable.location_label.text().endswith("(read-only)")


def test_a_look_finishing_after_the_window_moved_on_is_ignored(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor
) -> None:
    watcher = window.watcher
    assert watcher is not None
    with demo_database.begin() as session:
        add_subject(session, admin, "Classics")
    watcher.check()
    window.detach()  # signed out while the look was on its way
    qtbot.waitUntil(lambda: not watcher._checking, timeout=10_000)
    assert window.watcher is None
