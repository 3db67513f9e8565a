"""The Subjects tab on the demo school: offers ticked and unticked, subjects added, renamed,
retired and restored, a year with nothing offered flagged, and a supervisor's read-only view.
Every outcome is checked in the database."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Staff, StaffRole, Subject, SubjectOffer
from planit_desktop.model.services.subjects.offers import set_offer
from planit_desktop.ui.common.dialogs import NameDialog
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.subjects.tab import SubjectsTab, no_subjects_text
from tests.support.dialogs import MessageBoxes
from tests.support.ui_subjects import WAIT, open_subjects, subject

CHECKED, UNCHECKED = Qt.CheckState.Checked.value, Qt.CheckState.Unchecked.value


def offers(database: Database) -> set[tuple[str, int]]:
    with database.read() as session:
        query = select(Subject.name, SubjectOffer.year_group).join(
            SubjectOffer, SubjectOffer.subject_id == Subject.id
        )
        return {(name, year) for name, year in session.execute(query)}


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> SubjectsTab:
    return open_subjects(qtbot, demo_database, admin)


def cell(tab: SubjectsTab, name: str, year: int) -> Any:
    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.row_at(r).name == name)
    return tab.proxy.index(row, 1 + tab.model.years.index(year))


def reloaded(qtbot: Any, tab: SubjectsTab, trigger: Any) -> None:
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        trigger()


def test_tick_and_untick_an_offer(qtbot: Any, tab: SubjectsTab, demo_database: Database) -> None:
    assert ("Business", 9) not in offers(demo_database)
    box = cell(tab, "Business", 9)
    assert box.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert box.data(Qt.ItemDataRole.CheckStateRole) == UNCHECKED
    # The keyboard: Space on the current cell ticks it.
    tab.table.setFocus()
    tab.table.setCurrentIndex(box)
    reloaded(qtbot, tab, lambda: qtbot.keyClick(tab.table, Qt.Key.Key_Space))
    assert ("Business", 9) in offers(demo_database)
    box = cell(tab, "Business", 9)
    assert box.data(Qt.ItemDataRole.CheckStateRole) == CHECKED
    # The selection survives the reload (cells updated in place, no reset).
    assert tab.table.currentIndex() == box

    reloaded(qtbot, tab, lambda: tab.proxy.setData(box, UNCHECKED, Qt.ItemDataRole.CheckStateRole))
    assert ("Business", 9) not in offers(demo_database)
    assert cell(tab, "Business", 9).data(Qt.ItemDataRole.CheckStateRole) == UNCHECKED


def test_add_rename_retire_and_restore_a_subject(
    qtbot: Any,
    tab: SubjectsTab,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab.add_action.trigger()
    dialog = tab.dialog
    assert isinstance(dialog, NameDialog)
    qtbot.keyClicks(dialog.name_edit, " Dance ")
    reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    dance = subject(demo_database, "Dance")
    assert dance is not None and not dance.retired
    reloaded(
        qtbot,
        tab,
        lambda: tab.proxy.setData(cell(tab, "Dance", 10), CHECKED, Qt.ItemDataRole.CheckStateRole),
    )
    assert ("Dance", 10) in offers(demo_database)

    assert tab.select_subject(dance.id)
    tab.rename_action.trigger()
    dialog = tab.dialog
    assert isinstance(dialog, NameDialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Dance and Drama")
    reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert subject(demo_database, "Dance") is None
    assert subject(demo_database, "Dance and Drama") is not None

    assert tab.select_subject(dance.id)
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    tab.retire_action.trigger()  # asked first: No retires nothing
    assert message_boxes.texts() == [
        "Retire Dance and Drama? It will no longer be offered (it is now offered to Year 10). "
        "Its history is kept, and Restore offers it again."
    ]
    assert not subject(demo_database, "Dance and Drama").retired  # type: ignore[union-attr]
    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    reloaded(qtbot, tab, tab.retire_action.trigger)
    retired = subject(demo_database, "Dance and Drama")
    assert retired is not None and retired.retired
    assert ("Dance and Drama", 10) not in offers(demo_database)
    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.row_at(r).id == dance.id)
    shown = tab.proxy.index(row, 0)
    assert shown.data() == "Dance and Drama (retired)"
    assert shown.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert not cell(tab, "Dance and Drama", 10).flags() & Qt.ItemFlag.ItemIsUserCheckable

    assert tab.select_subject(dance.id)
    assert tab.restore_action.isEnabled() and not tab.retire_action.isEnabled()
    reloaded(qtbot, tab, tab.restore_action.trigger)
    assert ("Dance and Drama", 10) in offers(demo_database)


def test_a_duplicate_subject_name_is_refused_in_the_dialog(
    qtbot: Any, tab: SubjectsTab, demo_database: Database
) -> None:
    before = offers(demo_database)
    tab.add_action.trigger()
    dialog = tab.dialog
    assert isinstance(dialog, NameDialog)
    qtbot.keyClicks(dialog.name_edit, "maths")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.problem.isHidden(), timeout=WAIT)
    assert "There is already a subject called “Maths”" in dialog.problem.text()
    assert offers(demo_database) == before


def test_a_year_with_no_subjects_is_flagged(
    qtbot: Any, tab: SubjectsTab, demo_database: Database, admin: Actor
) -> None:
    assert tab.warning.isHidden()
    with demo_database.begin() as session:
        for name, year in offers(demo_database):
            if year == 10:
                sid = session.scalars(select(Subject.id).where(Subject.name == name)).one()
                set_offer(session, admin, sid, 10, False)
    reloaded(qtbot, tab, lambda: tab.context.events.announce({"subjects"}))
    assert tab.warning.isVisible()
    assert tab.warning.text().startswith("Year 10 has no subjects offered.")
    assert no_subjects_text((10, 11)).startswith("Year 10 and Year 11 have no subjects offered.")
    assert "English KS3 offered to Year 9 stays offered to Year 9" in tab.explanation


def test_a_supervisor_sees_the_subjects_read_only(
    qtbot: Any, demo_database: Database, qtmodeltester: Any
) -> None:
    with demo_database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == "supervisor1")).one()
        actor = Actor(staff.login, staff.name, StaffRole.SUPERVISOR, staff.id)
    tab = open_subjects(qtbot, demo_database, actor)
    before = offers(demo_database)
    assert tab.model.rowCount() > 3
    assert tab.role_note.isVisible() and "supervisor" in tab.role_note.text()
    for action in tab.change_actions:
        assert not action.isVisible() and not action.isEnabled()
    box = cell(tab, "Business", 9)
    assert not box.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not tab.proxy.setData(box, CHECKED, Qt.ItemDataRole.CheckStateRole)
    assert offers(demo_database) == before
    qtmodeltester.check(tab.model)


def test_the_checkable_matrix_passes_the_model_tester(qtmodeltester: Any, tab: SubjectsTab) -> None:
    assert tab.model.editable
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.proxy)
    # A request is only a request: the snapshot changes when the matrix is reloaded.
    requested: list[tuple[int, int, bool]] = []
    tab.model.sig_offer_requested.connect(lambda *args: requested.append(args))
    box = cell(tab, "Business", 9)
    tab.model.sig_offer_requested.disconnect(tab.set_offer)
    assert tab.proxy.setData(box, CHECKED, Qt.ItemDataRole.CheckStateRole)
    assert requested == [(box.data(Role.ID), 9, True)]
    assert box.data(Qt.ItemDataRole.CheckStateRole) == UNCHECKED
