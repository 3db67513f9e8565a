"""The Subjects tab in GUI tests: opened in its main window; a subject read from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Subject
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.subjects.tab import SubjectsTab

WAIT = 10_000


def subject(database: Database, name: str) -> Subject | None:
    with database.read() as session:
        return session.scalars(select(Subject).where(Subject.name == name)).one_or_none()


def open_subjects(qtbot: Any, database: Database, actor: Actor) -> SubjectsTab:
    window = MainWindow(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(window)
    window.show()
    tab = window.tab(SubjectsTab)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        window.tabs.setCurrentWidget(tab)
    return tab
