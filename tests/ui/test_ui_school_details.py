"""File ▸ School details… and the support-request export that needs the DfE number: asked
for when missing, then the export carries on; an earlier batch exported again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QInputDialog

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.learners.support_requests import (
    list_sent_batches,
    list_support_requests,
)
from planit_desktop.model.services.school import school_details
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.learners.support import SupportRequestsDialog
from planit_desktop.ui.school import details as details_ui
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.ui_learners import open_tab, rename


def _details_dialog(qtbot: Any) -> details_ui.SchoolDetailsDialog:
    qtbot.waitUntil(lambda: bool(details_ui.opened_dialogs), timeout=10_000)
    return details_ui.opened_dialogs[-1]


def test_the_export_asks_for_the_dfe_number_then_carries_on_and_a_batch_goes_again(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
    *,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = tab.visible_rows()[0]
    rename(demo_database, admin, learner.id, surname="Requested")
    tab.actions_.support.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, SupportRequestsDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert not dialog.again_button.isEnabled()  # nothing sent yet

    target = tmp_path / "requests.xlsx"
    file_dialogs.answers.append(str(target))
    dialog.export_button.click()
    asked = _details_dialog(qtbot)
    assert "not recorded yet" in asked.findChild(type(asked.problem), "note").text()
    assert file_dialogs.asked == []  # no file is chosen before the number is known
    asked.la_code_edit.setText("80")
    asked.establishment_edit.setText("4001")
    asked.ok_button.click()
    qtbot.waitUntil(asked.problem.isVisible, timeout=10_000)
    assert "not a local authority code" in asked.problem.text()
    asked.la_code_edit.setText("801")
    with qtbot.waitSignal(dialog.sig_requests_exported, timeout=10_000):
        asked.ok_button.click()
    with demo_database.read() as session:
        assert school_details(session).dfe_number == "801/4001"
        assert all(r.sent for r in list_support_requests(session, admin))
        batches = list_sent_batches(session, admin)
    sheet = load_workbook(target).active
    assert sheet["B3"].value == "801/4001"
    assert "1 support request was written" in message_boxes.texts()[-1]

    qtbot.waitUntil(dialog.again_button.isEnabled, timeout=10_000)
    offered: list[list[str]] = []

    def choose(_parent: object, _title: str, _label: str, items: list[str], *a: object) -> Any:
        offered.append(list(items))
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    again = tmp_path / "again.xlsx"
    file_dialogs.answers.append(str(again))
    with qtbot.waitSignal(dialog.sig_requests_exported, timeout=10_000):
        dialog.again_button.click()
    assert offered == [[batches[0].describe()]]
    assert load_workbook(again).active["B3"].value == "801/4001"
    assert "exported again" in load_workbook(again).active["B4"].value
    with demo_database.read() as session:
        assert list_sent_batches(session, admin) == batches  # nothing marked again


def test_school_details_are_shown_to_a_supervisor_but_not_changed(
    qtbot: Any,
    demo_database: Database,
    supervisor_actor: Actor,
    ops_drained: None,  # noqa: F811
) -> None:
    context = AppContext(demo_database, supervisor_actor, DataEvents())
    details_ui.show_school_details(context, None)
    shown = _details_dialog(qtbot)
    qtbot.addWidget(shown)
    with demo_database.read() as session:
        assert shown.name_edit.text() == school_details(session).name
    assert shown.name_edit.isReadOnly() and not shown.ok_button.isEnabled()
    assert "Only administrators can change the school's details" in shown.problem.text()
    shown.reject()


def test_file_school_details_records_the_dfe_number(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    from planit_desktop.ui.main_window import MainWindow
    from planit_desktop.ui.year_end.tab import YearEndTab

    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.tab(YearEndTab).sig_tab_loaded, timeout=10_000):
        window.show()
    assert window.school_details_action.isEnabled()
    window.school_details_action.trigger()
    shown = _details_dialog(qtbot)
    assert shown.la_code_edit.text() == "" and shown.ok_button.isEnabled()
    shown.la_code_edit.setText("801")
    shown.establishment_edit.setText("4001")
    with qtbot.waitSignal(shown.sig_details_saved, timeout=10_000):
        shown.ok_button.click()
    with demo_database.read() as session:
        assert school_details(session).dfe_number == "801/4001"
