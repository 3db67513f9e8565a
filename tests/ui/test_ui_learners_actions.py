"""The Learners tab's other actions on the demo school: leavers and reinstating, removing old
leavers' data, Create New User as a supervisor with the administrators' check, merging, and
secondary passwords issued and saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.learners.details import learner_details
from planit_desktop.model.services.learners.leavers import mark_left
from planit_desktop.model.services.learners.roll import LearnerRow, list_learners, to_check
from planit_desktop.ui.learners.leavers import MarkLeftDialog, RemoveOldLeaversDialog
from planit_desktop.ui.learners.merge import MergeDialog
from planit_desktop.ui.learners.quick_create import LearnerPasswordDialog, QuickCreateDialog
from planit_desktop.ui.learners.secondary import SecondaryPasswordsDialog
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.learners.table import Only
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.ui_learners import open_tab, signed_in


def _status(database: Database, admin: Actor, learner_id: int) -> LearnerStatus:
    with database.read() as session:
        return learner_details(session, admin, learner_id).status


@pytest.fixture(autouse=True)
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The notes of unfinished password files go in the test's folder, not the user's."""
    from planit_desktop.model.services.credentials import delivery as password_delivery

    folder = tmp_path / "notes"
    monkeypatch.setattr(password_delivery, "notes_folder", lambda: folder)
    return folder


def learner_signs_in(database: Database, login: str, password: str) -> bool:
    with database.begin() as session:
        return learner_sign_in(session, login, password).signed_in


def _wait_for(qtbot: Any, tab: LearnersTab, kind: type) -> Any:
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, kind), timeout=10_000)
    return tab.actions_.dialog


def test_mark_two_learners_left_then_reinstate_one(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    first, second = tab.visible_rows()[:2]
    tab.select_learners([first.id, second.id])
    assert tab.actions_.mark_left.isEnabled() and not tab.actions_.reinstate.isEnabled()
    tab.actions_.mark_left.trigger()
    dialog = _wait_for(qtbot, tab, MarkLeftDialog)
    assert dialog.chosen_date() == date.today()
    # No reason: refused in plain words, the dialog stays open with nothing changed.
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=10_000)
    assert "Give a reason" in dialog.problem.text()
    assert _status(demo_database, admin, first.id) is LearnerStatus.ON_ROLL
    qtbot.keyClicks(dialog.reason, "Moved to Leeds")
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        dialog.ok_button.click()
    assert tab.count_label.text() == "198 of 198 learners"
    assert _status(demo_database, admin, first.id) is LearnerStatus.LEFT
    assert _status(demo_database, admin, second.id) is LearnerStatus.LEFT

    tab.show_left.setChecked(True)
    tab.select_learners([second.id])
    assert tab.actions_.reinstate.isEnabled() and not tab.actions_.mark_left.isEnabled()
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        tab.actions_.reinstate.trigger()
    assert _status(demo_database, admin, second.id) is LearnerStatus.ON_ROLL
    assert _status(demo_database, admin, first.id) is LearnerStatus.LEFT
    assert [r.status for r in tab.selected_rows()] == [LearnerStatus.ON_ROLL]


def test_remove_old_leavers_data_lists_exactly_who_then_removes(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    with demo_database.begin() as session:
        on_roll = [r for r in list_learners(session, admin, include_left=False)]
        long_ago, recently = on_roll[:2], on_roll[2]
        mark_left(session, admin, [r.id for r in long_ago], left_on=date(2012, 7, 20), reason="x")
        mark_left(session, admin, [recently.id], left_on=date.today(), reason="moved")
        already_old = {
            r.id
            for r in list_learners(session, admin)
            if r.status is not LearnerStatus.ON_ROLL
            and r.id not in {recently.id, *(x.id for x in long_ago)}
        }
    tab = open_tab(qtbot, demo_database, admin)
    tab.actions_.remove_old.trigger()
    dialog = _wait_for(qtbot, tab, RemoveOldLeaversDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10_000)
    listed = {row.id for row in dialog.listed()}
    assert {r.id for r in long_ago} <= listed
    assert recently.id not in listed
    assert listed - {r.id for r in long_ago} <= already_old
    names = {dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())}
    assert {r.full_name for r in long_ago} <= names
    assert "20/07/2012" in {dialog.model.index(r, 3).data() for r in range(len(listed))}
    assert not dialog.ok_button.isEnabled()  # not before the explicit confirmation
    dialog.confirm.setChecked(True)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        dialog.ok_button.click()
    with demo_database.read() as session:
        remaining = {r.id for r in list_learners(session, admin)}
    assert not listed & remaining
    assert recently.id in remaining
    assert message_boxes.shown == [
        ("information", f"The personal data of {len(listed):,} old leavers was removed.")
    ]


def test_quick_create_as_a_supervisor_then_checked_by_an_administrator(
    qtbot: Any,
    demo_database: Database,
    *,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    supervisor = signed_in(demo_database, "supervisor1", "demo-supervisor-pass")
    tab = open_tab(qtbot, demo_database, supervisor)
    assert tab.actions_.create.isEnabled()
    tab.actions_.create.trigger()
    dialog = _wait_for(qtbot, tab, QuickCreateDialog)
    assert not dialog.tutor_group.isEditable() and dialog.tutor_group.count() > 0
    qtbot.keyClicks(dialog.first_names, "Mia")
    qtbot.keyClicks(dialog.surname, "Newcombe")
    qtbot.keyClicks(dialog.date_of_birth, "03/02/2013")
    qtbot.keyClicks(dialog.staff_password, "demo-supervisor-pass")
    dialog.year_group.setCurrentIndex(dialog.year_group.findData(8))
    group = dialog.tutor_group.currentText()
    dialog.ok_button.click()
    shown = _wait_for(qtbot, tab, LearnerPasswordDialog)
    password = shown.password.text()
    assert len(password) >= 8
    qtbot.waitUntil(lambda: any(r.surname == "Newcombe" for r in tab.model.rows()))
    created = next(r for r in tab.model.rows() if r.surname == "Newcombe")
    assert created.needs_check and group in created.groups
    # Shown, not stored yet: the password works once the slip is saved (or the window closed).
    assert not learner_signs_in(demo_database, created.login, password)
    target = tmp_path / "slip.pdf"
    file_dialogs.answers.append(str(target))
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=10_000):
        shown.slip_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in shown.warning.text() and not shown.slip_button.isEnabled()
    assert learner_signs_in(demo_database, created.login, password)
    shown.reject()
    assert not shown.isVisible()

    # The same name and date of birth again: warned, then created anyway.
    tab.actions_.create.trigger()
    again = _wait_for(qtbot, tab, QuickCreateDialog)
    qtbot.keyClicks(again.first_names, "Mia")
    qtbot.keyClicks(again.surname, "Newcombe")
    qtbot.keyClicks(again.date_of_birth, "3/2/2013")
    qtbot.keyClicks(again.staff_password, "demo-supervisor-pass")
    # Year 7 is left chosen: the dialog asks first, since she would be in Year 8.
    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    again.ok_button.click()
    assert "would usually be in Year 8, not Year 7" in message_boxes.texts()[-1]
    qtbot.waitUntil(again.duplicates.isVisible, timeout=10_000)
    assert "Mia Newcombe" in again.duplicates.text()
    assert again.ok_button.text() == "Create anyway"
    again.ok_button.click()
    second = _wait_for(qtbot, tab, LearnerPasswordDialog)
    second_password = second.password.text()
    with qtbot.waitSignal(second.sig_password_delivered, timeout=10_000):
        second.reject()  # closing, having seen it, stores it
    qtbot.waitUntil(lambda: not second.isVisible(), timeout=10_000)

    def twins() -> list[LearnerRow]:
        return [r for r in tab.model.rows() if r.surname == "Newcombe" and r.id != created.id]

    # The tab reloads after the delivery is committed: wait for it rather than race it.
    qtbot.waitUntil(lambda: bool(twins()), timeout=10_000)
    (twin,) = twins()
    assert learner_signs_in(demo_database, twin.login, second_password)

    admin = signed_in(demo_database, "admin1", "demo-admin-pass")
    admin_tab = open_tab(qtbot, demo_database, admin)
    admin_tab.show_only(Only.TO_CHECK)
    shown_rows = admin_tab.visible_rows()
    assert [r.surname for r in shown_rows] == ["Newcombe", "Newcombe"]
    admin_tab.select_learners([shown_rows[0].id])
    with qtbot.waitSignal(admin_tab.sig_tab_loaded, timeout=10_000):
        admin_tab.actions_.confirm.trigger()
    assert [r.id for r in admin_tab.visible_rows()] == [shown_rows[1].id]

    # Merge the duplicate into the confirmed record.
    admin_tab.select_learners([shown_rows[1].id])
    admin_tab.actions_.merge.trigger()
    merge = _wait_for(qtbot, admin_tab, MergeDialog)
    merge.choose(shown_rows[0].id)
    assert merge.ok_button.isEnabled() and not merge.force.isVisible()
    with qtbot.waitSignal(admin_tab.sig_tab_loaded, timeout=10_000):
        merge.ok_button.click()
    with demo_database.read() as session:
        ids = {r.id for r in list_learners(session, admin)}
        assert not to_check(session, admin)
    assert shown_rows[0].id in ids and shown_rows[1].id not in ids
    assert admin_tab.visible_rows() == []


def test_secondary_passwords_issued_saved_and_visible(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    *,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = tab.visible_rows()[0]
    tab.actions_.secondary.trigger()
    dialog = _wait_for(qtbot, tab, SecondaryPasswordsDialog)
    qtbot.keyClicks(dialog.surname, learner.surname.upper())
    dialog.year_group.setCurrentIndex(dialog.year_group.findData(learner.year_group))
    with qtbot.waitSignal(dialog.sig_learners_found, timeout=10_000):
        dialog.find_button.click()
    assert learner in dialog.found.shown_rows()
    dialog.choose_all()
    chosen = dialog.chosen_ids()
    # Where they go is asked first: the file is written with the issue itself.
    file_dialogs.answers.append(str(tmp_path / "missing" / "secondary.xlsx"))
    dialog.issue_button.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=10_000)
    assert "does not exist" in dialog.problem.text()
    assert "No password was issued" in dialog.problem.text()
    assert dialog.passwords.rowCount() == 0
    assert not tab.model.has_unused_secondary(learner.id)

    target = tmp_path / "secondary.xlsx"
    file_dialogs.answers.append(str(tmp_path / "secondary"))  # the extension is added
    with qtbot.waitSignal(dialog.sig_passwords_issued, timeout=10_000):
        dialog.issue_button.click()
    assert dialog.passwords.rowCount() == len(chosen)
    assert dialog.saved == [target] and str(target) in dialog.issued_label.text()
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][4] == "Secondary password"
    assert {r[0] for r in rows[1:]} == {r.login for r in tab.model.rows() if r.id in set(chosen)}
    assert {r[4] for r in rows[1:]} == {
        dialog.passwords.index(i, 3).data() for i in range(len(chosen))
    }
    # Another copy, as slips, may be saved while the dialog is open.
    slips = tmp_path / "slips.pdf"
    file_dialogs.answers.append(str(slips))
    with qtbot.waitSignal(dialog.sig_file_saved, timeout=10_000):
        dialog.save_slips_button.click()
    assert slips.read_bytes().startswith(b"%PDF")
    dialog.reject()  # saved with the issue: closes without asking
    assert message_boxes.shown == []

    qtbot.waitUntil(lambda: tab.model.has_unused_secondary(learner.id), timeout=10_000)
    tab.show_only(Only.UNUSED_SECONDARY)
    assert {r.id for r in tab.visible_rows()} == set(chosen)
