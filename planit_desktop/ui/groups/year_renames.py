"""Rename year-named groups… : the rollover engine's suggestions, old → new, one tick per row.

The coordinator may edit any new name; every edit re-checks the whole list for clashes (the
names as they would stand afterwards), so a problem shows in words before anything is
applied. The chosen renames are applied together by the groups service's ``rename_in_batch``
(one audited batch, which Edit ▸ Undo and the year-end report know about).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QWidget

from planit_desktop.model.services.year_end import GroupRename, find_clashes
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.common.table_model import Index

_PROBLEM = QColor(220, 40, 40, 50)
EMPTIED = "Nobody on roll is left in this group (its learners completed or left)."
NO_SUGGESTION = "No new name is suggested."


@dataclass(frozen=True)
class RenameChoice:
    """One year-named group in the dialog: a snapshot replaced on every edit."""

    group_id: int
    old: str
    suggested: str | None
    new: str
    chosen: bool
    emptied: bool


def tidy(name: str) -> str:
    """A name as the service will store it: outer spaces gone, inner runs made one."""
    return " ".join(name.split())


class YearRenameColumn:
    GROUP = 0
    NEW_NAME = 1
    NOTE = 2


class YearRenameModel(QAbstractTableModel):
    """Rows are year-named groups: tick to rename, the new name (editable), and a note."""

    HEADINGS = ("Group now", "New name", "Check")

    #: The choices or their problems changed.
    sig_choices_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RenameChoice] = []
        self._current: dict[int, str] = {}
        self._problems: dict[int, str] = {}
        self._warnings: dict[int, str] = {}

    def set_suggestions(
        self, suggestions: Sequence[GroupRename], current: Mapping[int, str]
    ) -> None:
        """Start from the engine's suggestions; those that can be applied together (no
        clash, even through a chain) are ticked."""
        self.beginResetModel()
        self._current = dict(current)
        self._rows = [
            RenameChoice(
                s.group_id,
                s.old,
                s.suggested,
                s.suggested or s.old,
                chosen=s.suggested is not None and s.clash is None,
                emptied=s.emptied,
            )
            for s in suggestions
        ]
        self._check()
        # Unticking a clash can make the next in a chain clash (9A → 10A when 10A stays):
        # untick until the ticked renames can all be applied together.
        while self._problems:
            self._rows = [
                replace(r, chosen=False) if r.group_id in self._problems else r for r in self._rows
            ]
            self._check()
        self.endResetModel()
        self.sig_choices_changed.emit()

    # --- the choices ------------------------------------------------------------------------
    def rows(self) -> list[RenameChoice]:
        return list(self._rows)

    def chosen(self) -> dict[int, str]:
        """The renames ticked: group id → new name as typed."""
        return {r.group_id: r.new for r in self._rows if r.chosen}

    def problem(self, row: int) -> str | None:
        """What stops row ``row`` being renamed, in words (only for ticked rows)."""
        return self._problems.get(self._rows[row].group_id)

    def problems(self) -> list[str]:
        return [
            f"{r.old}: {self._problems[r.group_id]}"
            for r in self._rows
            if r.group_id in self._problems
        ]

    def summary(self, nothing: str) -> str:
        """One line on the ticked renames: how many, or why they cannot be made; ``nothing``
        when no group has a year in its name."""
        problems = self.problems()
        if not self.rowCount():
            return nothing
        if problems:
            return f"{len(problems)} ticked group(s) cannot be renamed as they stand: " + " ".join(
                problems
            )
        return f"{len(self.chosen())} group(s) ticked to rename."

    def set_chosen(self, row: int, chosen: bool) -> None:
        self._replace(row, replace(self._rows[row], chosen=chosen))

    def set_new_name(self, row: int, name: str) -> None:
        old = self._rows[row]
        # Typing a different name says "rename this one".
        chosen = old.chosen or tidy(name) != old.old
        self._replace(row, replace(old, new=name, chosen=chosen))

    def _replace(self, row: int, choice: RenameChoice) -> None:
        self._rows[row] = choice
        self._check()
        # Any row's note may change (a clash involves two), so every row is redrawn.
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 2))
        self.sig_choices_changed.emit()

    def _check(self) -> None:
        wanted = {r.group_id: tidy(r.new) for r in self._rows if r.chosen}
        clashes = find_clashes(self._current, {g: n for g, n in wanted.items() if n})
        problems: dict[int, str] = {}
        warnings: dict[int, str] = {}
        for r in self._rows:
            if not r.chosen:
                # Say why an unticked suggestion was left out, without blocking anything.
                new = tidy(r.new)
                if new and new != r.old:
                    would = find_clashes(self._current, {**wanted, r.group_id: new})
                    if r.group_id in would:
                        warnings[r.group_id] = (
                            f"Not ticked: renaming it “{new}” would clash: {would[r.group_id]}."
                        )
                continue
            new = wanted[r.group_id]
            if not new:
                problems[r.group_id] = "Type a new name, or untick the row."
            elif new == r.old:
                problems[r.group_id] = "The new name is the same as the old one; untick the row."
            elif r.group_id in clashes:
                problems[r.group_id] = f"Clash: {clashes[r.group_id]}."
        self._problems = problems
        self._warnings = warnings

    def note(self, row: int) -> str:
        choice = self._rows[row]
        parts = [
            self._problems.get(choice.group_id, ""),
            self._warnings.get(choice.group_id, ""),
        ]
        if choice.emptied:
            parts.append(EMPTIED)
        if choice.suggested is None and not choice.chosen:
            parts.append(NO_SUGGESTION)
        elif not choice.chosen and not any(parts):
            parts.append("Not ticked: tick it to rename it.")
        if not any(parts) and choice.chosen:
            parts.append("Ready to rename.")
        return " ".join(p for p in parts if p)

    # --- Qt's interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADINGS)
        ):
            return self.HEADINGS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        choice, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == YearRenameColumn.GROUP:
                return choice.old
            if column == YearRenameColumn.NEW_NAME:
                return choice.new
            return self.note(index.row())
        if role == Qt.ItemDataRole.CheckStateRole and column == YearRenameColumn.GROUP:
            state = Qt.CheckState.Checked if choice.chosen else Qt.CheckState.Unchecked
            return state.value
        if role == Qt.ItemDataRole.BackgroundRole and choice.group_id in self._problems:
            return _PROBLEM
        if role == Qt.ItemDataRole.ToolTipRole and column == YearRenameColumn.NOTE:
            return self.note(index.row()) or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == YearRenameColumn.GROUP:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() == YearRenameColumn.NEW_NAME:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        if index.column() == YearRenameColumn.GROUP and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
            self.set_chosen(index.row(), checked)
            return True
        if index.column() == YearRenameColumn.NEW_NAME and role == Qt.ItemDataRole.EditRole:
            self.set_new_name(index.row(), str(value or ""))
            return True
        return False


class RenameYearGroupsDialog(ServiceDialog):
    """The suggested renames, editable, applied together in one step."""

    #: group id → new name, for the groups service's rename_in_batch.
    sig_renames_submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rename year-named groups", parent)
        intro = QLabel(
            "Group names keep their year at the year end, so “10A” still says Year 10 after "
            "its learners have moved up. Tick the groups to rename and check each new name "
            "(double-click to change it). A group whose learners have all completed keeps "
            "its name, and so blocks the name the next group up would take: give it a new "
            "name here too (such as “11A leavers”), or delete it. The ticked groups are "
            "renamed together, and Edit ▸ Undo puts all of them back."
        )
        intro.setWordWrap(True)
        self.model = YearRenameModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.summary = QLabel("Looking for year-named groups…")
        self.summary.setWordWrap(True)
        for widget in (intro, self.table, self.summary):
            self.layout_.addWidget(widget)
        self.finish_layout()
        self.ok_button.setText("Rename ticked groups")
        self.resize(760, 460)
        self.model.sig_choices_changed.connect(self._update)
        self.ok_button.setEnabled(False)

    def set_suggestions(
        self, suggestions: Sequence[GroupRename], current: Mapping[int, str]
    ) -> None:
        self.model.set_suggestions(suggestions, current)
        self.table.resizeColumnsToContents()

    @Slot()
    def _update(self) -> None:
        self.summary.setText(
            self.model.summary("No group has a year in its name that needs changing.")
        )
        self.ok_button.setEnabled(bool(self.model.chosen()) and not self.model.problems())

    @Slot()
    def _submit(self) -> None:
        chosen = self.model.chosen()
        if chosen and not self.model.problems():
            self.set_busy(True)
            self.sig_renames_submitted.emit(chosen)
