"""Signing in through the window: typing and clicking, wrong passwords kept count of, waits
and locks said in the dialog, a new database's first administrator, a temporary password
replaced straight away, changing one's own password, and signing out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import AuditEntry, Staff, StaffRole
from planit_desktop.model.services.credentials.hashing import verify_password
from planit_desktop.model.services.demo.school import DemoAccount
from planit_desktop.model.services.school import create_school
from planit_desktop.model.services.staff import sign_in as service
from planit_desktop.ui import app as app_module
from planit_desktop.ui.account import passwords
from planit_desktop.ui.account.first_administrator import FirstAdministratorDialog
from planit_desktop.ui.account.sign_in import SignInDialog, ask_sign_in
from tests.support.dialogs import MessageBoxes, answer_modal


def _staff(database: Database, login: str) -> Staff:
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.login == login)).one()
        session.expunge(staff)
        return staff


def _dialog(qtbot: Any, database: Database) -> SignInDialog:
    dialog = SignInDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type_and_click(qtbot: Any, dialog: SignInDialog, login: str, password: str) -> None:
    dialog.login.clear()
    qtbot.keyClicks(dialog.login, login)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.sign_in_button.text() != "Checking…", timeout=10_000)


def test_admin_signs_in_by_typing_and_clicking(qtbot: Any, demo_database: Database) -> None:
    dialog = _dialog(qtbot, demo_database)
    intro = dialog.findChild(QLabel, "what_this_is").text()
    assert "Ask one of the school's Plan-it administrators" in intro
    assert not dialog.sign_in_button.isEnabled()  # nothing typed yet
    _type_and_click(qtbot, dialog, "admin1", "demo-admin-pass")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None
    assert (dialog.actor.login, dialog.actor.role) == ("admin1", StaffRole.ADMINISTRATOR)
    assert dialog.password.text() == ""  # not kept in the widget


def test_a_wrong_password_is_said_in_the_dialog_and_counted(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    dialog = _dialog(qtbot, demo_database)
    _type_and_click(qtbot, dialog, "admin1", "not my password")
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.problem.text() == service.WRONG
    assert message_boxes.shown == []  # in the dialog, not a box
    assert dialog.password.text() == ""
    # Committed even though the sign-in was refused.
    assert _staff(demo_database, "admin1").failed_sign_ins == 1
    with demo_database.read() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "sign_in_failed"


def test_repeated_failures_make_sign_in_wait_with_a_countdown(
    qtbot: Any, demo_database: Database
) -> None:
    dialog = _dialog(qtbot, demo_database)
    for _ in range(service.SLOW_AFTER):
        qtbot.waitUntil(lambda: dialog.waiting == 0, timeout=1000)
        _type_and_click(qtbot, dialog, "supervisor1", "wrong wrong wrong")
    assert dialog.waiting == service.SLOW_SECONDS
    assert "Wait 5 seconds" in dialog.problem.text()
    assert not dialog.sign_in_button.isEnabled()
    assert "wait 5 s" in dialog.sign_in_button.text()
    qtbot.keyClicks(dialog.password, "demo-supervisor-pass")
    assert not dialog.sign_in_button.isEnabled()  # still waiting
    dialog._tick()
    assert "wait 4 s" in dialog.sign_in_button.text()


def test_a_locked_account_says_until_when(qtbot: Any, demo_database: Database) -> None:
    until = datetime.now() + timedelta(minutes=10)
    with demo_database.begin() as session:
        staff = session.scalars(select(Staff).where(Staff.login == "admin2")).one()
        staff.failed_sign_ins, staff.locked_until = service.LOCK_AFTER, until
    dialog = _dialog(qtbot, demo_database)
    _type_and_click(qtbot, dialog, "admin2", "demo-admin-pass")  # right, but locked
    assert dialog.actor is None
    assert "locked" in dialog.problem.text()
    assert until.strftime("%H:%M") in dialog.problem.text()
    assert not dialog.sign_in_button.isEnabled()
    assert "min)" in dialog.sign_in_button.text()


def test_the_first_administrator_of_an_empty_database(qtbot: Any, database: Database) -> None:
    with database.begin() as session:  # as the window does: nobody can sign in yet
        create_school(session, Actor.founder(), name="Riverside Academy", academic_year=2025)
    dialog = FirstAdministratorDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "  Ada   Lovelace ")
    qtbot.keyClicks(dialog.login, "ada lovelace")
    assert "no spaces" in dialog.problem.text()
    dialog.login.clear()
    qtbot.keyClicks(dialog.login, "alovelace")
    qtbot.keyClicks(dialog.password, "short")
    assert "at least 10 characters" in dialog.problem.text()
    qtbot.keyClicks(dialog.password, " but now long")
    qtbot.keyClicks(dialog.again, "short but now lonG")
    assert dialog.problem.text() == passwords.NOT_THE_SAME
    assert not dialog.create_button.isEnabled()
    dialog.again.backspace()
    qtbot.keyClicks(dialog.again, "g")
    assert dialog.problem.text() == ""
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=10_000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.actor.name, dialog.actor.login) == ("Ada Lovelace", "alovelace")
    assert dialog.actor.is_administrator
    with database.read() as session:
        assert not service.needs_first_administrator(session)
        assert service.sign_in(session, "alovelace", "short but now long").ok


def test_a_temporary_password_is_replaced_straight_after_signing_in(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        supervisor = session.scalars(select(Staff).where(Staff.login == "supervisor2")).one()
        temporary = service.reset_password(session, admin, supervisor.id)

    def sign_in(dialog: SignInDialog) -> None:
        dialog.login.setText("supervisor2")
        dialog.password.setText(temporary)
        dialog.try_sign_in()
        answer_modal(passwords.ChangePasswordDialog, choose_new)

    def choose_new(dialog: passwords.ChangePasswordDialog) -> None:
        assert not dialog.current.isVisible()  # just typed: not asked again
        dialog.new.setText("my own supervisor pass")
        dialog.again.setText("my own supervisor pass")
        dialog.save()

    answer_modal(SignInDialog, sign_in)
    actor = ask_sign_in(demo_database)
    assert actor is not None and actor.login == "supervisor2"
    staff = _staff(demo_database, "supervisor2")
    assert not staff.must_change_password
    assert verify_password(staff.password_hash, "my own supervisor pass")


def test_refusing_to_replace_a_temporary_password_does_not_sign_in(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    with demo_database.begin() as session:
        supervisor = session.scalars(select(Staff).where(Staff.login == "supervisor3")).one()
        temporary = service.reset_password(session, admin, supervisor.id)

    def sign_in(dialog: SignInDialog) -> None:
        dialog.login.setText("supervisor3")
        dialog.password.setText(temporary)
        dialog.try_sign_in()
        answer_modal(passwords.ChangePasswordDialog, lambda change: change.reject())

    answer_modal(SignInDialog, sign_in)
    assert ask_sign_in(demo_database) is None


def test_change_my_password_checks_as_typed(
    qtbot: Any, demo_database: Database, demo_accounts: tuple[DemoAccount, ...]
) -> None:
    with demo_database.begin() as session:
        actor = service.sign_in(session, "admin1", "demo-admin-pass").actor
    assert actor is not None
    dialog = passwords.ChangePasswordDialog(demo_database, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.current, "not it at all")
    qtbot.keyClicks(dialog.new, "admin1")
    assert "at least 10" in dialog.problem.text()
    dialog.new.setText("a brand new pass")
    dialog.again.setText("a brand new pass")
    assert dialog.ok_button.isEnabled()
    dialog.save()
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=10_000)
    assert "current password is not right" in dialog.problem.text()
    dialog.current.setText("demo-admin-pass")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
    assert verify_password(_staff(demo_database, "admin1").password_hash, "a brand new pass")


def test_a_reset_password_is_shown_once_with_copy(qtbot: Any, qapp: Any) -> None:
    dialog = passwords.show_password_once(None, "Ada Lovelace", "alovelace", "Kx7pQr9tWz")
    assert dialog.password.text() == "Kx7pQr9tWz"
    assert "will not be shown again" in dialog.findChild(QLabel, "warning").text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "Kx7pQr9tWz"
    dialog.reject()
    assert dialog.password.text() == ""


@pytest.fixture
def application(qtbot: Any, demo_database: Database) -> Any:
    application = app_module.Application()
    qtbot.addWidget(application.window)  # closed and deleted here, on the GUI thread
    yield application
    if application.database is not None:
        application.database.dispose()


def test_start_up_signs_in_through_the_dialog_and_sign_out_asks_again(
    qtbot: Any, application: Any, demo_database: Database
) -> None:
    def as_admin(dialog: SignInDialog) -> None:
        assert dialog.cancel_button.text() == "Quit"
        dialog.login.setText("admin1")
        dialog.password.setText("demo-admin-pass")
        dialog.try_sign_in()

    answer_modal(SignInDialog, as_admin)
    assert application.show(demo_database)
    window = application.window
    assert window.context.actor.login == "admin1"
    assert "Signed in as" in window.account.label.text()
    assert "admin1" in window.account.label.text()

    def as_supervisor(dialog: SignInDialog) -> None:
        assert window.tabs is None  # the school is hidden while nobody is signed in
        dialog.login.setText("supervisor1")
        dialog.password.setText("demo-supervisor-pass")
        dialog.try_sign_in()

    answer_modal(SignInDialog, as_supervisor)
    window.account.sign_out_action.trigger()
    assert window.context.actor.login == "supervisor1"
    assert window.context.database is application.database
    assert application.database is not demo_database  # opened afresh: a new undo history
    assert "supervisor" in window.account.label.text()
    qtbot.waitUntil(lambda: window.current_tab().loaded, timeout=10_000)


def test_cancelling_sign_in_at_start_up_shows_nothing(
    qtbot: Any, application: Any, demo_database: Database
) -> None:
    answer_modal(SignInDialog, lambda dialog: dialog.reject())
    assert not application.show(demo_database)
    assert application.window.tabs is None
    assert application.database is None


def test_exit_when_shown_stops_at_the_sign_in_dialog(
    qapp: Any, monkeypatch: pytest.MonkeyPatch, demo_database: Database
) -> None:
    import sys

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(app_module, "_log_to_file", lambda: None)
    monkeypatch.setenv(app_module.EXIT_WHEN_SHOWN, "sign-in")
    assert app_module.run_gui(str(demo_database.path or demo_database.url)) == 0
    assert _staff(demo_database, "admin1").failed_sign_ins == 0
