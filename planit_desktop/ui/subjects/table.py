"""The subject × year-group matrix: which subjects are offered to which years."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from planit_desktop.model.services.subjects.offers import SubjectMatrix, SubjectRow
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.styles import State, row_tint, text_colour
from planit_desktop.ui.common.table_model import Column, Index, RowTableModel, fold


class SubjectMatrixModel(RowTableModel[SubjectRow]):
    """Rows are subjects; column 0 is the name, then one ticked column per year group.

    Read-only unless :attr:`editable` (administrators): then ticking a box does not change the
    snapshot; it asks for the offer (``sig_offer_requested``), the tab runs the service, and
    the matrix is loaded again afterwards.
    """

    SUBJECT = 0

    #: subject id, year group, offered: the coordinator ticked or unticked a box.
    sig_offer_requested = Signal(int, int, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._years: tuple[int, ...] = ()
        self._years_without: frozenset[int] = frozenset()
        self.columns = self._columns()
        self.editable = False

    def set_matrix(self, matrix: SubjectMatrix) -> None:
        """Show ``matrix``: its years become the columns. When only ticks and names changed
        (the same subjects and years), the cells are updated in place, so the selection and
        the keyboard's place stay where they were; otherwise one model reset."""
        same_shape = matrix.years == self._years and [r.id for r in matrix.subjects] == [
            r.id for r in self._rows
        ]
        if same_shape and self._rows:
            self._years_without = frozenset(matrix.years_without_subjects)
            self.columns = self._columns()
            self._rows = list(matrix.subjects)
            last = self.index(len(self._rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
            return
        self.beginResetModel()
        self._years = matrix.years
        self._years_without = frozenset(matrix.years_without_subjects)
        self.columns = self._columns()
        self._rows = list(matrix.subjects)
        self.endResetModel()

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if (
            self.editable
            and index.isValid()
            and self.year_of_column(index.column()) is not None
            and not self.row_at(index.row()).retired
        ):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not self.editable or not index.isValid():
            return False
        year = self.year_of_column(index.column())
        if year is None or not 0 <= index.row() < len(self._rows):
            return False
        row = self.row_at(index.row())
        if row.retired:
            return False
        offered = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        if offered != (year in row.years_offered):
            self.sig_offer_requested.emit(row.id, year, offered)
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and 0 <= index.row() < len(self._rows):
            return text_colour(State.MUTED) if self.row_at(index.row()).retired else None
        return super().data(index, role)

    def cell_tooltip(self, row: SubjectRow, column: int) -> str | None:
        if row.retired:
            return f"{row.name} is retired. Restore it to offer it again."
        return None

    @property
    def years(self) -> tuple[int, ...]:
        return self._years

    def year_of_column(self, column: int) -> int | None:
        return self._years[column - 1] if 1 <= column <= len(self._years) else None

    def _columns(self) -> tuple[Column[SubjectRow], ...]:
        name = Column[SubjectRow](
            "Subject",
            lambda r: f"{r.name} (retired)" if r.retired else r.name,
            lambda r: f"{int(r.retired)}{fold(r.name)}",
        )
        return (name,) + tuple(self._year_column(year) for year in self._years)

    def _year_column(self, year: int) -> Column[SubjectRow]:
        return Column(
            format_year_group(year),
            lambda r: "",
            lambda r: int(year in r.years_offered),
            tooltip=(
                f"No subject is offered to {format_year_group(year)}."
                if year in self._years_without
                else f"Subjects offered to {format_year_group(year)}"
            ),
        )

    def cell_check_state(self, row: SubjectRow, column: int) -> Qt.CheckState | None:
        year = self.year_of_column(column)
        if year is None:
            return None
        return Qt.CheckState.Checked if year in row.years_offered else Qt.CheckState.Unchecked

    def cell_background(self, row: SubjectRow, column: int) -> QColor | None:
        return row_tint(State.MUTED) if row.retired else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        year = self.year_of_column(section) if orientation == Qt.Orientation.Horizontal else None
        if year is not None and year in self._years_without:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{format_year_group(year)} — none offered"
            if role == Qt.ItemDataRole.ForegroundRole:
                return text_colour(State.ERROR)
        return super().headerData(section, orientation, role)

    def offered(self, row: int, year: int) -> bool:
        return year in self.row_at(row).years_offered
