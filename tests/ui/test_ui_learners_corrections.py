"""Correct details… on the demo school: checks as typed, saving with support requests, the
conflict with a colleague's save, the history, and exporting the support requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from shiboken6 import isValid

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.learners.support_requests import (
    HEADINGS_ROW,
    list_support_requests,
)
from planit_desktop.model.services.school import set_school_details
from planit_desktop.model.validation.upn import check_letter
from planit_desktop.ui.learners.correction import CONFLICT, CorrectionDialog
from planit_desktop.ui.learners.history import HistoryDialog
from planit_desktop.ui.learners.support import SENT, UNSENT, SupportRequestsDialog
from planit_desktop.ui.learners.tab import LearnersTab
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.ui_learners import open_tab, rename


def _upn(database: Database, admin: Actor) -> str:
    """A valid UPN nobody in the demo school has."""
    with database.read() as session:
        used = {r.upn for r in list_learners(session, admin)}
    for serial in range(100, 999):
        body = f"80120002{serial:04d}"[:12]
        upn = check_letter(body) + body
        if upn not in used:
            return upn
    raise AssertionError("no free UPN")


def _open_correction(qtbot: Any, tab: LearnersTab, learner_id: int) -> CorrectionDialog:
    tab.select_learners([learner_id])
    tab.actions_.correct.trigger()
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, CorrectionDialog), timeout=10_000)
    dialog: CorrectionDialog = tab.actions_.dialog
    assert dialog.isVisible() and not dialog.save_button.isEnabled()
    return dialog


def _type(qtbot: Any, dialog: CorrectionDialog, field: str, text: str) -> None:
    edit = dialog.fields[field]
    edit.selectAll()  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.sig_checked, timeout=10_000):
        if text:
            qtbot.keyClicks(edit, text)
        else:
            qtbot.keyClick(edit, Qt.Key.Key_Delete)


def _on_roll(tab: LearnersTab, n: int = 0) -> Any:
    return [r for r in tab.visible_rows() if r.status is LearnerStatus.ON_ROLL][n]


def test_correcting_a_surname_and_upn_saves_with_support_requests(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = _on_roll(tab, 5)
    upn = _upn(demo_database, admin)
    dialog = _open_correction(qtbot, tab, learner.id)
    assert dialog.fields["surname"].text() == learner.surname  # type: ignore[attr-defined]
    _type(qtbot, dialog, "surname", "Featherstonehaugh")
    _type(qtbot, dialog, "upn", upn.lower())
    assert not any(label.isVisible() for label in dialog.problems.values())
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        dialog.save_button.click()
    assert not isValid(dialog)  # closed and deleted
    with demo_database.read() as session:
        details = learner_details(session, admin, learner.id)
        requests = [r for r in list_support_requests(session, admin) if r.learner_id == learner.id]
    assert (details.surname, details.upn) == ("Featherstonehaugh", upn)
    assert {(r.field, r.old_value, r.new_value) for r in requests} == {
        ("surname", learner.surname, "Featherstonehaugh"),
        ("upn", learner.upn or "", upn),
    }
    # The table shows the new surname, and the learner stays selected.
    assert [r.surname for r in tab.selected_rows()] == ["Featherstonehaugh"]

    # The history is one click away and lists the change: who, old → new.
    tab.actions_.history.trigger()
    history = tab.actions_.dialog
    assert isinstance(history, HistoryDialog)
    qtbot.waitUntil(lambda: history.model.rowCount() > 0, timeout=10_000)
    cells = [
        [history.model.index(r, c).data() for c in range(6)]
        for r in range(history.model.rowCount())
    ]
    assert ["Corrected", "surname", learner.surname, "Featherstonehaugh"] in [c[2:] for c in cells]
    assert all(c[1] == "Test Admin" or c[1] for c in cells)


def test_an_invalid_upn_is_explained_and_save_stays_disabled(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    dialog = _open_correction(qtbot, tab, _on_roll(tab).id)
    _type(qtbot, dialog, "upn", "A80120000100Z")
    assert dialog.problems["upn"].isVisible()
    assert "UPN" in dialog.problems["upn"].text()
    assert not dialog.save_button.isEnabled()
    # Another learner's UPN is named with its holder.
    holder = next(r for r in tab.model.rows() if r.upn and r.id != dialog.learner_id)
    _type(qtbot, dialog, "upn", holder.upn or "")
    assert f"{holder.first_names} {holder.surname}" in dialog.problems["upn"].text()
    assert not dialog.save_button.isEnabled()
    # An empty surname too; a good value clears the message and enables Save again.
    _type(qtbot, dialog, "upn", "")
    _type(qtbot, dialog, "surname", "")
    assert "surname is empty" in dialog.problems["surname"].text()
    assert not dialog.save_button.isEnabled()
    _type(qtbot, dialog, "surname", "Brown")
    assert not dialog.problems["surname"].isVisible()
    assert dialog.save_button.isEnabled()


def test_a_year_group_that_does_not_fit_is_a_warning_only(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = _on_roll(tab)
    dialog = _open_correction(qtbot, tab, learner.id)
    year = dialog.fields["year_group"]
    other = next(i for i in range(year.count()) if year.itemData(i) != learner.year_group)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.sig_checked, timeout=10_000):
        year.setCurrentIndex(other)  # type: ignore[attr-defined]
    assert dialog.problems["year_group"].isVisible()
    assert dialog.save_button.isEnabled()


def test_a_stale_save_shows_the_conflict_and_reloads(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = _on_roll(tab, 2)
    dialog = _open_correction(qtbot, tab, learner.id)
    # A colleague saves first.
    rename(demo_database, admin, learner.id, first_names="Colleaguename")
    _type(qtbot, dialog, "surname", "Mine")
    dialog.save_button.click()
    qtbot.waitUntil(dialog.conflict.isVisible, timeout=10_000)
    text = dialog.conflict_label.text()
    assert text.startswith(CONFLICT) and "first name: Colleaguename" in text
    with demo_database.read() as session:
        assert learner_details(session, admin, learner.id).surname == learner.surname
    dialog.reload_button.click()
    assert dialog.fields["first_names"].text() == "Colleaguename"  # type: ignore[attr-defined]
    assert dialog.fields["surname"].text() == learner.surname  # type: ignore[attr-defined]
    _type(qtbot, dialog, "surname", "Mine")
    with qtbot.waitSignal(dialog.sig_correction_saved, timeout=10_000):
        dialog.save_button.click()
    with demo_database.read() as session:
        details = learner_details(session, admin, learner.id)
    assert (details.first_names, details.surname) == ("Colleaguename", "Mine")


def test_support_requests_are_listed_and_exported_and_marked_sent(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    *,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    with demo_database.begin() as session:  # asked for when missing: test_ui_school_details
        set_school_details(session, admin, la_code="801", establishment_number="4001")
    tab = open_tab(qtbot, demo_database, admin)
    learner = _on_roll(tab)
    rename(demo_database, admin, learner.id, surname="Requested")
    tab.actions_.support.trigger()
    dialog = tab.actions_.dialog
    assert isinstance(dialog, SupportRequestsDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.which.currentText() == UNSENT
    assert dialog.model.index(0, 4).data() == "Requested"

    # A file that cannot be written marks nothing as sent.
    file_dialogs.answers.append(str(tmp_path / "missing" / "requests.xlsx"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=10_000)
    assert "No request was marked as sent" in message_boxes.texts()[0]
    with demo_database.read() as session:
        assert not list_support_requests(session, admin)[0].sent

    target = tmp_path / "requests.xlsx"
    file_dialogs.answers.append(str(target))
    with qtbot.waitSignal(dialog.sig_requests_loaded, timeout=10_000):
        dialog.export_button.click()
    assert str(target) in message_boxes.texts()[-1]
    rows = list(load_workbook(target).active.iter_rows(min_row=HEADINGS_ROW, values_only=True))
    assert rows[0][6] == "Detail corrected"
    assert rows[1][1] == "Requested" and rows[1][7] == learner.surname
    with demo_database.read() as session:
        assert all(r.sent for r in list_support_requests(session, admin))
    assert dialog.model.rowCount() == 0 and not dialog.export_button.isEnabled()
    dialog.which.setCurrentText(SENT)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 7).data().startswith("Sent ")
