"""The Groups tab in GUI tests: opened in its main window, a group chosen; groups and their
members read from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Group, GroupMembership
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.tab import GroupsTab
from planit_desktop.ui.main_window import MainWindow

WAIT = 10_000


def group_names(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {name: gid for gid, name in session.execute(select(Group.id, Group.name))}


def members(database: Database, group_id: int) -> set[int]:
    with database.read() as session:
        query = select(GroupMembership.learner_id).where(GroupMembership.group_id == group_id)
        return set(session.scalars(query))


def open_groups(qtbot: Any, database: Database, actor: Actor) -> tuple[MainWindow, GroupsTab]:
    window = MainWindow(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(window)
    window.show()
    tab = window.tab(GroupsTab)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        window.tabs.setCurrentWidget(tab)
    return window, tab


def choose_group(qtbot: Any, tab: GroupsTab, name: str) -> int:
    group_id = next(g.id for g in tab.groups_model.rows() if g.name == name)
    with qtbot.waitSignal(tab.sig_members_loaded, timeout=WAIT):
        assert tab.select_group(group_id)
    return group_id
