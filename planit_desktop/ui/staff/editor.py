"""Which groups one supervisor may see this academic year: a checkable list of every group
with a search box, Select all / Select none, and Save.

Several supervisors may share a group; the list says who else has each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.groups.listing import GroupRow
from planit_desktop.model.services.staff.members import StaffRow
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.common.wrapping import WrappingWidget

Index = QModelIndex | QPersistentModelIndex
CHOOSE_ONE = "Choose one supervisor in the list to see and change the groups they may see."


def _check_state(value: Any) -> Qt.CheckState:
    # PySide6 hands the new state over as a Qt.CheckState or as its integer value.
    return value if isinstance(value, Qt.CheckState) else Qt.CheckState(int(value))


class GroupChecklistModel(QAbstractListModel):
    """Every group, each with a tick box: ticked groups are the supervisor's this year."""

    #: A box was ticked or cleared (by the coordinator or Select all / none).
    sig_checks_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[GroupRow] = []
        self._checked: set[int] = set()
        self.editable = True

    def set_groups(self, groups: Sequence[GroupRow], checked: Iterable[int]) -> None:
        """Replace the groups and which are ticked (one model reset)."""
        self.beginResetModel()
        self._groups = list(groups)
        known = {group.id for group in self._groups}
        self._checked = set(checked) & known
        self.endResetModel()
        self.sig_checks_changed.emit()

    def checked_ids(self) -> set[int]:
        return set(self._checked)

    def group_ids(self) -> list[int]:
        return [group.id for group in self._groups]

    def set_checked(self, group_ids: Iterable[int], checked: bool) -> None:
        """Tick (or clear) ``group_ids``; one dataChanged for the rows that changed."""
        ids = set(group_ids)
        changed = [r for r, g in enumerate(self._groups) if g.id in ids]
        if checked:
            self._checked |= ids & {g.id for g in self._groups}
        else:
            self._checked -= ids
        if changed:
            role = [Qt.ItemDataRole.CheckStateRole]
            self.dataChanged.emit(self.index(min(changed)), self.index(max(changed)), role)
            self.sig_checks_changed.emit()

    # --- Qt's interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._groups)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._groups):
            return None
        group = self._groups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            learners = "learner" if group.member_count == 1 else "learners"
            return f"{group.name} ({group.member_count:,} {learners})"
        if role == Qt.ItemDataRole.CheckStateRole:
            ticked = group.id in self._checked
            return (Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked).value
        if role == Qt.ItemDataRole.ToolTipRole:
            others = ", ".join(group.supervisors) or "nobody yet"
            return f"Supervisors this academic year: {others}"
        if role == Role.ID:
            return group.id
        if role == Role.ROW:
            return group
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.CheckStateRole
            or not self.editable
            or not index.isValid()
            or not 0 <= index.row() < len(self._groups)
        ):
            return False
        group_id = self._groups[index.row()].id
        if _check_state(value) == Qt.CheckState.Checked:
            self._checked.add(group_id)
        else:
            self._checked.discard(group_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.sig_checks_changed.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags


class AssignmentEditor(WrappingWidget):
    """One supervisor's groups this academic year, ticked in a list of every group (held in
    the Staff Access tab's splitter; its note on top wraps)."""

    #: Save pressed: (staff id, the ticked group ids).
    sig_save_requested = Signal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.supervisor: StaffRow | None = None
        self._saved: set[int] = set()
        self.model = GroupChecklistModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.title = QLabel(CHOOSE_ONE)
        self.title.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a group…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a group")
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Groups")
        self.list.setAccessibleDescription("The groups this supervisor can see this year.")
        self.select_all = QPushButton("Select all")
        self.select_none = QPushButton("Select none")
        self.save_button = QPushButton("Save")
        self.revert_button = QPushButton("Undo changes")
        self.count_label = QLabel()
        #: What the last Save did (kept while the same supervisor is shown).
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        for button in (self.select_all, self.select_none):
            row.addWidget(button)
        row.addStretch(1)
        for button in (self.revert_button, self.save_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.select_all.clicked.connect(lambda: self._tick_shown(True))
        self.select_none.clicked.connect(lambda: self._tick_shown(False))
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.model.sig_checks_changed.connect(self._update)
        self.show_supervisor(None, [], CHOOSE_ONE)

    @property
    def dirty(self) -> bool:
        """Ticks changed since the supervisor was shown or saved."""
        return self.supervisor is not None and self.model.checked_ids() != self._saved

    def show_supervisor(
        self, supervisor: StaffRow | None, groups: Sequence[GroupRow], reason: str = ""
    ) -> None:
        """Show ``supervisor``'s groups among ``groups``; None shows ``reason`` instead."""
        if supervisor is None or self.supervisor is None or supervisor.id != self.supervisor.id:
            self.status.clear()
        self.supervisor = supervisor
        if supervisor is None:
            self._saved = set()
            self.model.set_groups([], ())
            self.title.setText(reason or CHOOSE_ONE)
        else:
            mine = set(supervisor.groups)
            self._saved = {group.id for group in groups if group.name in mine}
            self.model.set_groups(groups, self._saved)
            self.title.setText(
                f"Groups {supervisor.name} may see this academic year: tick each one, then "
                "Save. Several supervisors may share a group."
            )
        self._update()

    def _tick_shown(self, checked: bool) -> None:
        """Select all / none acts on the groups the search shows."""
        shown = [self.proxy.index(row, 0).data(Role.ID) for row in range(self.proxy.rowCount())]
        self.model.set_checked(shown, checked)

    @Slot()
    def _update(self) -> None:
        editing = self.supervisor is not None
        for widget in (self.search, self.list, self.select_all, self.select_none):
            widget.setEnabled(editing)
        self.save_button.setEnabled(self.dirty)
        self.revert_button.setEnabled(self.dirty)
        count = len(self.model.checked_ids())
        self.count_label.setText(
            f"{count:,} group{'' if count == 1 else 's'} ticked"
            + (" (not saved yet)." if self.dirty else ".")
            if editing
            else ""
        )
        if self.dirty:
            self.status.clear()

    @Slot()
    def save(self) -> None:
        if self.supervisor is not None and self.dirty:
            self.sig_save_requested.emit(self.supervisor.id, self.model.checked_ids())

    @Slot()
    def revert(self) -> None:
        self.model.set_groups(
            [self.model.index(r).data(Role.ROW) for r in range(self.model.rowCount())],
            self._saved,
        )
