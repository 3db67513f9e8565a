"""The Groups tab: every group with its learners on roll, and the members of the one chosen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from planit_desktop.model.services.groups import GroupRow, MemberRow, group_members, list_groups
from planit_desktop.ui import events
from planit_desktop.ui.ops import Progress, describe_failure
from planit_desktop.ui.tables.base import Role, SnapshotProxy
from planit_desktop.ui.tables.groups import GroupTableModel, MemberTableModel
from planit_desktop.ui.tabs.base import DataTab

PICK_A_GROUP = "Choose a group to see its members."


def make_table(model: QSortFilterProxyModel) -> QTableView:
    """A read-only, row-selecting, sortable table as every tab shows them."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    # Rows arrive in the service's order; sorting starts when a heading is clicked.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    return table


class GroupsTab(DataTab):
    title = "Groups"
    explanation = (
        "Every tutor and Plan-it group with its learners on roll. Choose a group to see "
        "who is in it. Groups keep their names and members at the year end."
    )
    kinds = frozenset({events.GROUPS, events.LEARNERS, events.STAFF, events.ROLLOVER})

    #: The members of the chosen group are on screen (after each load).
    sig_members_loaded = Signal()

    def build(self, layout: QVBoxLayout) -> None:
        self.groups_model = GroupTableModel(self)
        self.groups_proxy = SnapshotProxy(self)
        self.groups_proxy.setSourceModel(self.groups_model)
        self.members_model = MemberTableModel(self)
        self.members_proxy = SnapshotProxy(self)
        self.members_proxy.setSourceModel(self.members_model)

        self.groups_table = make_table(self.groups_proxy)
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_table = make_table(self.members_proxy)
        self.members_title = QLabel(PICK_A_GROUP)
        self.members_title.setWordWrap(True)

        members = QWidget()
        members_layout = QVBoxLayout(members)
        members_layout.setContentsMargins(0, 0, 0, 0)
        members_layout.addWidget(self.members_title)
        members_layout.addWidget(self.members_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("groups_splitter")
        self.splitter.addWidget(self.groups_table)
        self.splitter.addWidget(members)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)

        self.selected_group_id: int | None = None
        self._members_generation = 0
        self.groups_table.selectionModel().selectionChanged.connect(self._on_group_selected)

    def load(self, session: Any, progress: Progress) -> list[GroupRow]:
        return list_groups(session, self.context.actor)

    def show_data(self, data: list[GroupRow]) -> None:
        keep = self.selected_group_id
        self.groups_model.set_rows(data)
        self.groups_table.resizeColumnsToContents()
        if keep is not None and not self.select_group(keep):
            self.selected_group_id = None
            self.members_model.set_rows([])
            self.members_title.setText(PICK_A_GROUP)

    def select_group(self, group_id: int) -> bool:
        """Select the group with ``group_id``, showing its members; False if it is not listed."""
        for row in range(self.groups_proxy.rowCount()):
            index = self.groups_proxy.index(row, 0)
            if index.data(Role.ID) == group_id:
                self.groups_table.clearSelection()
                self.groups_table.selectRow(row)
                self._load_members(group_id)
                return True
        return False

    def selected_group(self) -> GroupRow | None:
        rows = self.groups_table.selectionModel().selectedRows()
        return rows[0].data(Role.ROW) if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _on_group_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        group = self.selected_group()
        if group is None:
            return
        if group.id != self.selected_group_id:
            self._load_members(group.id)

    def _load_members(self, group_id: int) -> None:
        self.selected_group_id = group_id
        self._members_generation += 1
        generation = self._members_generation
        actor = self.context.actor
        self.context.run(
            self,
            lambda session, _progress: group_members(session, actor, group_id),
            on_success=lambda rows: self._show_members(generation, rows),
            on_failure=lambda error: self._members_failed(generation, error),
        )

    def _show_members(self, generation: int, rows: list[MemberRow]) -> None:
        if generation != self._members_generation:
            return
        self.members_model.set_rows(rows)
        group = self.selected_group()
        name = group.name if group is not None else "the group"
        count = len(rows)
        self.members_title.setText(
            f"Members of {name}: {count:,} learner{'' if count == 1 else 's'} on roll"
        )
        self.sig_members_loaded.emit()

    def _members_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._members_generation:
            self.members_model.set_rows([])
            self.members_title.setText(describe_failure(error))
