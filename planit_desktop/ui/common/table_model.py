"""The common shape of every table: columns, named roles, rows replaced in one model reset.

A model holds immutable row snapshots (frozen dataclasses from the services), never live
database objects. Each column says how a row is shown and how it sorts, so that dates sort as
dates, year groups as numbers and names without regard to case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """Custom item data roles shared by every table model."""

    #: A native value to sort on: date, int, or a case-folded string.
    SORT = Qt.ItemDataRole.UserRole + 1
    #: The whole row snapshot behind the cell.
    ROW = Qt.ItemDataRole.UserRole + 2
    #: The row's id in the database (learner, group, staff member, subject).
    ID = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its heading, how a row is shown, and (optionally) how it sorts."""

    title: str
    display: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    tooltip: str | None = None
    align_right: bool = False


def fold(text: str | None) -> str:
    """Case-folded text for sorting names and codes."""
    return (text or "").casefold()


class ColumnTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table whose ``columns`` say how each row snapshot is shown: its cells by
    role, its headings and its flags. Subclasses say where the rows are (a plain list in
    :class:`RowTableModel`; the Learners tab fetches a whole school's lazily)."""

    columns: Sequence[Column[R]] = ()

    def row_id(self, row: R) -> int | None:
        """The database id of ``row``, for :attr:`Role.ID` (``row.id`` by default)."""
        return getattr(row, "id", None)

    # --- hooks for subclasses -------------------------------------------------------------
    def cell_background(self, row: R, column: int) -> Any:
        """A brush or colour to highlight a cell (e.g. a supervisor with no groups)."""
        return None

    def cell_tooltip(self, row: R, column: int) -> str | None:
        return None

    def cell_check_state(self, row: R, column: int) -> Qt.CheckState | None:
        """Checked/Unchecked for columns that show a tick, else None."""
        return None

    def cell_data(self, row: R, column: int, role: int) -> Any:
        """What the cell of ``row`` in ``column`` holds for ``role``."""
        spec = self.columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.display(row)
        if role == Role.SORT:
            return spec.sort(row) if spec.sort is not None else fold(spec.display(row))
        if role == Role.ROW:
            return row
        if role == Role.ID:
            return self.row_id(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_tooltip(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.cell_background(row, column)
        if role == Qt.ItemDataRole.CheckStateRole:
            state = self.cell_check_state(row, column)
            return None if state is None else state.value
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- Qt's interface -------------------------------------------------------------------
    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RowTableModel(ColumnTableModel[R]):
    """A read-only table over a list of row snapshots; subclasses set ``columns``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    # --- the rows -------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace every row: one model reset, so views and proxies rebuild once."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        """The rows, in model order (the list itself: do not change it)."""
        return self._rows

    def row_at(self, row: int) -> R:
        return self._rows[row]

    # --- Qt's interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell_data(self._rows[index.row()], index.column(), role)


class SnapshotProxy(QSortFilterProxyModel):
    """Sorts on :attr:`Role.SORT`; filters by ``accepts(row)`` computed once per change.

    The filter is evaluated for every source row in one pass when the rows or the filter
    change, so that the per-row callback Qt makes is a list lookup.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)
        self._accepted: list[bool] = []
        self._computed_for: object = None

    def accepts(self, row: Any) -> bool:
        """Whether the row snapshot passes the filters; everything by default."""
        return True

    def filter_changed(self) -> None:
        """Call after changing a filter setting: recomputes which rows are shown."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            # The cached answers stay until after beginFilterChange, so Qt sees the old
            # filter until then and the new one from endFilterChange.
            self.beginFilterChange()
            self._computed_for = None
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._computed_for = None
            self.invalidateRowsFilter()

    def source_rows(self) -> list[Any]:
        source = self.sourceModel()
        return source.rows() if isinstance(source, RowTableModel) else []

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        rows = self.source_rows()
        if self._computed_for is not rows or len(self._accepted) != len(rows):
            accepts = self.accepts
            self._accepted = [accepts(row) for row in rows]
            self._computed_for = rows
        return 0 <= source_row < len(self._accepted) and self._accepted[source_row]

    def row_at(self, proxy_row: int) -> Any:
        """The snapshot shown on ``proxy_row`` of this proxy."""
        return self.index(proxy_row, 0).data(Role.ROW)
