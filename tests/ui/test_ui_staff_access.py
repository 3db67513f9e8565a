"""The Staff Access tab on the demo school: adding staff, roles, leavers, passwords, ticking a
supervisor's groups, restoring last year's after a rollover, and what a supervisor sees."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Staff, StaffRole
from planit_desktop.model.services.groups import listing as groups
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.staff import access
from planit_desktop.model.services.staff import members as staff
from planit_desktop.model.services.staff import sign_in as sign_in_service
from planit_desktop.model.services.year_end import apply_rollover
from planit_desktop.ui.account.passwords import ShownOncePasswordDialog
from planit_desktop.ui.common.roles import explain_unavailable
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.learners.tab import LearnersTab
from planit_desktop.ui.staff.add_staff import AddStaffDialog
from planit_desktop.ui.staff.editor import GroupChecklistModel
from planit_desktop.ui.staff.lost_access import LostAccessDialog, LostAccessModel
from planit_desktop.ui.staff.tab import StaffAccessTab
from tests.support.dialogs import MessageBoxes, answer_modal
from tests.support.ui_staff import open_window_tab, signed_in_staff, staff_row, staff_window

Yes = QMessageBox.StandardButton.Yes


@pytest.fixture
def tab(qtbot: Any, demo_database: Database) -> Iterator[StaffAccessTab]:
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin1", "demo-admin-pass")
    )
    yield open_window_tab(qtbot, window, StaffAccessTab)


def _reloaded(qtbot: Any, tab: StaffAccessTab, action: Callable[[], object]) -> None:
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=10_000):
        action()


def test_lists_staff_and_counts_supervisors_without_groups(
    qtbot: Any, tab: StaffAccessTab, demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        missing = access.supervisors_without_groups(session, admin)
        everyone = staff.list_staff(session, admin)
    assert missing  # the demo leaves its last supervisor without groups
    assert tab.model.rowCount() == len(everyone)
    assert f" {len(missing)} supervisor" in tab.summary.text()
    source = tab.model.rows().index(next(r for r in tab.model.rows() if r.id == missing[0].id))
    assert tab.model.index(source, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert not tab.banner.isVisible()
    assert all(tab.toolbar.widgetForAction(a).isVisible() for a in tab.actions_.all)


def test_add_staff_shows_the_temporary_password_once(
    qtbot: Any, tab: StaffAccessTab, demo_database: Database
) -> None:
    def fill(dialog: AddStaffDialog) -> None:
        qtbot.keyClicks(dialog.name, "Grace Hopper")
        qtbot.keyClicks(dialog.login, "g hopper")
        assert "no spaces" in dialog.problem.text()
        assert not dialog.ok_button.isEnabled()
        dialog.login.setText("ghopper")
        assert dialog.ok_button.isEnabled()
        dialog.accept()

    answer_modal(AddStaffDialog, fill)
    _reloaded(qtbot, tab, tab.actions_.add.trigger)
    qtbot.waitUntil(lambda: tab.findChild(ShownOncePasswordDialog) is not None)
    shown = tab.findChild(ShownOncePasswordDialog)
    password = shown.password.text()
    assert len(password) >= 10
    shown.reject()
    row = staff_row(demo_database, "ghopper")
    assert (row.name, row.role, row.active) == ("Grace Hopper", StaffRole.SUPERVISOR, True)
    assert [r.login for r in tab.selected_rows()] == ["ghopper"]
    with demo_database.begin() as session:
        result = sign_in_service.sign_in(session, "ghopper", password)
    assert result.ok and result.must_change_password


def test_change_role_after_confirming(
    qtbot: Any,
    tab: StaffAccessTab,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab.select_logins("supervisor1")
    message_boxes.answers.append(Yes)
    _reloaded(qtbot, tab, tab.actions_.change_role.trigger)
    assert "an administrator?" in message_boxes.texts()[0]
    row = staff_row(demo_database, "supervisor1")
    assert row.role is StaffRole.ADMINISTRATOR and row.groups == ()
    assert [r.login for r in tab.selected_rows()] == ["supervisor1"]


def test_deactivate_a_leaver_and_the_last_administrator_refused(
    qtbot: Any,
    tab: StaffAccessTab,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab.select_logins("supervisor2")
    message_boxes.answers.append(Yes)
    _reloaded(qtbot, tab, tab.actions_.deactivate.trigger)
    assert "Nothing is deleted" in message_boxes.texts()[0]
    assert not staff_row(demo_database, "supervisor2").active
    assert tab.actions_.reactivate.isEnabled() and not tab.actions_.deactivate.isEnabled()
    # With admin1 the only administrator left, deactivating them is refused in words.
    with demo_database.begin() as session:
        for login in ("admin2",):
            other = session.scalars(select(Staff).where(Staff.login == login)).one()
            other.active = False
    _reloaded(qtbot, tab, lambda: tab.context.events.announce({"staff"}))
    tab.select_logins("admin1")
    message_boxes.answers.append(Yes)
    tab.actions_.deactivate.trigger()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 3, timeout=10_000)
    kind, text = message_boxes.shown[-1]
    assert kind == "warning" and "last active administrator" in text
    assert staff_row(demo_database, "admin1").active


def test_tick_a_supervisors_groups_and_save(
    qtbot: Any, tab: StaffAccessTab, demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        loner = access.supervisors_without_groups(session, admin)[0]
        all_groups = groups.list_groups(session, admin)
    tab.select_logins(loner.login)
    editor = tab.editor
    assert editor.supervisor is not None and editor.supervisor.id == loner.id
    assert editor.model.checked_ids() == set()
    assert not editor.save_button.isEnabled()
    qtbot.keyClicks(editor.search, "y9")
    shown = {editor.proxy.index(r, 0).data(Role.ID) for r in range(editor.proxy.rowCount())}
    assert shown == {g.id for g in all_groups if "y9" in g.name.casefold()}
    qtbot.mouseClick(editor.select_all, Qt.MouseButton.LeftButton)
    editor.search.clear()
    first = editor.proxy.index(0, 0)
    editor.proxy.setData(first, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    wanted = shown | {first.data(Role.ID)}
    assert editor.model.checked_ids() == wanted and editor.dirty
    _reloaded(qtbot, tab, lambda: qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton))
    with demo_database.read() as session:
        mine = {g.id for g in groups.list_groups(session, _actor_of(session, loner.id))}
    assert mine == wanted
    qtbot.waitUntil(lambda: editor.status.text().startswith("Saved: given"))
    assert not editor.dirty
    assert not any(r.id == loner.id for r in _missing(demo_database, admin))


def _actor_of(session: Any, staff_id: int) -> Actor:
    member = session.get(Staff, staff_id)
    return Actor(member.login, member.name, member.role, member.id)


def _missing(database: Database, admin: Actor) -> list[staff.StaffRow]:
    with database.read() as session:
        return access.supervisors_without_groups(session, admin)


def test_restore_last_years_groups_after_a_rollover(
    qtbot: Any,
    tab: StaffAccessTab,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    before = {r.login: r.groups for r in tab.model.rows() if r.groups}
    with demo_database.begin() as session:
        apply_rollover(session, admin, today=date(2026, 5, 1), allow_early=True)
    _reloaded(qtbot, tab, lambda: tab.context.events.announce({"rollover"}))
    assert tab.lost_label.isVisible() and "lost access" in tab.lost_label.text()
    tab.actions_.lost.trigger()
    lost = tab.findChild(LostAccessDialog)
    shown = {(lost.model.index(r, 1).data(), lost.model.index(r, 2).data())
             for r in range(lost.model.rowCount())}  # fmt: skip
    assert shown == {(login, g) for login, names in before.items() for g in names}
    lost.reject()

    chosen = sorted(before)[:2]
    tab.select_logins(*chosen)
    message_boxes.answers.append(Yes)
    _reloaded(qtbot, tab, tab.actions_.restore.trigger)
    question = message_boxes.texts()[0]
    for login in chosen:
        assert ", ".join(before[login]) in question
    after = {r.login: r.groups for r in tab.model.rows()}
    assert {login: after[login] for login in chosen} == {login: before[login] for login in chosen}
    assert all(not after[login] for login in sorted(before)[2:])


def test_restore_declined_changes_nothing(
    qtbot: Any,
    tab: StaffAccessTab,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    with demo_database.begin() as session:
        apply_rollover(session, admin, today=date(2026, 5, 1), allow_early=True)
    _reloaded(qtbot, tab, lambda: tab.context.events.announce({"rollover"}))
    tab.select_logins("supervisor1")
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    tab.actions_.restore.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes.shown), timeout=10_000)
    assert staff_row(demo_database, "supervisor1").groups == ()


def test_reset_password_shows_it_once(
    qtbot: Any,
    tab: StaffAccessTab,
    demo_database: Database,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    tab.select_logins("supervisor1")
    message_boxes.answers.append(Yes)
    tab.actions_.reset.trigger()
    qtbot.waitUntil(lambda: tab.findChild(ShownOncePasswordDialog) is not None, timeout=10_000)
    dialog = tab.findChild(ShownOncePasswordDialog)
    password = dialog.password.text()
    dialog.reject()
    with demo_database.begin() as session:
        assert not sign_in_service.sign_in(session, "supervisor1", "demo-supervisor-pass").ok
        assert sign_in_service.sign_in(session, "supervisor1", password).must_change_password


def test_a_supervisor_sees_only_their_learners_and_no_staff_actions(
    qtbot: Any, demo_database: Database
) -> None:
    actor = signed_in_staff(demo_database, "supervisor1", "demo-supervisor-pass")
    window = staff_window(qtbot, demo_database, actor)
    learners = open_window_tab(qtbot, window, LearnersTab)
    with demo_database.read() as session:
        theirs = {row.id for row in list_learners(session, actor)}
        everyone = {row.id for row in list_learners(session, _signed_admin(demo_database))}
    assert theirs and theirs < everyone
    assert {row.id for row in learners.model.rows()} == theirs

    tab = open_window_tab(qtbot, window, StaffAccessTab)
    reason = explain_unavailable(actor, "change staff access")
    assert reason == (
        "Only administrators can change staff access. You are signed in as a supervisor."
    )
    assert tab.banner.isVisible() and tab.banner.text() == reason
    for action in tab.actions_.all:
        button = tab.toolbar.widgetForAction(action)
        assert not action.isEnabled() and not button.isEnabled()
        assert button.toolTip() == reason
    assert not tab.editor.isVisible()
    assert not tab.lost_label.isVisible()
    assert tab.model.rowCount() > 0  # colleagues' names and roles are not secret


def _signed_admin(database: Database) -> Actor:
    return signed_in_staff(database, "admin1", "demo-admin-pass")


def test_item_models_pass_the_model_tester(
    qtmodeltester: Any, tab: StaffAccessTab, demo_database: Database, admin: Actor
) -> None:
    qtmodeltester.check(tab.model)
    tab.select_logins("supervisor1")
    qtmodeltester.check(tab.editor.model)
    checklist = GroupChecklistModel()
    qtmodeltester.check(checklist)
    with demo_database.begin() as session:
        apply_rollover(session, admin, today=date(2026, 5, 1), allow_early=True)
    with demo_database.read() as session:
        lost = access.access_lost_at_last_rollover(session, admin)
    model = LostAccessModel()
    model.set_rows(lost)
    qtmodeltester.check(model)
