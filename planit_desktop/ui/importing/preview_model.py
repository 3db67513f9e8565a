"""The import preview's table: every row of the file with its status, cells and messages.

The model holds the checked file (immutable snapshots from the importing service) and the
context read from the database once. Typing in a cell makes a new table with that one value
changed and checks the whole file again, in memory, with no database round trip; the
coordinator's decisions about duplicates are kept by row number across re-checks.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.services.importing import (
    CheckContext,
    CheckResult,
    Decision,
    Field,
    RowCheck,
    RowStatus,
    Severity,
    check_table,
)
from planit_desktop.model.services.importing.table import CellValue
from planit_desktop.model.validation.dates import format_date
from planit_desktop.ui.common.styles import State, row_tint
from planit_desktop.ui.common.table_model import Index, Role


class PreviewStatus(enum.StrEnum):
    """A row's status as the preview shows it, in words (the colour only repeats it)."""

    READY = "ready"
    WARNING = "warning"
    ERROR = "error"
    UNDECIDED = "needs a decision"
    SKIPPED = "skipped"


#: The state colour (from :mod:`planit_desktop.ui.common.styles`) of each status and level.
STATUS_STATES = {
    PreviewStatus.READY: State.DONE,
    PreviewStatus.WARNING: State.WARNING,
    PreviewStatus.ERROR: State.ERROR,
    PreviewStatus.UNDECIDED: State.MARKED,
    PreviewStatus.SKIPPED: State.MUTED,
}
_LEVEL_STATES = {
    Severity.ERROR: State.ERROR,
    Severity.WARNING: State.WARNING,
}
#: Sort order of statuses: the rows needing attention first.
_STATUS_ORDER = {s: i for i, s in enumerate(("error", "needs a decision", "warning", "ready"))}

DECISION_WORDS = {
    Decision.CREATE_NEW: "A different person: import as a new learner",
    Decision.REINSTATE: "The learner who left: reinstate them",
    Decision.SKIP: "Skip this row: do not import it",
}

FIELDS = tuple(Field)
ROW_COLUMN, STATUS_COLUMN = 0, 1
FIRST_FIELD_COLUMN = 2
DECISION_COLUMN = FIRST_FIELD_COLUMN + len(FIELDS)
MESSAGES_COLUMN = DECISION_COLUMN + 1
YEAR_GROUP_COLUMN = FIRST_FIELD_COLUMN + FIELDS.index(Field.YEAR_GROUP)
HEADINGS = ("Row", "Status", *(f.value for f in FIELDS), "Decision", "Messages")


def preview_status(row: RowCheck, decision: Decision | None) -> PreviewStatus:
    """ready / warning / error / needs a decision / skipped, for ``row`` and its decision."""
    status = row.status(decision)
    if status is RowStatus.SKIPPED:
        return PreviewStatus.SKIPPED
    if row.needs_decision and decision not in row.options:
        return PreviewStatus.UNDECIDED
    return PreviewStatus(status.value)


def cell_text(value: CellValue) -> str:
    """A cell's value as typed text: dates day first, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(value.date())
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_messages(row: RowCheck) -> list[str]:
    """Every message about ``row``: its cells' problems, then its duplicates."""
    return [m.message for m in row.messages] + [d.message for d in row.duplicates]


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """What the table shows of one row, worked out once per check."""

    check: RowCheck
    values: Mapping[Field, CellValue]
    status: PreviewStatus
    decision: Decision | None
    #: The worst message on each field's cell.
    levels: Mapping[Field, Severity]
    #: Each field's messages, for its cell's tooltip.
    notes: Mapping[Field, str]
    messages: str


class ImportPreviewModel(QAbstractTableModel):
    """Rows of the file being imported; the field cells are editable."""

    #: The file was checked again (after an edit or a decision): counts may have changed.
    sig_preview_checked = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.result: CheckResult | None = None
        self.context: CheckContext | None = None
        self.decisions: dict[int, Decision] = {}
        self._rows: list[PreviewRow] = []

    # --- the file ---------------------------------------------------------------------------
    def set_result(self, result: CheckResult, context: CheckContext) -> None:
        """Show a newly checked file (one model reset)."""
        self.beginResetModel()
        self.result, self.context, self.decisions = result, context, {}
        self._rows = self._build()
        self.endResetModel()
        self.sig_preview_checked.emit()

    def _build(self) -> list[PreviewRow]:
        if self.result is None:
            return []
        values = {row.number: row.values for row in self.result.table.rows}
        rows = []
        # As the decisions leave the rows: skipping one of two twins clears the other.
        for check in self.result.settled(self.decisions):
            decision = self.decisions.get(check.number)
            levels: dict[Field, Severity] = {}
            notes: dict[Field, list[str]] = {}
            for message in check.messages:
                if message.field is None:
                    continue
                notes.setdefault(message.field, []).append(message.message)
                if levels.get(message.field) is not Severity.ERROR:
                    levels[message.field] = message.severity
            rows.append(
                PreviewRow(
                    check,
                    values.get(check.number, {}),
                    preview_status(check, decision),
                    decision,
                    levels,
                    {f: "\n".join(texts) for f, texts in notes.items()},
                    " · ".join(row_messages(check)),
                )
            )
        return rows

    def _refresh(self) -> None:
        """Rows rebuilt after a re-check: same rows, new contents (no reset: the selection
        and the scroll position stay)."""
        self._rows = self._build()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(HEADINGS) - 1)
            )
        self.sig_preview_checked.emit()

    def preview_rows(self) -> list[PreviewRow]:
        return list(self._rows)

    def preview_row(self, row: int) -> PreviewRow:
        return self._rows[row]

    def source_row_of(self, number: int) -> int:
        """The model row showing the file's row ``number``."""
        return next(i for i, r in enumerate(self._rows) if r.check.number == number)

    def edit_cell(self, number: int, field: Field, text: str) -> None:
        """Change one cell as typed and check the whole file again (in memory)."""
        if self.result is None or self.context is None:
            return
        value: CellValue = text.strip() or None
        table = self.result.table.with_value(number, field, value)
        self.result = check_table(table, self.context)
        # A decision stays only while the row still offers it (Skip always applies).
        self.decisions = {
            n: d
            for n, d in self.decisions.items()
            if d is Decision.SKIP or d in self.result.row(n).options
        }
        self._refresh()

    def set_decision(self, number: int, decision: Decision | None) -> None:
        """Record the coordinator's decision about row ``number`` (None: no decision)."""
        if decision is None:
            self.decisions.pop(number, None)
        else:
            self.decisions[number] = decision
        self._refresh()

    def counts(self) -> dict[PreviewStatus, int]:
        counts = dict.fromkeys(PreviewStatus, 0)
        for row in self._rows:
            counts[row.status] += 1
        return counts

    # --- Qt's interface ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADINGS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADINGS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._heading(section)
        return None

    def _heading(self, section: int) -> str:
        # A transfer file's year groups are of its own academic year, and typed so too.
        year = self.result.table.academic_year if self.result is not None else None
        if year is not None and section == YEAR_GROUP_COLUMN:
            return f"{HEADINGS[section]} (in {format_academic_year(year)})"
        return HEADINGS[section]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if FIRST_FIELD_COLUMN <= index.column() < DECISION_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        field = FIELDS[column - FIRST_FIELD_COLUMN] if column in _FIELD_COLUMNS else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row, column, field)
        if role == Role.SORT:
            return self._sort(row, column, field)
        if role == Role.ROW:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == STATUS_COLUMN:
                return row_tint(STATUS_STATES[row.status])
            level = row.levels.get(field) if field is not None else None
            return row_tint(_LEVEL_STATES[level]) if level is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if field is not None:
                return row.notes.get(field)
            if column in (STATUS_COLUMN, MESSAGES_COLUMN):
                return row.messages.replace(" · ", "\n") or None
        return None

    def _text(self, row: PreviewRow, column: int, field: Field | None) -> str:
        if field is not None:
            return cell_text(row.values.get(field))
        if column == ROW_COLUMN:
            return str(row.check.number)
        if column == STATUS_COLUMN:
            joining = row.check.draft is not None and row.check.draft.joining
            # Short, to fit the column: the notes above the table say what joining means.
            if joining and row.status is PreviewStatus.READY:
                return "Joining"
            if joining and row.status is PreviewStatus.WARNING:
                return "Warning, joining"
            return row.status.value.capitalize()
        if column == DECISION_COLUMN:
            return DECISION_WORDS[row.decision] if row.decision is not None else ""
        return row.messages

    def _sort(self, row: PreviewRow, column: int, field: Field | None) -> Any:
        if column == ROW_COLUMN:
            return row.check.number
        if column == STATUS_COLUMN:
            return _STATUS_ORDER.get(row.status.value, len(_STATUS_ORDER))
        return self._text(row, column, field).casefold()

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        row = self._rows[index.row()]
        field = FIELDS[index.column() - FIRST_FIELD_COLUMN]
        text = "" if value is None else str(value)
        if text.strip() == cell_text(row.values.get(field)).strip():
            return False  # nothing changed: keep the value as the file gave it
        self.edit_cell(row.check.number, field, text)
        return True


_FIELD_COLUMNS = range(FIRST_FIELD_COLUMN, DECISION_COLUMN)


class ImportPreviewProxy(QSortFilterProxyModel):
    """Sorts on native values; can show only the rows with problems."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)
        self.only_problems = False

    def set_only_problems(self, only: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self.only_problems = only
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.only_problems = only
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.only_problems:
            return True
        source = self.sourceModel()
        if not isinstance(source, ImportPreviewModel) or source_row >= source.rowCount():
            return True
        status = source.preview_row(source_row).status
        return status not in (PreviewStatus.READY, PreviewStatus.SKIPPED)
