"""A change of the signed-in person's role takes effect in the open window: an administrator
who makes themselves a supervisor (asked first), and a change made elsewhere, seen at the
window's next action or when it looks for changes; the window says what changed."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.model.db import Database
from planit_desktop.model.entities import Staff, StaffRole
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.staff import members as staff
from planit_desktop.ui.learners.tab import NO_GROUPS_YET, LearnersTab
from planit_desktop.ui.main_window import ACCOUNT_ENDED, MainWindow
from planit_desktop.ui.staff.actions import DEMOTE_YOURSELF
from planit_desktop.ui.staff.tab import StaffAccessTab
from tests.support.dialogs import MessageBoxes
from tests.support.ui_staff import open_window_tab, signed_in_staff, staff_row, staff_window

WAIT = 10_000
Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No
NOW_SUPERVISOR = "You are now a supervisor, no longer an administrator"


def _role_changed(qtbot: Any, window: MainWindow, role: StaffRole) -> None:
    qtbot.waitUntil(
        lambda: window.context is not None and window.context.actor.role is role, timeout=WAIT
    )


def test_demoting_yourself_asks_then_takes_effect_in_the_window(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin1", "demo-admin-pass")
    )
    tab = open_window_tab(qtbot, window, StaffAccessTab)
    tab.select_logins("admin1")
    message_boxes.answers.append(No)
    tab.actions_.change_role.trigger()
    assert message_boxes.texts() == [DEMOTE_YOURSELF]  # asked: and No changes nothing
    assert staff_row(demo_database, "admin1").role is StaffRole.ADMINISTRATOR
    message_boxes.answers.append(Yes)
    tab.actions_.change_role.trigger()
    _role_changed(qtbot, window, StaffRole.SUPERVISOR)
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 3, timeout=WAIT)
    assert NOW_SUPERVISOR in message_boxes.texts()[-1]
    assert staff_row(demo_database, "admin1").role is StaffRole.SUPERVISOR
    # The window is a supervisor's now: status bar, buttons, staff row, Learners tab.
    assert "supervisor" in window.account.label.text()
    assert window.statusBar().currentMessage() == "Your role is now supervisor."
    staff_tab = open_window_tab(qtbot, window, StaffAccessTab)
    assert staff_tab is not tab and staff_tab.banner.isVisible()
    assert not staff_tab.actions_.change_role.isEnabled()
    me = next(r for r in staff_tab.model.rows() if r.login == "admin1")
    assert me.role is StaffRole.SUPERVISOR
    learners_tab = open_window_tab(qtbot, window, LearnersTab)
    assert not learners_tab.actions_.correct.isEnabled()
    assert learners_tab.count_label.text() == NO_GROUPS_YET


def test_the_last_administrator_cannot_demote_themselves(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    with demo_database.begin() as session:
        for other in session.scalars(select(Staff).where(Staff.login != "admin1")):
            if other.role is StaffRole.ADMINISTRATOR:
                other.active = False
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin1", "demo-admin-pass")
    )
    tab = open_window_tab(qtbot, window, StaffAccessTab)
    tab.select_logins("admin1")
    message_boxes.answers.append(Yes)
    tab.actions_.change_role.trigger()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=WAIT)
    kind, text = message_boxes.shown[-1]
    assert kind == "warning" and "last active administrator" in text
    assert window.context is not None and window.context.actor.is_administrator
    assert staff_row(demo_database, "admin1").role is StaffRole.ADMINISTRATOR


def _made_supervisor_elsewhere(database: Database, login: str) -> None:
    """Another administrator, at another computer (or the command line), changes the role."""
    other = signed_in_staff(database, "admin1", "demo-admin-pass")
    with database.begin() as session:
        staff_id = session.scalars(select(Staff.id).where(Staff.login == login)).one()
        staff.change_role(session, other, staff_id, StaffRole.SUPERVISOR)


def test_a_role_changed_elsewhere_takes_effect_at_the_next_action(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin2", "demo-admin-pass")
    )
    tab = open_window_tab(qtbot, window, StaffAccessTab)
    _made_supervisor_elsewhere(demo_database, "admin2")
    assert window.context is not None and window.context.actor.is_administrator  # not seen yet
    tab.select_logins("supervisor3")
    message_boxes.answers.append(Yes)
    tab.actions_.deactivate.trigger()  # refused by the service: admin2 is a supervisor now
    _role_changed(qtbot, window, StaffRole.SUPERVISOR)
    qtbot.waitUntil(lambda: any(NOW_SUPERVISOR in t for t in message_boxes.texts()), timeout=WAIT)
    assert any("Only administrators can" in t for t in message_boxes.texts())
    assert staff_row(demo_database, "supervisor3").active
    assert "supervisor" in window.account.label.text()


@pytest.mark.parametrize("change", ["made a supervisor", "deactivated"])
def test_a_role_changed_elsewhere_is_seen_by_the_watcher(
    qtbot: Any,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
    change: str,
) -> None:
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin2", "demo-admin-pass")
    )
    open_window_tab(qtbot, window, StaffAccessTab)
    assert window.watcher is not None
    watcher = window.watcher
    qtbot.waitUntil(lambda: watcher._stamp is not None and not watcher._checking, timeout=WAIT)
    if change == "deactivated":
        other = signed_in_staff(demo_database, "admin1", "demo-admin-pass")
        with demo_database.begin() as session:
            staff_id = session.scalars(select(Staff.id).where(Staff.login == "admin2")).one()
            staff.deactivate(session, other, staff_id)
    else:
        _made_supervisor_elsewhere(demo_database, "admin2")
    with qtbot.waitSignal(watcher.sig_checked, timeout=WAIT):
        watcher.check()
    if change == "deactivated":
        qtbot.waitUntil(lambda: window.context is None, timeout=WAIT)
        assert ACCOUNT_ENDED in message_boxes.texts()
    else:
        _role_changed(qtbot, window, StaffRole.SUPERVISOR)
        qtbot.waitUntil(lambda: any(NOW_SUPERVISOR in t for t in message_boxes.texts()))


def test_the_last_administrator_cannot_be_demoted_or_deactivated_by_the_service(
    demo_database: Database,
) -> None:
    admin = signed_in_staff(demo_database, "admin1", "demo-admin-pass")
    with demo_database.begin() as session:
        for other in session.scalars(select(Staff).where(Staff.login != "admin1")):
            if other.role is StaffRole.ADMINISTRATOR:
                staff.change_role(session, admin, other.id, StaffRole.SUPERVISOR)
    assert admin.staff_id is not None
    for attempt in (
        lambda s: staff.change_role(s, admin, admin.staff_id, StaffRole.SUPERVISOR),
        lambda s: staff.deactivate(s, admin, admin.staff_id),
    ):
        with pytest.raises(Refused, match="last active administrator"):
            with demo_database.begin() as session:
                attempt(session)
    assert staff_row(demo_database, "admin1").role is StaffRole.ADMINISTRATOR
    assert staff_row(demo_database, "admin1").active
