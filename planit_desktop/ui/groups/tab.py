"""The Groups tab: every group with its learners on roll, and the members of the one chosen;
administrators change groups and memberships here (see :mod:`planit_desktop.ui.groups`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.services.groups.listing import GroupRow, group_members, list_groups
from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.ui import events
from planit_desktop.ui.common.action_rows import ActionRows
from planit_desktop.ui.common.data_tab import DataTab
from planit_desktop.ui.common.fitting_table import FittingTable
from planit_desktop.ui.common.table_model import Role, SnapshotProxy
from planit_desktop.ui.groups.actions import GroupActions
from planit_desktop.ui.groups.tables import (
    DraggableMemberModel,
    DropTargetGroupModel,
    GroupColumn,
    MemberColumn,
)
from planit_desktop.ui.ops import Progress, describe_failure

PICK_A_GROUP = "Choose a group to see its members."
SUPERVISOR_NOTE = (
    "You are signed in as a supervisor, so you see only the groups assigned to you this "
    "academic year, and cannot change them. Only an administrator can create, rename or "
    "delete groups or move learners between them: ask one of the school's administrators."
)


def make_table(
    model: QSortFilterProxyModel, *, wrap: int | None = None, hold_columns: bool = False
) -> FittingTable:
    """A read-only, row-selecting, sortable table as every tab shows them; its column of
    names ``wrap`` (if any) wraps where the tab is narrow (see :class:`FittingTable`)."""
    # Its last column takes the room left but never less than its heading and cells; the
    # names give up their width first, so a narrow tab cuts nothing off.
    table = FittingTable(wrap=wrap, hold_columns=hold_columns)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    # Rows arrive in the service's order; sorting starts when a heading is clicked.
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    return table


class GroupsTab(DataTab):
    title = TabTitle.GROUPS
    explanation = (
        "Every tutor and Plan-it group with its learners on roll. Choose a group to see "
        "who is in it. Groups keep their names and members at the year end: check both. "
        "Drag learners onto another group to move them (hold Ctrl to copy), or use "
        "Move to… (Ctrl+M). Edit ▸ Undo takes back a change."
    )
    kinds = frozenset({events.GROUPS, events.LEARNERS, events.STAFF, events.ROLLOVER})

    #: The members of the chosen group are on screen (after each load).
    sig_members_loaded = Signal()

    def build(self, layout: QVBoxLayout) -> None:
        self.can_change = self.context.actor.is_administrator
        self.groups_model = DropTargetGroupModel(self)
        self.groups_model.can_change = self.can_change
        self.groups_proxy = SnapshotProxy(self)
        self.groups_proxy.setSourceModel(self.groups_model)
        self.members_model = DraggableMemberModel(self)
        self.members_model.can_change = self.can_change
        self.members_proxy = SnapshotProxy(self)
        self.members_proxy.setSourceModel(self.members_model)

        # Where the tab is narrow, supervisors' names and surnames wrap before a list scrolls;
        # the list of groups, by which the tab is used, never scrolls sideways.
        self.groups_table = make_table(
            self.groups_proxy, wrap=GroupColumn.SUPERVISORS, hold_columns=True
        )
        self.groups_table.setAccessibleName("Groups")
        self.groups_table.setAccessibleDescription(
            "Every group with its kind, year and number of members; select one to see its members."
        )
        self.groups_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_table = make_table(self.members_proxy, wrap=MemberColumn.SURNAME)
        self.members_table.setAccessibleName("Members of the group")
        self.members_table.setAccessibleDescription("The learners in the selected group.")
        self.members_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.members_title = QLabel(PICK_A_GROUP)
        self.members_title.setWordWrap(True)
        self.role_note = QLabel(SUPERVISOR_NOTE)
        self.role_note.setObjectName("role_note")
        self.role_note.setWordWrap(True)
        self.role_note.setVisible(not self.can_change)
        layout.addWidget(self.role_note)

        self.actions_ = GroupActions(self)
        groups = QWidget()
        groups_layout = QVBoxLayout(groups)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        groups_layout.addWidget(self.groups_table, 1)
        groups_layout.addWidget(self._buttons(self._group_rows()))
        members = QWidget()
        members_layout = QVBoxLayout(members)
        members_layout.setContentsMargins(0, 0, 0, 0)
        members_layout.addWidget(self.members_title)
        members_layout.addWidget(self.members_table, 1)
        members_layout.addWidget(self._buttons(self._member_rows()))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("groups_splitter")
        self.splitter.addWidget(groups)
        self.splitter.addWidget(members)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        # The list of groups is never narrower than its columns (its table asks for them).
        self.splitter.setSizes([2000, 3000])  # scaled to the window: two fifths for groups
        layout.addWidget(self.splitter, 1)

        self.selected_group_id: int | None = None
        self._select_after_load: int | None = None
        self._members_generation = 0
        self._set_up_changes()
        self.groups_table.selectionModel().selectionChanged.connect(self._on_group_selected)

    # Each side's actions in two short rows, so that both fit side by side at the default
    # size (one row each hid Rename year-named groups… behind "»").
    def _group_rows(self) -> tuple[tuple[str, tuple[QAction, ...]], ...]:
        acts = self.actions_
        return (
            ("Actions on groups", (acts.new_group, acts.rename, acts.delete)),
            ("After the year end", (acts.rename_year_groups,)),
        )

    def _member_rows(self) -> tuple[tuple[str, tuple[QAction, ...]], ...]:
        acts = self.actions_
        return (
            ("Actions on the chosen group", (acts.add_learners,)),
            ("Actions on the selected members", (acts.remove, acts.move_to, acts.copy_to)),
        )

    def _buttons(self, rows: Sequence[tuple[str, Sequence[QAction]]]) -> ActionRows:
        buttons = ActionRows(rows)
        buttons.setVisible(self.can_change)
        return buttons

    def _set_up_changes(self) -> None:
        """Drag and drop, context menus and shortcuts: administrators only."""
        for action in self.actions_.group_actions + self.actions_.member_actions:
            action.setVisible(self.can_change)
            action.setEnabled(self.can_change)
        if not self.can_change:
            return
        self.members_table.setDragEnabled(True)
        self.members_table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.members_table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.groups_table.setAcceptDrops(True)
        self.groups_table.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        # Learners are dropped onto a group, never between two rows.
        self.groups_table.setDragDropOverwriteMode(True)
        self.groups_table.setDropIndicatorShown(True)
        self.groups_model.sig_learners_dropped.connect(self._on_learners_dropped)
        for table, actions in (
            (self.groups_table, self.actions_.group_actions),
            (self.members_table, self.actions_.member_actions),
        ):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            table.addActions(list(actions))
        self.members_table.selectionModel().selectionChanged.connect(
            lambda *_args: self.actions_.update_enabled()
        )
        self.actions_.update_enabled()

    @Slot(int, int, object, bool)
    def _on_learners_dropped(self, from_id: int, to_id: int, ids: Any, copy: bool) -> None:
        self.actions_.move_or_copy(from_id, to_id, list(ids), copy)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        # Loaded before it was first shown, the tables measured their headings unstyled:
        # measured again now, so no heading is cut off.
        super().showEvent(event)
        self._fit(self.groups_table, self.members_table)

    def _fit(self, *tables: FittingTable) -> None:
        for table in tables:
            table.fit_columns()
        # Each side's least width follows its table's columns: the splitter gives it that
        # room now, not an event later (a window looked at meanwhile squeezes the list).
        self.splitter.refresh()

    def load(self, session: Any, progress: Progress) -> list[GroupRow]:
        return list_groups(session, self.context.actor)

    def show_data(self, data: list[GroupRow]) -> None:
        keep = self.selected_group_id
        if self._select_after_load is not None:
            keep, self._select_after_load = self._select_after_load, None
        self.groups_model.set_rows(data)
        self._fit(self.groups_table)
        if keep is not None and not self.select_group(keep):
            self.selected_group_id = None
            self.members_model.group_id = None
            self.members_model.set_rows([])
            self.members_title.setText(PICK_A_GROUP)
        if self.can_change:
            self.actions_.update_enabled()

    def select_after_load(self, group_id: int | None) -> None:
        """Select ``group_id`` when the list is next loaded (a group just made or kept)."""
        if group_id is not None:
            self._select_after_load = group_id

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

    def selected_learner_ids(self) -> list[int]:
        """The members selected in the members table (of the group on screen)."""
        if self.members_model.group_id is None:
            return []
        rows = self.members_table.selectionModel().selectedRows()
        return sorted({index.data(Role.ID) for index in rows})

    def select_members(self, learner_ids: Iterable[int]) -> None:
        """Select these members (for the keyboard and tests)."""
        wanted = set(learner_ids)
        selection = QItemSelection()
        for row in range(self.members_proxy.rowCount()):
            index = self.members_proxy.index(row, 0)
            if index.data(Role.ID) in wanted:
                selection.select(index, self.members_proxy.index(row, len(MemberColumn) - 1))
        self.members_table.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    @Slot(QItemSelection, QItemSelection)
    def _on_group_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        group = self.selected_group()
        if group is None:
            return
        if group.id != self.selected_group_id:
            self._load_members(group.id)
        if self.can_change:
            self.actions_.update_enabled()

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

    def _show_members(self, generation: int, rows: list[LearnerRow]) -> None:
        if generation != self._members_generation:
            return
        self.members_model.group_id = self.selected_group_id
        self.members_model.set_rows(rows)
        self._fit(self.members_table)
        group = self.selected_group()
        name = group.name if group is not None else "the group"
        count = len(rows)
        self.members_title.setText(
            f"Members of {name}: {count:,} learner{'' if count == 1 else 's'} on roll"
        )
        if self.can_change:
            self.actions_.update_enabled()
        self.sig_members_loaded.emit()

    def _members_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._members_generation:
            self.members_model.group_id = None
            self.members_model.set_rows([])
            self.members_title.setText(describe_failure(error))
