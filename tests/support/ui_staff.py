"""The Staff Access tab's helpers, shared by its tests: a member of staff signed in, a main
window for them, one of its tabs opened and loaded, a staff row as the service lists it."""

from __future__ import annotations

from typing import Any

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.staff import members as staff
from planit_desktop.model.services.staff import sign_in as sign_in_service
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow


def signed_in_staff(database: Database, login: str, password: str) -> Actor:
    with database.begin() as session:
        actor = sign_in_service.sign_in(session, login, password).actor
    assert actor is not None
    return actor


def staff_window(qtbot: Any, database: Database, actor: Actor) -> MainWindow:
    window = MainWindow(AppContext(database, actor, DataEvents()))
    qtbot.addWidget(window)
    window.show()
    return window


def open_window_tab(qtbot: Any, window: MainWindow, tab_class: type) -> Any:
    tab = window.tab(tab_class)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        window.tabs.setCurrentWidget(tab)
    return tab


def staff_row(database: Database, login: str) -> staff.StaffRow:
    with database.read() as session:
        return next(r for r in staff.staff_rows(session) if r.login == login)
