"""The subject × year-group matrix: which subjects are offered to which years."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from planit_desktop.model.services.subjects import SubjectMatrix, SubjectRow
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.tables.base import Column, RowTableModel, fold

_RETIRED = QColor(128, 128, 128, 60)
_NO_SUBJECTS = QColor(220, 40, 40)


class SubjectMatrixModel(RowTableModel[SubjectRow]):
    """Rows are subjects; column 0 is the name, then one ticked column per year group.

    Read-only for now: ticks show the offers; the subjects issue makes them editable.
    """

    SUBJECT = 0

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._years: tuple[int, ...] = ()
        self._years_without: frozenset[int] = frozenset()
        self.columns = self._columns()

    def set_matrix(self, matrix: SubjectMatrix) -> None:
        """Show ``matrix``: its years become the columns (one model reset)."""
        self.beginResetModel()
        self._years = matrix.years
        self._years_without = frozenset(matrix.years_without_subjects)
        self.columns = self._columns()
        self._rows = list(matrix.subjects)
        self.endResetModel()

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
        return _RETIRED if row.retired else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        year = self.year_of_column(section) if orientation == Qt.Orientation.Horizontal else None
        if year is not None and year in self._years_without:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{format_year_group(year)} — none offered"
            if role == Qt.ItemDataRole.ForegroundRole:
                return _NO_SUBJECTS
        return super().headerData(section, orientation, role)

    def offered(self, row: int, year: int) -> bool:
        return year in self.row_at(row).years_offered
