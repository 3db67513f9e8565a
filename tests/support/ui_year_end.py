"""The Year End tab in GUI tests: opened in its main window, on a day of August."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QWizard

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
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


def open_wizard(qtbot: Any, tab: YearEndTab) -> YearEndWizard:
    """The year-end wizard started from ``tab``, once its data has loaded."""
    assert tab.start_button.isEnabled()
    tab.start_year_end()
    wizard = tab.wizard
    assert isinstance(wizard, YearEndWizard)
    qtbot.waitUntil(lambda: wizard.data is not None, timeout=WAIT)
    return wizard


def go_to(wizard: YearEndWizard, page_id: PageId) -> Any:
    """The wizard's step ``page_id``, reached with Next (each step must allow it) or Back."""
    while wizard.currentId() < page_id:
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled(), wizard.currentId()
        wizard.next()
    while wizard.currentId() > page_id:
        wizard.back()
    return wizard.pages[page_id]
