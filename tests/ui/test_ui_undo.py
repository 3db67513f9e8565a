"""Edit ▸ Undo and Redo: the history moves only when the service succeeded, a failure says why
and leaves the rest as it was, and each open database has a history of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import Group
from planit_desktop.model.errors import Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services.groups.editing import create_group
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.history import CreatedGroupEntry
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.undo import TAKEN_OFF, UndoHistory, history_for
from tests.support.dialogs import MessageBoxes
from tests.support.ui_groups import choose_group, group_names, members, open_groups

WAIT = 10_000


@dataclass(frozen=True)
class AddGroup:
    """A test entry whose reversal adds a group (so the write can be seen) and alternates."""

    description: str
    name: str

    def reverse(self, session: Any, actor: Actor) -> AddGroup:
        session.add(Group(name=self.name))
        audit.record(session, actor, "group_created", entity="group", new=self.name)
        return AddGroup(self.description, self.name + "+")


@dataclass(frozen=True)
class Refuses:
    description: str = "something that changed since"

    def reverse(self, session: Any, actor: Actor) -> Refuses:
        session.add(Group(name="never kept"))  # rolled back with the refusal
        raise Refused("The group has changed since; nothing was undone.")


def all_names(database: Database) -> set[str]:
    with database.read() as session:
        return set(session.scalars(select(Group.name)))


def step(qtbot: Any, history: UndoHistory, trigger: Any) -> None:
    with qtbot.waitSignal(history.sig_history_changed, timeout=WAIT):
        operation = trigger()
    assert operation is not None
    with qtbot.waitSignal(operation.sig_op_finished, timeout=WAIT):
        pass


def test_undo_and_redo_run_the_reversal_and_alternate(
    qtbot: Any, database: Database, admin: Actor
) -> None:
    events = DataEvents()
    history = UndoHistory(AppContext(database, admin, events))
    assert not history.can_undo() and history.undo_text() == "Undo"
    history.push(AddGroup("move of 3 learners to 8B", "A"))
    assert history.undo_text() == "Undo move of 3 learners to 8B"
    with qtbot.waitSignal(events.sig_data_changed, timeout=WAIT) as announced:
        step(qtbot, history, history.undo)
    assert announced.args == [frozenset({"groups"})]
    assert all_names(database) == {"A"}
    assert not history.can_undo()
    assert history.redo_text() == "Redo move of 3 learners to 8B"
    step(qtbot, history, history.redo)
    assert all_names(database) == {"A", "A+"}
    assert history.can_undo() and not history.can_redo()
    # A new change forgets what could be redone.
    step(qtbot, history, history.undo)
    history.push(AddGroup("rename of 7A to 8A", "B"))
    assert not history.can_redo()
    assert [e.description for e in history.undo_entries()] == ["rename of 7A to 8A"]


def test_a_failed_undo_shows_the_message_and_drops_only_that_entry(
    qtbot: Any,
    database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    history = UndoHistory(AppContext(database, admin, DataEvents()))
    history.push(AddGroup("older change", "A"))
    history.push(Refuses())
    with qtbot.waitSignal(history.sig_history_failed, timeout=WAIT) as failed:
        history.undo()
    message = failed.args[0]
    assert message == f"The group has changed since; nothing was undone. {TAKEN_OFF}"
    assert message_boxes.texts() == [message]
    assert all_names(database) == set()  # the refused write was rolled back
    assert history.undo_text() == "Undo older change"
    assert not history.can_redo()


def test_nothing_else_starts_while_a_step_runs(
    qtbot: Any, database: Database, admin: Actor
) -> None:
    history = UndoHistory(AppContext(database, admin, DataEvents()))
    history.push(AddGroup("first", "A"))
    history.push(AddGroup("second", "B"))
    operation = history.undo()
    assert operation is not None
    assert history.busy and not history.can_undo()
    assert history.undo() is None
    with qtbot.waitSignal(operation.sig_op_finished, timeout=WAIT):
        pass
    assert all_names(database) == {"B"}
    assert history.undo_text() == "Undo first"


def test_undo_of_a_new_group_deletes_it_and_redo_makes_it_again(
    qtbot: Any, database: Database, admin: Actor
) -> None:
    history = UndoHistory(AppContext(database, admin, DataEvents()))
    with database.begin() as session:
        change = create_group(session, admin, "Drama")
    history.push(CreatedGroupEntry("creation of group Drama", change, "Drama"))
    step(qtbot, history, history.undo)
    assert all_names(database) == set()
    step(qtbot, history, history.redo)
    assert all_names(database) == {"Drama"}
    step(qtbot, history, history.undo)
    assert all_names(database) == set()


def test_each_database_has_its_own_history_cleared_on_switching(
    qtbot: Any, database: Database, admin: Actor, tmp_path: Path
) -> None:
    window = MainWindow(AppContext(database, admin, DataEvents()))
    qtbot.addWidget(window)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[:2] == ["&File", "&Edit"] and menus[-1] == "&Help"
    history = history_for(window.context)
    assert history is history_for(AppContext(database, admin, DataEvents()))
    history.push(AddGroup("move of 1 learner to 7B", "A"))
    assert window.undo_actions.undo_action.isEnabled()
    assert window.undo_actions.undo_action.text() == "Undo move of 1 learner to 7B"

    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        window.attach(AppContext(other, admin, DataEvents()))
        assert not history.can_undo()  # the first database's history was cleared
        assert history_for(window.context) is not history
        assert not window.undo_actions.undo_action.isEnabled()
        assert window.undo_actions.undo_action.text() == "Undo"
    finally:
        window.close()
        from planit_desktop.ui import ops

        ops.wait_for_operations()
        other.dispose()


def test_a_failed_undo_says_why_and_leaves_the_history_consistent(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    """On the Groups tab: a move whose target group has been deleted since."""
    from planit_desktop.model.services.groups.editing import delete_group

    window, tab = open_groups(qtbot, demo_database, admin)
    names = group_names(demo_database)
    choose_group(qtbot, tab, "10A")
    chosen = sorted(members(demo_database, names["10A"]))[:2]
    tab.select_members(chosen)
    tab.actions_.move_or_copy(names["10A"], names["Year 10 Blue"], chosen, copy=False)
    qtbot.waitUntil(window.undo_actions.undo_action.isEnabled, timeout=WAIT)
    # Someone else deletes the target group (moving its members to 10B) meanwhile.
    with demo_database.begin() as session:
        delete_group(session, admin, names["Year 10 Blue"], move_members_to=names["10B"])
    history = tab.actions_.history
    with qtbot.waitSignal(history.sig_history_failed, timeout=WAIT) as failed:
        window.undo_actions.undo_action.trigger()
    assert "deleted since; nothing was undone" in failed.args[0]
    assert message_boxes.texts() == [failed.args[0]]
    assert not history.can_undo() and not history.can_redo()
    assert not window.undo_actions.undo_action.isEnabled()
    assert set(chosen) <= members(demo_database, names["10B"])


def test_a_history_nobody_shows_keeps_no_database_alive(tmp_path: Path, admin: Actor) -> None:
    """The registry finds histories; it does not own them (nor, through them, a database with
    its engine and statement cache, for the life of the process)."""
    import gc
    import weakref

    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    history = history_for(AppContext(other, admin, DataEvents()))
    assert history_for(AppContext(other, admin, DataEvents())) is history  # found again
    gone = weakref.ref(other)
    other.dispose()
    del other, history
    gc.collect()
    assert gone() is None
