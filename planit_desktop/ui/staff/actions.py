"""What an administrator does in the Staff Access tab: each action asks what it must, then
calls its service through ``context.run(..., write=True)``; the tab refreshes itself when
the change (what the service audited) is announced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from planit_desktop.model.errors import PlanitError
from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services.staff import access, sign_in
from planit_desktop.model.services.staff import members as staff
from planit_desktop.ui import ops
from planit_desktop.ui.account.passwords import show_password_once
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.staff.add_staff import AddStaffDialog, NewStaffDetails
from planit_desktop.ui.staff.lost_access import LostAccessDialog

if TYPE_CHECKING:
    from planit_desktop.model.services.staff.access import LostAccessRow
    from planit_desktop.model.services.staff.members import StaffRow

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


#: Asked before an administrator makes themselves a supervisor: it takes effect at once.
DEMOTE_YOURSELF = (
    "Make yourself a supervisor? It takes effect at once, in this window too: you will see "
    "only the learners in the groups assigned to you this year (none until an administrator "
    "gives you some), and can no longer change staff, groups or subjects or run the year "
    "end. Only another administrator can make you an administrator again."
)


class StaffAccessView(Protocol):
    """The Staff Access tab as its actions use it (a QWidget: the parent of their dialogs)."""

    context: AppContext
    lost_access: list[LostAccessRow]

    def selected_rows(self) -> list[StaffRow]: ...

    def select_after_load(self, staff_id: int) -> None: ...

    def assignments_saved(self, result: tuple[list[str], list[str]]) -> None: ...


class _Preview(PlanitError):
    """Carries what a change would do out of a transaction that is then rolled back."""

    def __init__(self, result: Any) -> None:
        super().__init__("preview only")
        self.result = result


def _ask(parent: Any, text: str) -> bool:
    answer = QMessageBox.question(parent, ops.TITLE, text, Yes | No, No)
    return answer == Yes


class StaffActions(QObject):
    """The tab's actions; enabled for administrators only (the services check again)."""

    def __init__(self, tab: StaffAccessView) -> None:
        super().__init__(cast(QWidget, tab))
        self.tab = cast(Any, tab)  # a StaffAccessView, and the QWidget its dialogs belong to
        self.context = tab.context
        self.add = self._action("Add staff…", self.add_staff)
        self.change_role = self._action("Change role…", self.change_role_of_selected)
        self.deactivate = self._action("Deactivate…", self.deactivate_selected)
        self.reactivate = self._action("Reactivate", self.reactivate_selected)
        self.reset = self._action("Reset password…", self.reset_password_of_selected)
        self.restore = self._action("Restore last year's groups…", self.restore_selected)
        self.lost = self._action("Access removed at the last rollover…", self.show_lost_access)
        self.all = (
            self.add,
            self.change_role,
            self.deactivate,
            self.reactivate,
            self.reset,
            self.restore,
            self.lost,
        )

    def _action(self, text: str, slot: Any) -> QAction:
        action = QAction(text, self.tab)
        action.triggered.connect(slot)
        return action

    def _one(self) -> StaffRow | None:
        rows: list[StaffRow] = self.tab.selected_rows()
        if len(rows) != 1:
            ops.show_error(self.tab, "Choose one member of staff in the list first.")
            return None
        return rows[0]

    def update(self, rows: list[StaffRow], administrator: bool) -> None:
        """Enable what fits the selected rows (everything stays off for a supervisor)."""
        one = rows[0] if len(rows) == 1 else None
        self.add.setEnabled(administrator)
        self.change_role.setEnabled(administrator and one is not None and one.active)
        self.deactivate.setEnabled(administrator and one is not None and one.active)
        self.reactivate.setEnabled(administrator and one is not None and not one.active)
        self.reset.setEnabled(administrator and one is not None and one.active)
        self.restore.setEnabled(
            administrator and any(r.active and r.role is StaffRole.SUPERVISOR for r in rows)
        )
        self.lost.setEnabled(administrator)

    # --- staff ---------------------------------------------------------------------------
    @Slot()
    def add_staff(self) -> None:
        """Add staff: the service checks the details (a login name taken, say) before the
        dialog closes, so a refusal is said in it with what was typed kept."""
        dialog = AddStaffDialog(self.tab)
        actor = self.context.actor

        def submitted(details: NewStaffDetails) -> None:
            self.context.run(
                dialog,
                lambda session, _p: staff.add_staff(
                    session,
                    actor,
                    name=details.name,
                    login=details.login,
                    role=details.role,
                    email=details.email,
                ),
                write=True,
                on_success=lambda made: dialog.added(made, details),
                on_failure=lambda error: dialog.show_problem(ops.describe_failure(error)),
            )

        dialog.asks_service = True
        dialog.sig_staff_submitted.connect(submitted)
        dialog.exec()
        made, details = dialog.made, dialog.added_details
        dialog.deleteLater()
        if made is None or details is None:
            return
        self._show_password(made.id, details.name, made.login, made.temporary_password)

    def _show_password(self, staff_id: int, name: str, login: str, password: str | None) -> None:
        self.tab.select_after_load(staff_id)
        if password:
            show_password_once(self.tab, name, login, password)

    @Slot()
    def change_role_of_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        yourself = row.id == self.context.actor.staff_id
        if row.role is StaffRole.ADMINISTRATOR and yourself:
            new, question = StaffRole.SUPERVISOR, DEMOTE_YOURSELF
        elif row.role is StaffRole.ADMINISTRATOR:
            new, question = (
                StaffRole.SUPERVISOR,
                (
                    f"Make {row.name} a supervisor? They will see only the learners in the groups "
                    "assigned to them, and can no longer change staff, groups or subjects or run "
                    "the year end."
                ),
            )
        else:
            new, question = (
                StaffRole.ADMINISTRATOR,
                (
                    f"Make {row.name} an administrator? They will see every learner and can do "
                    "everything, including the year end and managing staff. Their groups this "
                    "year are no longer needed and are taken off them."
                ),
            )
        if not _ask(self.tab, question):
            return
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: staff.change_role(session, actor, row.id, new),
            write=True,
        )

    @Slot()
    def deactivate_selected(self) -> None:
        row = self._one()
        if row is None or not _ask(
            self.tab,
            f"Deactivate {row.name} ({row.login}), who has left? They will no longer be able "
            "to sign in, and their groups this academic year are taken off them. Nothing is "
            "deleted: their name stays in the history, and they can be reactivated later.",
        ):
            return
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: staff.deactivate(session, actor, row.id),
            write=True,
        )

    @Slot()
    def reactivate_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: staff.reactivate(session, actor, row.id),
            write=True,
        )

    @Slot()
    def reset_password_of_selected(self) -> None:
        row = self._one()
        if row is None or not _ask(
            self.tab,
            f"Give {row.name} ({row.login}) a new temporary password? Their present password "
            "stops working at once, and they must choose a new one when they next sign in.",
        ):
            return
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: sign_in.reset_password(session, actor, row.id),
            write=True,
            on_success=lambda password: show_password_once(self.tab, row.name, row.login, password),
        )

    # --- access ---------------------------------------------------------------------------
    def save_assignments(self, staff_id: int, group_ids: set[int]) -> None:
        """The editor's Save: this supervisor's groups this year become exactly these."""
        actor = self.context.actor
        self.context.run(
            self.tab,
            lambda session, _p: access.set_assignments(session, actor, staff_id, group_ids),
            write=True,
            on_success=self.tab.assignments_saved,
        )

    @Slot()
    def restore_selected(self) -> None:
        """Show what would be restored (worked out, then rolled back), and ask first."""
        rows = [r for r in self.tab.selected_rows() if r.active and r.role is StaffRole.SUPERVISOR]
        if not rows:
            ops.show_error(self.tab, "Choose one or more active supervisors in the list first.")
            return
        actor, ids = self.context.actor, [r.id for r in rows]

        def preview(session: Any, _p: ops.Progress) -> None:
            raise _Preview(access.restore_last_years_assignments(session, actor, ids))

        self.context.run(
            self.tab,
            preview,
            write=True,  # worked out for real, then rolled back: the list is exactly right
            on_failure=lambda error: self._confirm_restore(rows, error),
        )

    def _confirm_restore(self, rows: list[StaffRow], error: BaseException) -> None:
        if not isinstance(error, _Preview):
            ops.show_error(self.tab, ops.describe_failure(error))
            return
        restored: dict[int, list[str]] = error.result
        if not any(restored.values()):
            ops.show_error(
                self.tab,
                "There is nothing to restore: the supervisors chosen had no groups last "
                "academic year that they do not have already.",
            )
            return
        lines = [
            f"• {row.name}: {', '.join(restored.get(row.id) or []) or 'nothing to restore'}"
            for row in rows
        ]
        if not _ask(
            self.tab,
            "Give these supervisors the groups they had last academic year?\n\n"
            + "\n".join(lines)
            + "\n\nGroups keep their learners at the year end, so these are the same learners.",
        ):
            return
        actor, ids = self.context.actor, [r.id for r in rows]
        self.context.run(
            self.tab,
            lambda session, _p: access.restore_last_years_assignments(session, actor, ids),
            write=True,
        )

    @Slot()
    def show_lost_access(self) -> None:
        dialog = LostAccessDialog(self.tab.lost_access, self.tab)
        dialog.setObjectName("lost_access")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
