"""Secondary passwords issued again: the learner holding an unused one is shown as such and the
administrator asked; the new password replaces the old in the dialog's list and later copies,
and the dialog says the old one no longer works. A bad date of birth clears earlier results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.ui.learners.secondary import SecondaryPasswordsDialog
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.ui_learners import open_tab

WAIT = 10_000


def _dialog(qtbot: Any, database: Database, admin: Actor) -> tuple[Any, SecondaryPasswordsDialog]:
    tab = open_tab(qtbot, database, admin)
    tab.actions_.secondary.trigger()
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, SecondaryPasswordsDialog), timeout=WAIT)
    return tab, tab.actions_.dialog


def _find(qtbot: Any, dialog: SecondaryPasswordsDialog) -> None:
    with qtbot.waitSignal(dialog.sig_learners_found, timeout=WAIT):
        dialog.find_button.click()


def _signs_in(database: Database, login: str, password: str) -> bool:
    with database.begin() as session:
        return learner_sign_in(session, login, password).signed_in


def test_issuing_again_shows_the_unused_one_asks_and_replaces_it(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab, dialog = _dialog(qtbot, demo_database, admin)
    learner = tab.visible_rows()[0]
    qtbot.keyClicks(dialog.first_names, learner.first_names)
    qtbot.keyClicks(dialog.surname, learner.surname)
    qtbot.keyClicks(dialog.date_of_birth, learner.date_of_birth.strftime("%d/%m/%Y"))
    _find(qtbot, dialog)
    assert [r.id for r in dialog.found.shown_rows()] == [learner.id]
    assert dialog.found_label.text().startswith("1 learner found.")
    assert "unused secondary password" not in dialog.found_label.text()
    dialog.choose_all()
    first_file = tmp_path / "first.xlsx"
    file_dialogs.answers.append(str(first_file))
    with qtbot.waitSignal(dialog.sig_passwords_issued, timeout=WAIT):
        dialog.issue_button.click()
    old = dialog.passwords.index(0, 3).data()

    _find(qtbot, dialog)  # found again: now holding an unused one
    assert (
        f"{learner.full_name} already has an unused secondary password" in dialog.found_label.text()
    )
    assert dialog.found.has_unused_secondary(learner.id)
    dialog.choose_all()
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    dialog.issue_button.click()  # asked first; No issues nothing
    (asked,) = message_boxes.texts()
    assert "issuing a new one replaces it, and the old one stops working" in asked
    assert file_dialogs.asked == ["Save the secondary passwords as"]  # not asked again

    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    second_file = tmp_path / "second.xlsx"
    file_dialogs.answers.append(str(second_file))
    with qtbot.waitSignal(dialog.sig_passwords_issued, timeout=WAIT):
        dialog.issue_button.click()
    assert dialog.passwords.rowCount() == 1  # replaced, not listed twice
    new = dialog.passwords.index(0, 3).data()
    assert new != old
    text = dialog.issued_label.text()
    assert f"The earlier secondary password of {learner.full_name} no longer works" in text
    assert str(first_file) in text and str(second_file) in text
    rows = list(load_workbook(second_file).active.iter_rows(values_only=True))[1:]
    assert [r[4] for r in rows] == [new]
    # A copy saved now holds the new password only.
    copy = tmp_path / "copy.xlsx"
    file_dialogs.answers.append(str(copy))
    with qtbot.waitSignal(dialog.sig_file_saved, timeout=WAIT):
        dialog.save_list_button.click()
    assert [r[4] for r in list(load_workbook(copy).active.iter_rows(values_only=True))[1:]] == [new]
    assert not _signs_in(demo_database, learner.login, old)
    assert _signs_in(demo_database, learner.login, new)


def test_a_bad_date_of_birth_clears_the_earlier_results(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab, dialog = _dialog(qtbot, demo_database, admin)
    learner = tab.visible_rows()[0]
    qtbot.keyClicks(dialog.surname, learner.surname)
    _find(qtbot, dialog)
    assert dialog.found.rowCount() >= 1
    dialog.choose_all()
    assert dialog.issue_button.isEnabled()
    qtbot.keyClicks(dialog.date_of_birth, "31/02/2013")
    dialog.find_button.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT)
    assert dialog.found.rowCount() == 0 and not dialog.issue_button.isEnabled()
    assert "Find again" in dialog.found_label.text()
