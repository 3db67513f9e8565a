"""The Groups tab on the demo school: groups made, renamed and deleted, members added, removed,
moved and copied (by the keyboard and by dragging), year-named groups renamed, Edit ▸ Undo;
and what a supervisor sees. Every outcome is checked in the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import select, update

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    Learner,
    LearnerStatus,
    Staff,
    StaffRole,
)
from planit_desktop.model.services.groups.listing import list_groups
from planit_desktop.ui.common.dialogs import NameDialog
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.groups.dialogs import DeleteGroupDialog, GroupChooserDialog
from planit_desktop.ui.groups.tab import GroupsTab
from planit_desktop.ui.groups.year_renames import RenameYearGroupsDialog, YearRenameColumn
from planit_desktop.ui.main_window import MainWindow
from tests.support.ui_groups import WAIT, choose_group, group_names, members, open_groups


# --- the database, read directly -----------------------------------------------------------
def learner_count(database: Database) -> int:
    with database.read() as session:
        return len(session.scalars(select(Learner.id)).all())


# --- the window ----------------------------------------------------------------------------
@pytest.fixture
def window(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[MainWindow]:
    main, _tab = open_groups(qtbot, demo_database, admin)
    yield main


@pytest.fixture
def tab(window: MainWindow) -> GroupsTab:
    return window.tab(GroupsTab)


def wait_reloaded(qtbot: Any, tab: GroupsTab, trigger: Any) -> None:
    """Do ``trigger`` and wait until the tab has reloaded after the change it makes."""
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        trigger()


def proxy_row(proxy: Any, wanted_id: int) -> int:
    return next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(Role.ID) == wanted_id)


# --- groups --------------------------------------------------------------------------------
def test_new_group_by_typing_its_name(qtbot: Any, tab: GroupsTab, demo_database: Database) -> None:
    tab.actions_.new_group.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, NameDialog)
    qtbot.keyClicks(dialog.name_edit, "  Drama   Club ")
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    new_id = group_names(demo_database)["Drama Club"]
    assert members(demo_database, new_id) == set()
    qtbot.waitUntil(lambda: tab.selected_group_id == new_id, timeout=WAIT)
    assert tab.actions_.dialog is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [("7a", "There is already a group called “7A”"), ("   ", "cannot be empty or only spaces")],
)
def test_duplicate_or_empty_name_is_refused_in_the_dialog(
    qtbot: Any, tab: GroupsTab, demo_database: Database, typed: str, message: str
) -> None:
    before = group_names(demo_database)
    tab.actions_.new_group.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, NameDialog)
    qtbot.keyClicks(dialog.name_edit, typed)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.problem.isHidden(), timeout=WAIT)
    assert message in dialog.problem.text()
    assert dialog.isVisible() and dialog.ok_button.isEnabled()  # the name can be corrected
    assert group_names(demo_database) == before


def test_rename_then_undo_and_redo(
    qtbot: Any, window: MainWindow, tab: GroupsTab, demo_database: Database
) -> None:
    group_id = choose_group(qtbot, tab, "Oak")
    tab.actions_.rename.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, NameDialog)
    assert dialog.name_edit.text() == "Oak"
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Oak Tree")
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert group_names(demo_database)["Oak Tree"] == group_id

    undo = window.undo_actions.undo_action
    assert undo.text() == "Undo rename of Oak to Oak Tree"
    wait_reloaded(qtbot, tab, undo.trigger)
    assert group_names(demo_database)["Oak"] == group_id
    redo = window.undo_actions.redo_action
    assert redo.text() == "Redo rename of Oak to Oak Tree"
    wait_reloaded(qtbot, tab, redo.trigger)
    assert group_names(demo_database)["Oak Tree"] == group_id


def test_delete_a_group_moving_its_members(
    qtbot: Any, tab: GroupsTab, demo_database: Database
) -> None:
    names = group_names(demo_database)
    source, target = names["7A"], names["Careers Club"]
    moving, already = members(demo_database, source), members(demo_database, target)
    learners_before = learner_count(demo_database)
    choose_group(qtbot, tab, "7A")
    tab.actions_.delete.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, DeleteGroupDialog)
    assert not dialog.ok_button.isEnabled()  # nothing happens to members until chosen
    dialog.target.setCurrentIndex(dialog.target.findData(target))
    assert dialog.move_option.isChecked()
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert "7A" not in group_names(demo_database)
    assert members(demo_database, target) == moving | already
    assert learner_count(demo_database) == learners_before
    assert tab.selected_group_id == target


def test_delete_a_group_taking_its_members_out(
    qtbot: Any, tab: GroupsTab, demo_database: Database
) -> None:
    source = group_names(demo_database)["Y9 Set 1"]
    learners_before = learner_count(demo_database)
    choose_group(qtbot, tab, "Y9 Set 1")
    tab.actions_.delete.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, DeleteGroupDialog)
    dialog.remove_option.setChecked(True)
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert "Y9 Set 1" not in group_names(demo_database)
    assert members(demo_database, source) == set()
    assert learner_count(demo_database) == learners_before


# --- members -------------------------------------------------------------------------------
def test_move_to_by_keyboard_then_undo_and_redo(
    qtbot: Any, window: MainWindow, tab: GroupsTab, demo_database: Database
) -> None:
    names = group_names(demo_database)
    source, target = names["8A"], names["8B"]
    choose_group(qtbot, tab, "8A")
    chosen = sorted(members(demo_database, source))[:3]
    tab.select_members(chosen)
    assert tab.selected_learner_ids() == chosen
    tab.members_table.setFocus()
    qtbot.keyClick(tab.members_table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = tab.actions_.dialog
    assert isinstance(dialog, GroupChooserDialog)
    qtbot.keyClicks(dialog.search, "8b")
    assert dialog.chosen_id() == target
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert set(chosen) <= members(demo_database, target)
    assert not set(chosen) & members(demo_database, source)

    undo = window.undo_actions.undo_action
    assert undo.text() == "Undo move of 3 learners to 8B"
    wait_reloaded(qtbot, tab, undo.trigger)
    assert set(chosen) <= members(demo_database, source)
    assert not set(chosen) & members(demo_database, target)
    wait_reloaded(qtbot, tab, window.undo_actions.redo_action.trigger)
    assert set(chosen) <= members(demo_database, target)
    assert not set(chosen) & members(demo_database, source)


@pytest.mark.parametrize("copy", [False, True])
def test_drag_members_onto_another_group(
    qtbot: Any, tab: GroupsTab, demo_database: Database, copy: bool
) -> None:
    names = group_names(demo_database)
    source, target = names["9A"], names["Oak"]
    choose_group(qtbot, tab, "9A")
    chosen = sorted(members(demo_database, source))[-2:]
    tab.select_members(chosen)
    indexes = tab.members_table.selectionModel().selectedIndexes()
    mime = tab.members_proxy.mimeData(indexes)
    action = Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction
    onto = tab.groups_proxy.index(proxy_row(tab.groups_proxy, target), 0)
    own = tab.groups_proxy.index(proxy_row(tab.groups_proxy, source), 0)
    # Onto its own group, or between two rows, a drop is not taken.
    assert not tab.groups_proxy.canDropMimeData(mime, action, -1, -1, own)
    assert not tab.groups_proxy.canDropMimeData(mime, action, 0, 0, QModelIndex())
    assert tab.groups_proxy.canDropMimeData(mime, action, -1, -1, onto)
    wait_reloaded(qtbot, tab, lambda: tab.groups_proxy.dropMimeData(mime, action, -1, -1, onto))
    assert set(chosen) <= members(demo_database, target)
    assert bool(set(chosen) & members(demo_database, source)) is copy


def test_add_learners_and_remove_them_again(
    qtbot: Any, window: MainWindow, tab: GroupsTab, demo_database: Database
) -> None:
    from planit_desktop.ui.groups.add_learners import AddLearnersDialog

    club = group_names(demo_database)["Careers Club"]
    choose_group(qtbot, tab, "Careers Club")
    tab.actions_.add_learners.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, AddLearnersDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT)
    outsiders = [r for r in dialog.model.rows() if r.id not in members(demo_database, club)]
    someone = outsiders[0]
    qtbot.keyClicks(dialog.search, someone.surname)
    assert dialog.proxy.rowCount() < dialog.model.rowCount()
    dialog.select_learners([someone.id])
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))
    assert someone.id in members(demo_database, club)
    assert window.undo_actions.undo_action.text() == "Undo adding 1 learner to Careers Club"

    qtbot.waitUntil(lambda: someone.id in [r.id for r in tab.members_model.rows()])
    tab.select_members([someone.id])
    wait_reloaded(qtbot, tab, tab.actions_.remove.trigger)
    assert someone.id not in members(demo_database, club)
    assert learner_count(demo_database) > 0
    wait_reloaded(qtbot, tab, window.undo_actions.undo_action.trigger)
    assert someone.id in members(demo_database, club)


# --- rename year-named groups --------------------------------------------------------------
def simulate_rollover(database: Database) -> None:
    """Everyone moves up a year and Year 11 completes; group names stay, as in a rollover."""
    with database.begin() as session:
        on_roll = Learner.status == LearnerStatus.ON_ROLL
        session.execute(
            update(Learner)
            .where(on_roll, Learner.year_group == 11)
            .values(status=LearnerStatus.COMPLETED)
        )
        session.execute(update(Learner).where(on_roll).values(year_group=Learner.year_group + 1))


def test_rename_year_named_groups(
    qtbot: Any, window: MainWindow, tab: GroupsTab, demo_database: Database
) -> None:
    simulate_rollover(demo_database)
    before = group_names(demo_database)
    tab.actions_.rename_year_groups.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, RenameYearGroupsDialog)
    model = dialog.model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT)
    row_of = {choice.old: r for r, choice in enumerate(model.rows())}
    chosen = {choice.old for choice in model.rows() if choice.chosen}
    # 10A → 11A clashes with 11A, which keeps its name (its learners completed); so does
    # 9A → 10A while 10A stays, and so on down: those start unticked.
    assert "would clash" in model.note(row_of["10A"]) and "“11A”" in model.note(row_of["10A"])
    assert "would clash" in model.note(row_of["7A"])
    assert chosen == {"Y9 Set 1", "Y9 Set 2", "Year 10 Blue", "Year 10 Green"}
    assert "Nobody on roll is left" in model.note(row_of["11A"])
    assert model.rows()[row_of["7A"]].new == "8A"
    assert dialog.ok_button.isEnabled()

    name_cell = model.index(row_of["10A"], YearRenameColumn.NEW_NAME)
    # An edit that clashes is flagged at once, and nothing can be applied.
    assert model.setData(name_cell, "oak")
    assert model.rows()[row_of["10A"]].chosen
    assert "Clash" in model.note(row_of["10A"]) and "“Oak”" in model.note(row_of["10A"])
    assert not dialog.ok_button.isEnabled()
    assert "cannot be renamed" in dialog.summary.text()
    assert model.setData(name_cell, "11 Leavers-to-be")
    assert model.problem(row_of["10A"]) is None
    # Accept the A forms' suggestions now that the chain is clear; leave the B forms.
    for old in ("9A", "8A", "7A"):
        tick = model.index(row_of[old], YearRenameColumn.GROUP)
        assert model.setData(tick, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
        assert model.problem(row_of[old]) is None
    assert dialog.ok_button.isEnabled()
    wait_reloaded(qtbot, tab, lambda: qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton))

    after = group_names(demo_database)
    assert after["8A"] == before["7A"] and after["9A"] == before["8A"]
    assert after["11 Leavers-to-be"] == before["10A"]
    assert after["7B"] == before["7B"] and after["11A"] == before["11A"]
    assert after["Year 11 Blue"] == before["Year 10 Blue"]
    assert after["10A"] == before["9A"] and after["9B"] == before["9B"]

    undo = window.undo_actions.undo_action
    assert undo.text().startswith("Undo rename of ") and "year-named groups" in undo.text()
    wait_reloaded(qtbot, tab, undo.trigger)
    assert group_names(demo_database) == before
    wait_reloaded(qtbot, tab, window.undo_actions.redo_action.trigger)
    assert group_names(demo_database) == after


# --- roles and models ----------------------------------------------------------------------
def supervisor(database: Database, login: str = "supervisor1") -> Actor:
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == login)).one()
        return Actor(staff.login, staff.name, StaffRole.SUPERVISOR, staff.id)


def test_a_supervisor_sees_only_their_groups_and_cannot_change_them(
    qtbot: Any, demo_database: Database
) -> None:
    actor = supervisor(demo_database)
    with demo_database.read() as session:
        theirs = list_groups(session, actor)
    _window, tab = open_groups(qtbot, demo_database, actor)
    assert 0 < len(theirs) < len(group_names(demo_database))
    assert tab.groups_model.rows() == theirs
    assert tab.role_note.isVisible() and "supervisor" in tab.role_note.text()
    for action in tab.actions_.group_actions + tab.actions_.member_actions:
        assert not action.isVisible() and not action.isEnabled()
    choose_group(qtbot, tab, theirs[0].name)
    first = tab.members_proxy.index(0, 0)
    assert not tab.members_proxy.flags(first) & Qt.ItemFlag.ItemIsDragEnabled
    assert not tab.groups_proxy.flags(tab.groups_proxy.index(0, 0)) & Qt.ItemFlag.ItemIsDropEnabled
    assert tab.members_table.dragDropMode() == tab.members_table.DragDropMode.NoDragDrop


def test_group_models_pass_the_model_tester(
    qtbot: Any, qtmodeltester: Any, tab: GroupsTab, demo_database: Database
) -> None:
    choose_group(qtbot, tab, "7A")
    for model in (tab.groups_model, tab.groups_proxy, tab.members_model, tab.members_proxy):
        qtmodeltester.check(model)
    simulate_rollover(demo_database)
    tab.actions_.rename_year_groups.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, RenameYearGroupsDialog)
    qtmodeltester.check(dialog.model)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT)
    qtmodeltester.check(dialog.model)
    dialog.reject()
