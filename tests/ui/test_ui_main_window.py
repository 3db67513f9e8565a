"""The main window on the demo school: five tabs in order, each showing the real data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.school import summarise
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.tab import GroupsTab
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.staff.tab import StaffAccessTab
from planit_desktop.ui.subjects.tab import SubjectsTab
from planit_desktop.ui.year_end.tab import YearEndTab, due_text
from tests.support.dialogs import FileDialogs, MessageBoxes


@pytest.fixture
def window(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[MainWindow]:
    main = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.tab(YearEndTab).sig_tab_loaded, timeout=10_000):
        main.show()
    yield main


def _show_tab(qtbot: Any, window: MainWindow, tab_class: type) -> Any:
    tab = window.tab(tab_class)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        window.tabs.setCurrentWidget(tab)
    return tab


def test_five_tabs_in_order_and_only_the_visible_one_loaded(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Year End", "Learners", "Groups", "Staff Access", "Subjects"]
    assert window.tab(YearEndTab).loaded
    assert not window.tab(LearnersTab).loaded
    for page in window.tab_pages:
        assert page.explanation_label.text()


def test_status_bar_names_school_year_and_database(
    qtbot: Any, window: MainWindow, demo_database: Database
) -> None:
    qtbot.waitUntil(lambda: "2025/26" in window.school_label.text())
    with demo_database.read() as session:
        school = summarise(session).school
    assert school in window.school_label.text()
    assert demo_database.location in window.location_label.text()


def test_year_end_tab_shows_the_year_and_learners_per_year(
    window: MainWindow, demo_database: Database
) -> None:
    tab = window.tab(YearEndTab)
    with demo_database.read() as session:
        summary = summarise(session)
    assert "2025/26" in tab.year_label.text()
    shown = {
        tab.model.index(r, 0).data(): tab.model.index(r, 1).data()
        for r in range(tab.model.rowCount())
    }
    assert shown == {f"Year {y}": f"{n:,}" for y, n in summary.learners_by_year.items()}
    assert tab.chart_values() == [float(n) for n in summary.learners_by_year.values()]
    assert f"{summary.on_roll:,} learners on roll" in tab.totals_label.text()


def test_learners_tab_counts_and_searches(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor
) -> None:
    tab = _show_tab(qtbot, window, LearnersTab)
    assert tab.count_label.text() == "200 of 200 learners"
    with demo_database.read() as session:
        someone = next(r for r in list_learners(session, admin) if r.status == "on_roll")
    same_surname = sum(
        1 for r in tab.model.rows() if r.surname == someone.surname and r.status == "on_roll"
    )
    qtbot.keyClicks(tab.search, someone.surname.upper())
    shown = tab.visible_rows()
    assert someone in shown
    assert len(shown) >= same_surname
    assert tab.count_label.text().endswith("of 200 learners")
    assert not tab.count_label.text().startswith("200 ")
    tab.search.clear()
    assert tab.count_label.text() == "200 of 200 learners"

    tab.year_filter.setCurrentIndex(tab.year_filter.findData(7))
    assert {r.year_group for r in tab.visible_rows()} == {7}
    tab.year_filter.setCurrentIndex(0)
    tab.show_left.setChecked(True)
    total = len(tab.model.rows())
    assert tab.count_label.text() == f"{total} of {total} learners"


def test_groups_tab_shows_members_of_the_selected_group(qtbot: Any, window: MainWindow) -> None:
    tab = _show_tab(qtbot, window, GroupsTab)
    assert tab.groups_proxy.rowCount() > 5
    busiest = max(tab.groups_model.rows(), key=lambda g: g.member_count)
    with qtbot.waitSignal(tab.sig_members_loaded, timeout=10_000):
        assert tab.select_group(busiest.id)
    assert tab.members_model.rowCount() == busiest.member_count
    assert f"Members of {busiest.name}" in tab.members_title.text()


def test_staff_access_tab_lists_staff_with_roles(qtbot: Any, window: MainWindow) -> None:
    tab = _show_tab(qtbot, window, StaffAccessTab)
    roles = {tab.model.index(r, 2).data() for r in range(tab.model.rowCount())}
    assert roles == {"Administrator", "Supervisor"}
    assert "active staff" in tab.summary.text()


def test_subjects_tab_shows_the_matrix(qtbot: Any, window: MainWindow) -> None:
    tab = _show_tab(qtbot, window, SubjectsTab)
    headers = [
        tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())
    ]
    assert headers[0] == "Subject"
    assert [h.split(" —")[0] for h in headers[1:]] == ["Year 9", "Year 10", "Year 11"]
    assert tab.model.rowCount() > 3
    ticks = [
        tab.model.index(r, c).data(Qt.ItemDataRole.CheckStateRole)
        for r in range(tab.model.rowCount())
        for c in range(1, 4)
    ]
    assert Qt.CheckState.Checked.value in ticks


def test_tabs_refresh_themselves_on_data_changed(
    qtbot: Any, window: MainWindow, demo_database: Database, admin: Actor
) -> None:
    from planit_desktop.model.services.school import get_school

    learners = _show_tab(qtbot, window, LearnersTab)
    with demo_database.begin() as session:
        get_school(session).name = "Renamed Academy"
    # The visible tab reloads at once; a hidden one waits until it is shown.
    with qtbot.waitSignal(learners.sig_tab_loaded, timeout=10_000):
        window.context.events.announce({"learners"})
    assert window.tab(YearEndTab)._stale
    with qtbot.waitSignal(window.sig_status_loaded, timeout=10_000):
        window.context.events.announce({"school"})
    assert "Renamed Academy" in window.school_label.text()


def test_window_size_is_remembered(qtbot: Any, window: MainWindow, settings_folder: Any) -> None:  # noqa: F811
    # A size of the coordinator's own: inside the offscreen screen (800 × 600), and above
    # the least size the window's content asks for (which its tabs set, not this test).
    least = window.minimumSizeHint()
    wanted = (max(700, least.width()), max(500, least.height()))
    assert wanted[0] < 800 and wanted[1] < 600, least
    window.resize(*wanted)
    assert (window.width(), window.height()) == wanted
    window.close()
    stored = QSettings(
        QSettings.defaultFormat(), QSettings.Scope.UserScope, "Plan-it", "Plan-it Desktop"
    )
    assert str(stored.fileName()).startswith(str(settings_folder))
    again = MainWindow(window.context)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == wanted


def test_help_menu(qtbot: Any, window: MainWindow, message_boxes: MessageBoxes) -> None:  # noqa: F811
    window.guide_action.trigger()
    from planit_desktop.ui.help.guide import YearEndGuideDialog

    guide = window.findChild(YearEndGuideDialog)
    assert guide is not None
    text = guide.browser.toPlainText()
    assert "Supervisors lose the groups" in text
    assert "secondary password" in text


def test_due_text() -> None:
    from datetime import date

    assert due_text(2025, date(2026, 3, 1)) == (
        "The year end for 2025/26 is due from 1 August 2026."
    )
    assert due_text(2025, date(2026, 8, 2)).startswith("The year end for 2025/26 is due now")


def test_a_new_database_from_the_file_menu_is_founded_by_its_founder(
    qtbot: Any,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    file_dialogs: FileDialogs,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Signed in here as admin1, who is nobody in a new database: its school is set up by its
    founder, the one actor the services let do that (and only while nobody can sign in)."""
    from planit_desktop.ui.school import opening as startup

    assert window.context is not None and window.context.actor.staff_id is not None
    assert window.founder().founding and window.founder().staff_id is None
    opened: list[Database] = []
    window.sig_database_opened.connect(opened.append)
    file_dialogs.answers.append(str(tmp_path / "new school.db"))
    monkeypatch.setattr(startup, "ask_new_school", lambda *_a: ("Hillside School", 2025))
    window.new_database()
    assert len(opened) == 1
    try:
        with opened[0].read() as session:
            assert summarise(session).school == "Hillside School"
    finally:
        opened[0].dispose()
