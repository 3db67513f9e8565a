"""The Learners tab's table on the demo school: search as typed (accents ignored), filters,
sorting, lazy fetching, keyboard, export as filtered, and what a supervisor sees."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QModelIndex, Qt

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.credentials.outputs import PasswordRow
from planit_desktop.model.services.learners.history import HistoryRow
from planit_desktop.model.services.learners.leavers import OldLeaver
from planit_desktop.model.services.learners.roll import LearnerRow, list_learners
from planit_desktop.model.services.learners.support_requests import SupportRequestRow
from planit_desktop.ui.common.roles import explain_unavailable
from planit_desktop.ui.learners.actions import ADMIN_WHAT
from planit_desktop.ui.learners.dialog_models import (
    HistoryModel,
    OldLeaverModel,
    PasswordModel,
    SupportRequestModel,
)
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.learners.table import LearnerColumn, LearnerListModel, Only
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.ui_learners import open_tab, rename, signed_in


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[LearnersTab]:
    yield open_tab(qtbot, demo_database, admin)


def _row(n: int, surname: str, **kw: Any) -> LearnerRow:
    values: dict[str, Any] = {
        "id": n,
        "first_names": f"Ann{n}",
        "surname": surname,
        "date_of_birth": date(2012, 1 + n % 12, 1 + n % 27),
        "year_group": 7 + n % 5,
        "groups": (f"{7 + n % 5}A",),
        "upn": None,
        "sims_number": str(n),
        "status": LearnerStatus.ON_ROLL,
        "login": f"login{n}",
        "search_key": f"ann{n} {surname.lower()} {n} login{n}",
    }
    values.update(kw)
    return LearnerRow(**values)


def test_the_lazy_model_passes_the_model_tester_and_fetches_in_batches(
    qtmodeltester: Any,
) -> None:
    model = LearnerListModel()
    qtmodeltester.check(model)
    rows = [_row(n, f"Surname{n % 50}") for n in range(600)]
    model.set_rows(rows)
    assert model.match_count() == 600
    assert model.rowCount() == model.BATCH < 600
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * model.BATCH
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 600
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.sort(LearnerColumn.DATE_OF_BIRTH, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == model.BATCH  # a new order starts with one batch again
    births = [r.date_of_birth for r in model.shown_rows()]
    assert births == sorted(births, reverse=True)
    model.set_search_text("surname7")
    assert {r.surname for r in model.shown_rows()} == {"Surname7"}
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_a_view_fetches_more_as_it_scrolls(qtbot: Any) -> None:
    from PySide6.QtWidgets import QTableView

    model = LearnerListModel()
    model.set_rows([_row(n, f"Surname{n}") for n in range(1_000)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    assert model.rowCount() == model.BATCH
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > model.BATCH, timeout=2_000)


def test_filters_of_the_lazy_model(qtmodeltester: Any) -> None:
    model = LearnerListModel()
    rows = [
        _row(1, "Able"),
        _row(2, "Baker", status=LearnerStatus.LEFT),
        _row(3, "Cole", needs_check=True),
        _row(4, "Dean"),
    ]
    model.set_rows(rows, unused_secondary={4})
    assert [r.surname for r in model.shown_rows()] == ["Able", "Cole", "Dean"]
    assert model.counted_rows() == 3
    model.set_show_left(True)
    assert model.counted_rows() == 4 and model.match_count() == 4
    model.set_only(Only.TO_CHECK)
    assert [r.surname for r in model.shown_rows()] == ["Cole"]
    model.set_only(Only.UNUSED_SECONDARY)
    assert [r.surname for r in model.shown_rows()] == ["Dean"]
    model.set_only(Only.EVERYONE)
    model.set_year_group(rows[0].year_group)
    assert [r.surname for r in model.shown_rows()] == ["Able"]
    model.set_year_group(None)
    model.set_group(rows[1].groups[0])
    assert [r.surname for r in model.shown_rows()] == ["Baker"]
    qtmodeltester.check(model)


def test_dialog_models_pass_the_model_tester(qtmodeltester: Any) -> None:
    now = datetime(2026, 1, 5, 9, 30)
    history = HistoryModel()
    history.set_rows(
        [HistoryRow(now, "admin1", "Ann Admin", "learner_corrected", "surname", "Old", "New", None)]
    )
    assert [history.index(0, c).data() for c in range(6)] == [
        "05/01/2026 09:30",
        "Ann Admin",
        "Corrected",
        "surname",
        "Old",
        "New",
    ]
    requests = SupportRequestModel()
    requests.set_rows(
        [
            SupportRequestRow(
                1, 2, "Ada", "Lovelace", date(2012, 1, 1), 9, None, None, "surname",
                "Byron", "Lovelace", "Ann Admin", now, None, None,
            )
        ]
    )  # fmt: skip
    leavers = OldLeaverModel()
    leavers.set_rows(
        [OldLeaver(1, "Ada", "Lovelace", date(2000, 1, 1), 11, None, LearnerStatus.LEFT,
                   date(2015, 7, 1), "moved")]
    )  # fmt: skip
    passwords = PasswordModel()
    passwords.set_rows([PasswordRow("alovelace", "Ada", "Lovelace", "9A", "secret-words")])
    for model in (history, requests, leavers, passwords):
        qtmodeltester.check(model)
    assert requests.index(0, 7).data() == "Not sent"
    assert leavers.index(0, 3).data() == "01/07/2015"


def test_search_ignores_accents_and_case_and_narrows_the_count(
    qtbot: Any, tab: LearnersTab, demo_database: Database, admin: Actor
) -> None:
    assert tab.count_label.text() == "200 of 200 learners"
    someone = next(r for r in tab.model.rows() if r.status is LearnerStatus.ON_ROLL)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        rename(demo_database, admin, someone.id, surname="Zoëllner-Brontë")
        tab.context.events.announce({"learners"})
    qtbot.keyClicks(tab.search, "ZOELLNER bronte")
    # The search waits for a pause in the typing, then applies.
    qtbot.waitUntil(lambda: tab.count_label.text() == "1 of 200 learners", timeout=2_000)
    assert [r.id for r in tab.visible_rows()] == [someone.id]
    assert tab.model.index(0, LearnerColumn.SURNAME).data() == "Zoëllner-Brontë"
    tab.search.clear()
    assert tab.count_label.text() == "200 of 200 learners"


def test_filters_by_year_group_group_and_status(tab: LearnersTab) -> None:
    tab.year_filter.setCurrentIndex(tab.year_filter.findData(9))
    shown = tab.visible_rows()
    assert shown and {r.year_group for r in shown} == {9}
    assert tab.count_label.text() == f"{len(shown)} of 200 learners"
    tab.year_filter.setCurrentIndex(0)
    group = tab.group_filter.itemData(1)
    tab.group_filter.setCurrentIndex(1)
    assert all(group in r.groups for r in tab.visible_rows())
    tab.group_filter.setCurrentIndex(0)
    left = [r for r in tab.model.rows() if r.status is not LearnerStatus.ON_ROLL]
    assert left and not set(left) & set(tab.visible_rows())
    tab.show_left.setChecked(True)
    assert set(left) <= set(tab.visible_rows())
    statuses = {tab.model.index(r, LearnerColumn.STATUS).data() for r in range(200)}
    assert "On roll" in statuses


def test_sorting_by_date_of_birth_and_keyboard(qtbot: Any, tab: LearnersTab) -> None:
    tab.select_column_sort(LearnerColumn.DATE_OF_BIRTH, Qt.SortOrder.AscendingOrder)
    births = [r.date_of_birth for r in tab.visible_rows()]
    assert births == sorted(births)
    shown = tab.model.index(0, LearnerColumn.DATE_OF_BIRTH).data()
    assert shown == births[0].strftime("%d/%m/%Y")
    tab.select_column_sort(LearnerColumn.YEAR_GROUP, Qt.SortOrder.DescendingOrder)
    years = [r.year_group for r in tab.visible_rows()]
    assert years == sorted(years, reverse=True)
    # Enter in the search box goes to the first learner; arrows move on from there.
    tab.search.setFocus()
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.table.currentIndex().row() == 0
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    assert tab.table.currentIndex().row() == 1
    assert tab.selected_rows() == [tab.visible_rows()[1]]


def test_export_writes_the_table_as_filtered_without_live_formulas(
    qtbot: Any,
    tab: LearnersTab,
    demo_database: Database,
    *,
    admin: Actor,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    someone = tab.visible_rows()[3]
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        rename(demo_database, admin, someone.id, first_names='=HYPERLINK("http://x.test","A")')
        tab.context.events.announce({"learners"})
    tab.year_filter.setCurrentIndex(tab.year_filter.findData(someone.year_group))
    expected = [(r.surname, r.first_names) for r in tab.visible_rows()]
    target = tmp_path / "learners.xlsx"
    file_dialogs.answers.append(str(target))
    tab.actions_.export.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=10_000)
    assert message_boxes.shown == [
        ("information", f"{len(expected)} learners were saved to {target}.")
    ]
    sheet = load_workbook(target).active
    written = [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2)]
    assert written == expected
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value))
    assert cell.data_type == "s"  # text, never a formula


def test_a_supervisor_sees_their_learners_and_administrator_actions_disabled(
    qtbot: Any, demo_database: Database
) -> None:
    actor = signed_in(demo_database, "supervisor1", "demo-supervisor-pass")
    tab = open_tab(qtbot, demo_database, actor)
    with demo_database.read() as session:
        theirs = {r.id for r in list_learners(session, actor)}
    assert {r.id for r in tab.model.rows()} == theirs
    reason = explain_unavailable(actor, ADMIN_WHAT)
    assert reason is not None and tab.banner.isVisible() and tab.banner.text() == reason
    tab.select_learners([tab.visible_rows()[0].id])
    for action in tab.actions_.for_administrators:
        button = tab.toolbar.widgetForAction(action)
        assert not action.isEnabled() and not button.isEnabled()
        assert button.toolTip() == reason
    assert tab.actions_.create.isEnabled() and tab.actions_.history.isEnabled()
    assert tab.only_filter.findData(Only.TO_CHECK) == -1
