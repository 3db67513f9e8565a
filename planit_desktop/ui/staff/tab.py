"""The Staff Access tab: staff, their roles, and the groups supervisors may see this year.

Administrators add staff, change roles, deactivate leavers, reset passwords and tick each
supervisor's groups; supervisors see the list and are told why they cannot change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
)

from planit_desktop.model.kinds import StaffRole, TabTitle
from planit_desktop.model.services.groups.listing import GroupRow, list_groups
from planit_desktop.model.services.staff.access import LostAccessRow, access_lost_at_last_rollover
from planit_desktop.model.services.staff.members import StaffRow, list_staff
from planit_desktop.ui import events
from planit_desktop.ui.common.action_rows import ActionRows
from planit_desktop.ui.common.data_tab import DataTab
from planit_desktop.ui.common.roles import RoleBanner, disable_with_reason, explain_unavailable
from planit_desktop.ui.common.table_model import Role, SnapshotProxy
from planit_desktop.ui.groups.tab import make_table
from planit_desktop.ui.ops import TITLE, Progress
from planit_desktop.ui.staff.actions import StaffActions
from planit_desktop.ui.staff.editor import CHOOSE_ONE, AssignmentEditor
from planit_desktop.ui.staff.lost_access import lost_access_summary
from planit_desktop.ui.staff.table import StaffTableModel

WHAT = "change staff access"


@dataclass(frozen=True)
class StaffAccessData:
    """What the tab shows: staff, every group (administrators), and last rollover's losses."""

    staff: list[StaffRow]
    groups: list[GroupRow]
    lost: list[LostAccessRow]


def no_groups_text(count: int) -> str:
    """The line at the top: how many active supervisors have no groups this year."""
    if not count:
        return "Every active supervisor has groups this academic year."
    return (
        f"{count:,} supervisor{' has' if count == 1 else 's have'} no groups this academic "
        "year and cannot see any learners (highlighted)."
    )


class StaffAccessTab(DataTab):
    title = TabTitle.STAFF_ACCESS
    explanation = (
        "Staff who use Plan-it, their roles and the groups each supervisor may see this "
        "academic year. Supervisors lose their groups at the year end; those with none are "
        "highlighted. Choose a supervisor to tick their groups."
    )
    kinds = frozenset({events.STAFF, events.GROUPS, events.ROLLOVER, events.SCHOOL})

    def build(self, layout: QVBoxLayout) -> None:
        actor = self.context.actor
        self.can_change = actor.is_administrator
        self.lost_access: list[LostAccessRow] = []
        self.groups: list[GroupRow] = []
        self._select_ids: set[int] = set()
        self.banner = RoleBanner(actor, WHAT)
        self.model = StaffTableModel(self)
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy)
        self.table.setAccessibleName("Staff")
        self.table.setAccessibleDescription(
            "Every member of staff: name, login, role, whether active, and their groups this year."
            " A tinted row is a supervisor with no groups."
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.summary = QLabel()
        self.summary.setObjectName("no_groups")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold;")
        self.lost_label = QLabel()
        self.lost_label.setWordWrap(True)
        self.actions_ = StaffActions(self)
        # Two rows, so every action shows at the window's default size (none behind "»").
        acts = self.actions_
        self.toolbar = ActionRows(
            (
                (
                    "Actions on the selected member of staff",
                    (acts.change_role, acts.deactivate, acts.reactivate, acts.reset, acts.restore),
                ),
                ("Actions on all staff", (acts.add, acts.lost)),
            )
        )
        self.editor = AssignmentEditor()
        self.editor.sig_save_requested.connect(self.actions_.save_assignments)
        self.editor.setVisible(self.can_change)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.editor)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.lost_label)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.editor.search.setFocus())
        self._update_actions()

    # --- loading ---------------------------------------------------------------------------
    def load(self, session: Any, progress: Progress) -> StaffAccessData:
        actor = self.context.actor
        rows = list_staff(session, actor)
        if not actor.is_administrator:
            return StaffAccessData(rows, [], [])  # the services refuse the rest, rightly
        return StaffAccessData(
            rows, list_groups(session, actor), access_lost_at_last_rollover(session, actor)
        )

    def show_data(self, data: StaffAccessData) -> None:
        keep = self._select_ids or {row.id for row in self.selected_rows()}
        self._select_ids = set()
        self.groups, self.lost_access = data.groups, data.lost
        self.model.set_rows(data.staff)
        self.table.resizeColumnsToContents()
        active = sum(1 for row in data.staff if row.active)
        missing = self.model.supervisors_without_groups()
        self.summary.setText(f"{active:,} active staff. {no_groups_text(missing)}")
        self.lost_label.setText(lost_access_summary(data.lost) if self.can_change else "")
        self.lost_label.setVisible(self.can_change and bool(data.lost))
        self._select(keep)
        self._show_in_editor()

    def select_after_load(self, staff_id: int) -> None:
        """Select ``staff_id`` once the list is next reloaded (a member just added)."""
        self._select_ids = {staff_id}

    def _select(self, staff_ids: set[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(Role.ID) in staff_ids:
                selection.select(index, flags)
                self.table.scrollTo(index)

    # --- selection -------------------------------------------------------------------------
    def selected_rows(self) -> list[StaffRow]:
        """The staff rows selected, in the order shown."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.proxy.row_at(row) for row in sorted(rows)]

    def select_logins(self, *logins: str) -> None:
        """Select the members of staff with these login names (tests and links)."""
        wanted = {row.id for row in self.model.rows() if row.login in logins}
        self._select(wanted)

    @Slot()
    def _on_selection_changed(self) -> None:
        editing = self.editor.supervisor
        if editing is not None and self.editor.dirty:
            rows = self.selected_rows()
            if not (len(rows) == 1 and rows[0].id == editing.id) and self._save_first(editing):
                self.actions_.save_assignments(editing.id, self.editor.model.checked_ids())
        self._update_actions()
        self._show_in_editor()

    def _save_first(self, editing: StaffRow) -> bool:
        answer = QMessageBox.question(
            self,
            TITLE,
            f"Save the changes to {editing.name}'s groups first?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _update_actions(self) -> None:
        self.actions_.update(self.selected_rows(), self.can_change)
        disable_with_reason(
            [w for a in self.actions_.all if (w := self.toolbar.widgetForAction(a)) is not None],
            explain_unavailable(self.context.actor, WHAT),
        )

    def _show_in_editor(self) -> None:
        if not self.can_change:
            return
        rows = self.selected_rows()
        row = rows[0] if len(rows) == 1 else None
        if row is None:
            self.editor.show_supervisor(None, [], CHOOSE_ONE)
        elif not row.active:
            self.editor.show_supervisor(
                None, [], f"{row.name} is deactivated; reactivate them to give them groups."
            )
        elif row.role is StaffRole.ADMINISTRATOR:
            self.editor.show_supervisor(
                None, [], f"{row.name} is an administrator and sees every group."
            )
        elif self.editor.supervisor is None or self.editor.supervisor != row:
            self.editor.show_supervisor(row, self.groups)

    def assignments_saved(self, result: tuple[list[str], list[str]]) -> None:
        added, ended = result
        parts = []
        if added:
            parts.append("given " + ", ".join(added))
        if ended:
            parts.append("no longer " + ", ".join(ended))
        self.editor.status.setText(("Saved: " + "; ".join(parts) + ".") if parts else "Saved.")
