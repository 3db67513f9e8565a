"""The Year End tab in GUI tests: opened in its main window, on a day of August."""

from __future__ import annotations

from datetime import date
from typing import Any

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.year_end.tab import YearEndTab
from tests.support import windows

WAIT = 15_000
AUGUST = date(2026, 8, 3)


def open_tab(qtbot: Any, database: Database, actor: Actor) -> YearEndTab:
    """The Year End tab of a new main window, shown and loaded; its clock says 3 August."""
    window = windows.keep(MainWindow(AppContext(database, actor, DataEvents())))
    qtbot.addWidget(window)
    tab = window.tab(YearEndTab)
    tab.clock = lambda: AUGUST
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        window.show()
    return tab
