"""In the window, a supervisor with no groups uses the learner site's two in-class functions:
Create New User and Forgotten Password, each with their own password (a wrong one refused),
both audited; and an administrator's Create New User asks before a new group or a year that
does not fit the learner's age."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Group, Learner, LearnerStatus
from planit_desktop.model.services.credentials.learner_site import learner_sign_in
from planit_desktop.model.services.school import get_school
from planit_desktop.ui.learners.forgotten import ForgottenPasswordDialog
from planit_desktop.ui.learners.quick_create import LearnerPasswordDialog, QuickCreateDialog
from planit_desktop.ui.learners.tab import NO_GROUPS_YET, LearnersTab
from tests.support.dialogs import FileDialogs, MessageBoxes
from tests.support.sign_in import TEST_SUPERVISOR_PASSWORD
from tests.support.ui_learners import open_tab

WAIT = 10_000
Yes = QMessageBox.StandardButton.Yes


def _wait_for(qtbot: Any, tab: LearnersTab, kind: type) -> Any:
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, kind), timeout=WAIT)
    return tab.actions_.dialog


def _audited(database: Database, login: str, action: str) -> list[str | None]:
    with database.read() as session:
        return list(
            session.scalars(
                select(AuditEntry.detail)
                .where(AuditEntry.actor == login, AuditEntry.action == action)
                .order_by(AuditEntry.id)
            )
        )


def _academic_year(database: Database) -> int:
    with database.read() as session:
        return get_school(session).academic_year


def test_a_supervisor_with_no_groups_creates_a_learner_in_class(
    qtbot: Any, demo_database: Database, supervisor_actor: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, supervisor_actor)
    assert tab.count_label.text() == NO_GROUPS_YET  # says why the list is empty
    assert tab.actions_.create.isEnabled() and tab.actions_.forgotten.isEnabled()
    tab.actions_.create.trigger()
    dialog = _wait_for(qtbot, tab, QuickCreateDialog)
    assert dialog.no_groups.isVisible() and dialog.tutor_group.count() == 0
    year = _academic_year(demo_database)
    qtbot.keyClicks(dialog.first_names, "Nora")
    qtbot.keyClicks(dialog.surname, "Nogroup")
    qtbot.keyClicks(dialog.date_of_birth, f"05/11/{year - 12}")  # fits Year 7
    qtbot.keyClicks(dialog.staff_password, "not my password")
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT)
    assert "Your password is not right" in dialog.problem.text() and dialog.isVisible()
    assert _audited(demo_database, supervisor_actor.login, "refused") == [
        "create a learner in class: wrong staff password"
    ]
    dialog.staff_password.clear()
    qtbot.keyClicks(dialog.staff_password, TEST_SUPERVISOR_PASSWORD)
    dialog.ok_button.click()
    shown = _wait_for(qtbot, tab, LearnerPasswordDialog)
    password = shown.password.text()
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=WAIT):
        shown.reject()  # closing, having seen it, stores it
    # Seen by the supervisor, though in no group, until an administrator checks them.
    qtbot.waitUntil(lambda: any(r.surname == "Nogroup" for r in tab.model.rows()), timeout=WAIT)
    (row,) = tab.model.rows()
    assert row.needs_check and row.groups == ()
    assert tab.count_label.text() == "1 of 1 learner"
    with demo_database.begin() as session:
        assert learner_sign_in(session, row.login, password).must_choose_new_password
    assert _audited(demo_database, supervisor_actor.login, "learner_quick_created") == [
        "created in class"
    ]


def test_a_supervisor_with_no_groups_gives_a_forgotten_password_with_a_slip(
    qtbot: Any,
    demo_database: Database,
    supervisor_actor: Actor,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    with demo_database.read() as session:
        login = session.scalars(
            select(Learner.login).where(Learner.status == LearnerStatus.ON_ROLL).limit(1)
        ).one()
    tab = open_tab(qtbot, demo_database, supervisor_actor)
    tab.actions_.forgotten.trigger()
    dialog = _wait_for(qtbot, tab, ForgottenPasswordDialog)
    qtbot.keyClicks(dialog.login, login)
    assert not dialog.surname.isEnabled()  # a login name finds the learner alone
    qtbot.keyClicks(dialog.staff_password, "guess")
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.problem.isVisible, timeout=WAIT)
    assert "Your password is not right" in dialog.problem.text()
    dialog.staff_password.clear()
    qtbot.keyClicks(dialog.staff_password, TEST_SUPERVISOR_PASSWORD)
    dialog.ok_button.click()
    shown = _wait_for(qtbot, tab, LearnerPasswordDialog)
    assert login in shown.intro.text()  # who it is for, and nobody else
    password = shown.password.text()
    target = tmp_path / "slip.pdf"
    file_dialogs.answers.append(str(target))
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=WAIT):
        shown.slip_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    shown.reject()
    with demo_database.begin() as session:
        outcome = learner_sign_in(session, login, password)
    assert outcome.signed_in and outcome.must_choose_new_password
    assert _audited(demo_database, supervisor_actor.login, "refused") == [
        "give a learner a forgotten password: wrong staff password"
    ]
    (given,) = _audited(demo_database, supervisor_actor.login, "learner_temporary_password")
    assert given is not None and given.startswith("Forgotten Password")
    assert _audited(demo_database, supervisor_actor.login, "file_written")  # the slip


def test_an_administrator_is_asked_before_a_new_group_and_an_unlikely_year(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    from tests.support.sign_in import DEMO_ADMINISTRATOR

    tab = open_tab(qtbot, demo_database, admin)
    tab.actions_.create.trigger()
    dialog = _wait_for(qtbot, tab, QuickCreateDialog)
    year = _academic_year(demo_database)
    qtbot.keyClicks(dialog.first_names, "Tess")
    qtbot.keyClicks(dialog.surname, "Typo")
    qtbot.keyClicks(dialog.date_of_birth, f"05/11/{year - 10}")  # Year 5 age
    dialog.year_group.setCurrentIndex(dialog.year_group.findData(9))
    dialog.tutor_group.setCurrentText("7Z")
    qtbot.keyClicks(dialog.staff_password, DEMO_ADMINISTRATOR[1])
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    dialog.ok_button.click()
    (asked,) = message_boxes.texts()
    assert "no tutor group “7Z”" in asked and "would usually be in Year 5, not Year 9" in asked
    assert dialog.isVisible() and dialog.ok_button.isEnabled()  # nothing sent, all kept
    assert dialog.first_names.text() == "Tess"
    with demo_database.read() as session:
        assert not session.scalar(select(func.count()).where(Group.name == "7Z"))
        assert not session.scalar(select(func.count()).where(Learner.surname == "Typo"))
    message_boxes.answers.append(Yes)
    dialog.ok_button.click()
    shown = _wait_for(qtbot, tab, LearnerPasswordDialog)
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=WAIT):
        shown.reject()
    with demo_database.read() as session:
        assert session.scalar(select(func.count()).where(Group.name == "7Z")) == 1


def test_an_administrator_gives_any_learner_a_new_temporary_password_delivered_or_never(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    from planit_desktop.model.services.credentials.learner_passwords import issue_temporary_password
    from planit_desktop.ui.importing.passwords import KEEP_SAFE

    assert "New temporary password… in the Learners tab" in KEEP_SAFE  # what it promises
    tab = open_tab(qtbot, demo_database, admin)
    learner = next(r for r in tab.visible_rows() if r.status is LearnerStatus.ON_ROLL)
    with demo_database.begin() as session:
        old = issue_temporary_password(session, admin, learner.id)
    tab.select_learners([learner.id])
    assert tab.actions_.new_password.isEnabled()
    tab.actions_.new_password.trigger()
    shown = _wait_for(qtbot, tab, LearnerPasswordDialog)
    new = shown.password.text()
    with demo_database.begin() as session:  # shown, not delivered: the old one still works
        assert learner_sign_in(session, learner.login, old).signed_in
        assert not learner_sign_in(session, learner.login, new).signed_in
    target = tmp_path / "new-password.pdf"
    file_dialogs.answers.append(str(target))
    with qtbot.waitSignal(shown.sig_password_delivered, timeout=WAIT):
        shown.slip_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    shown.reject()
    with demo_database.begin() as session:
        assert not learner_sign_in(session, learner.login, old).signed_in
        assert learner_sign_in(session, learner.login, new).must_choose_new_password
    assert len(_audited(demo_database, admin.login, "learner_temporary_password")) == 2
