"""Add staff asks the service before the dialog closes: a login name already taken is said in
the dialog, and what was typed is kept to be corrected."""

from __future__ import annotations

from typing import Any

from planit_desktop.model.db import Database
from planit_desktop.model.entities import StaffRole
from planit_desktop.ui.account.passwords import ShownOncePasswordDialog
from planit_desktop.ui.staff.add_staff import AddStaffDialog
from planit_desktop.ui.staff.tab import StaffAccessTab
from tests.support.dialogs import answer_modal
from tests.support.ui_staff import open_window_tab, signed_in_staff, staff_row, staff_window


def test_a_login_name_taken_is_said_in_the_dialog_with_what_was_typed_kept(
    qtbot: Any, demo_database: Database
) -> None:
    window = staff_window(
        qtbot, demo_database, signed_in_staff(demo_database, "admin1", "demo-admin-pass")
    )
    tab = open_window_tab(qtbot, window, StaffAccessTab)
    seen: dict[str, Any] = {}

    def fill(dialog: AddStaffDialog) -> None:
        qtbot.keyClicks(dialog.name, "Grace Hopper")
        qtbot.keyClicks(dialog.login, "supervisor1")  # taken
        qtbot.keyClicks(dialog.email, "grace@example.org")
        dialog.role.setCurrentIndex(dialog.role.findData(StaffRole.ADMINISTRATOR))
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: "already used" in dialog.problem.text(), timeout=10_000)
        seen["problem"] = dialog.problem.text()
        seen["kept"] = (dialog.name.text(), dialog.login.text(), dialog.email.text(),
                        dialog.role.currentData(), dialog.isVisible())  # fmt: skip
        dialog.login.setText("ghopper")
        dialog.ok_button.click()

    answer_modal(AddStaffDialog, fill)
    tab.actions_.add.trigger()
    assert "The login name “supervisor1” is already used by" in seen["problem"]
    assert seen["kept"] == (
        "Grace Hopper", "supervisor1", "grace@example.org", StaffRole.ADMINISTRATOR, True
    )  # fmt: skip
    qtbot.waitUntil(lambda: tab.findChild(ShownOncePasswordDialog) is not None, timeout=10_000)
    tab.findChild(ShownOncePasswordDialog).reject()
    row = staff_row(demo_database, "ghopper")
    assert (row.name, row.email, row.role) == (
        "Grace Hopper", "grace@example.org", StaffRole.ADMINISTRATOR
    )  # fmt: skip
