"""The Learners table: every learner the coordinator may see, searchable and filterable.

:class:`LearnerListModel` is the Learners tab's fast, lazily fetched table for a whole school;
:class:`LearnerTableModel` with :class:`LearnerFilterProxy` serves the smaller lists (adding
learners to a group).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.learners.roll import LearnerRow, matches, search_tokens
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import STATUS_WORDS
from planit_desktop.ui.common.table_model import (
    Column,
    ColumnTableModel,
    Index,
    RowTableModel,
    SnapshotProxy,
    fold,
)

#: Shown without "Show learners who have left": on roll, and joining next academic year.
CURRENT = frozenset({LearnerStatus.ON_ROLL, LearnerStatus.JOINING})


def status_text(status: LearnerStatus | str) -> str:
    """A learner's status in words ("On roll", "Not at my provider", "Completed", "Joining
    next year")."""
    return STATUS_WORDS.get(LearnerStatus(status).value, str(status))


def _birth_order(row: LearnerRow) -> int:
    # Day numbers sort as dates do, and Qt compares them natively.
    return row.date_of_birth.toordinal()


class LearnerColumn(IntEnum):
    """A learner's columns, in the Learners tab's order (see :data:`LEARNER_COLUMNS`)."""

    SURNAME = 0
    FIRST_NAMES = 1
    DATE_OF_BIRTH = 2
    YEAR_GROUP = 3
    GROUPS = 4
    UPN = 5
    SIMS_NUMBER = 6
    STATUS = 7
    LOGIN = 8


#: How each of a learner's columns is titled, shown and sorted. The Learners tab shows every
#: one, in :class:`LearnerColumn` order; other lists of learners (a group's members, the year
#: end's learners) show some of them, beside columns of their own.
LEARNER_COLUMNS: dict[LearnerColumn, Column[LearnerRow]] = {
    LearnerColumn.SURNAME: Column("Surname", lambda r: r.surname, lambda r: r.sort_name),
    LearnerColumn.FIRST_NAMES: Column(
        "First names",
        lambda r: r.first_names,
        lambda r: f"{r.first_names.casefold()}\x00{r.surname.casefold()}",
    ),
    LearnerColumn.DATE_OF_BIRTH: Column(
        "Date of birth", lambda r: format_date(r.date_of_birth), _birth_order
    ),
    LearnerColumn.YEAR_GROUP: Column(
        "Year group", lambda r: format_year_group(r.year_group), lambda r: r.year_group
    ),
    LearnerColumn.GROUPS: Column(
        "Groups", lambda r: ", ".join(r.groups), tooltip="Tutor and Plan-it groups"
    ),
    LearnerColumn.UPN: Column("UPN", lambda r: r.upn or "", tooltip="Unique Pupil Number"),
    LearnerColumn.SIMS_NUMBER: Column(
        "SIMS number", lambda r: r.sims_number or "", lambda r: r.sims_number or ""
    ),
    LearnerColumn.STATUS: Column("Status", lambda r: status_text(r.status)),
    LearnerColumn.LOGIN: Column("Login", lambda r: r.login, lambda r: fold(r.login)),
}
assert list(LEARNER_COLUMNS) == list(LearnerColumn)


def _groups_tooltip(row: LearnerRow, column: int) -> str | None:
    """Every group of the learner, one a line (the column may be too narrow for them)."""
    if column == LearnerColumn.GROUPS and row.groups:
        return "\n".join(row.groups)
    return None


class LearnerTableModel(RowTableModel[LearnerRow]):
    """One row per learner (a :class:`LearnerRow` snapshot)."""

    columns = tuple(LEARNER_COLUMNS.values())

    def cell_tooltip(self, row: LearnerRow, column: int) -> str | None:
        return _groups_tooltip(row, column)


class LearnerFilterProxy(SnapshotProxy):
    """Search text (names, UPN, SIMS number, login; case and accents ignored), year group,
    group and whether learners who have left are shown."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tokens: list[str] = []
        self._year_group: int | None = None
        self._group: str | None = None
        self._show_left = False

    def set_search_text(self, text: str) -> None:
        tokens = search_tokens(text)
        if tokens != self._tokens:
            self._tokens = tokens
            self.filter_changed()

    def set_year_group(self, year_group: int | None) -> None:
        if year_group != self._year_group:
            self._year_group = year_group
            self.filter_changed()

    def set_group(self, group: str | None) -> None:
        if group != self._group:
            self._group = group
            self.filter_changed()

    def set_show_left(self, show: bool) -> None:
        if show != self._show_left:
            self._show_left = show
            self.filter_changed()

    @property
    def show_left(self) -> bool:
        return self._show_left

    def accepts(self, row: LearnerRow) -> bool:
        if not self._show_left and row.status not in CURRENT:
            return False
        if self._year_group is not None and row.year_group != self._year_group:
            return False
        if self._group is not None and self._group not in row.groups:
            return False
        return matches(row.search_key, self._tokens)

    def counted_rows(self) -> int:
        """The learners this view could show with no search or filter (left ones if asked)."""
        rows = self.source_rows()
        if self._show_left:
            return len(rows)
        return sum(1 for row in rows if row.status in CURRENT)


class Only(IntEnum):
    """The narrower lists the Learners tab offers besides the search and filters."""

    EVERYONE = 0
    TO_CHECK = 1  # created in class, waiting for an administrator
    UNUSED_SECONDARY = 2  # holding a secondary password not yet used


class LearnerListModel(ColumnTableModel[LearnerRow]):
    """The Learners tab's table: a whole school, filtered and sorted in Python, shown lazily.

    Every learner's snapshot is held, but the view sees only the rows fetched so far
    (``canFetchMore``/``fetchMore`` in batches of :attr:`BATCH`), so a school of 100,000
    learners costs the view no more than one of 1,000. Filtering is a few list passes over
    precomputed keys, and sorting sorts row positions on a key computed once per column;
    each change resets the model, which with lazy fetching is cheap.
    """

    BATCH = 256
    columns = LearnerTableModel.columns

    def cell_tooltip(self, row: LearnerRow, column: int) -> str | None:
        return _groups_tooltip(row, column)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[LearnerRow] = []
        self._by_id: dict[int, int] = {}
        self._order: list[int] = []  # every position, in the current sort order
        self._shown: list[int] = []  # the positions that pass the filters, in that order
        self._fetched = 0
        self._announcing = False
        self._sort_keys: dict[int, list[Any]] = {}
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._tokens: list[str] = []
        self._year_group: int | None = None
        self._group: str | None = None
        self._show_left = False
        self._only = Only.EVERYONE
        self._unused_secondary: frozenset[int] = frozenset()

    # --- the rows -------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[LearnerRow], unused_secondary: Iterable[int] = ()) -> None:
        """Replace every learner (and the ids holding an unused secondary password)."""
        self._rows = list(rows)
        self._by_id = {row.id: position for position, row in enumerate(self._rows)}
        self._unused_secondary = frozenset(unused_secondary)
        self._sort_keys = {}
        self._order = self._sorted_positions()
        self._refilter()

    def rows(self) -> list[LearnerRow]:
        """Every learner held, in the order loaded (the list itself: do not change it)."""
        return self._rows

    def row_at(self, row: int) -> LearnerRow:
        """The learner shown on ``row``."""
        return self._rows[self._shown[row]]

    def shown_rows(self) -> list[LearnerRow]:
        """Every learner passing the filters, in view order (fetched or not)."""
        rows = self._rows
        return [rows[position] for position in self._shown]

    def match_count(self) -> int:
        """How many learners pass the search and filters."""
        return len(self._shown)

    def counted_rows(self) -> int:
        """The learners the tab could show with no search or filter (left ones if asked)."""
        if self._show_left:
            return len(self._rows)
        return sum(1 for row in self._rows if row.status in CURRENT)

    def joining_count(self) -> int:
        """Learners joining next academic year among those the tab holds."""
        joining = LearnerStatus.JOINING
        return sum(1 for row in self._rows if row.status is joining)

    def has_unused_secondary(self, learner_id: int) -> bool:
        return learner_id in self._unused_secondary

    def view_row_of(self, learner_id: int) -> int | None:
        """The view row of a learner, fetching up to it; None if filtered out or absent."""
        position = self._by_id.get(learner_id)
        if position is None:
            return None
        try:
            row = self._shown.index(position)
        except ValueError:
            return None
        if row >= self._fetched:
            self._fetch_to(row + 1)
        return row

    # --- filters --------------------------------------------------------------------------
    def set_search_text(self, text: str) -> None:
        tokens = search_tokens(text)
        if tokens != self._tokens:
            self._tokens = tokens
            self._refilter()

    def set_year_group(self, year_group: int | None) -> None:
        if year_group != self._year_group:
            self._year_group = year_group
            self._refilter()

    def set_group(self, group: str | None) -> None:
        if group != self._group:
            self._group = group
            self._refilter()

    def set_show_left(self, show: bool) -> None:
        if show != self._show_left:
            self._show_left = show
            self._refilter()

    def set_only(self, only: Only) -> None:
        if only != self._only:
            self._only = only
            self._refilter()

    @property
    def show_left(self) -> bool:
        return self._show_left

    def _refilter(self) -> None:
        rows = self._rows
        shown = self._order
        # One pass per setting in force, each a plain comprehension: fast for 100,000.
        if not self._show_left:
            shown = [p for p in shown if rows[p].status in CURRENT]
        if self._only is Only.TO_CHECK:
            shown = [p for p in shown if rows[p].needs_check]
        elif self._only is Only.UNUSED_SECONDARY:
            unused = self._unused_secondary
            shown = [p for p in shown if rows[p].id in unused]
        if self._year_group is not None:
            year = self._year_group
            shown = [p for p in shown if rows[p].year_group == year]
        if self._group is not None:
            group = self._group
            shown = [p for p in shown if group in rows[p].groups]
        for token in self._tokens:
            shown = [p for p in shown if token in rows[p].search_key]
        self._announcing = True
        try:
            self.beginResetModel()
            self._shown = shown
            self._fetched = min(self.BATCH, len(shown))
            self.endResetModel()
        finally:
            self._announcing = False

    # --- sorting --------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every learner on the column's native key (dates as dates, years as numbers)."""
        if not -1 <= column < len(self.columns) or (column, order) == self._sort:
            return
        self._sort = (column, order)
        self._order = self._sorted_positions()
        self._refilter()

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    def _sorted_positions(self) -> list[int]:
        column, order = self._sort
        positions = list(range(len(self._rows)))
        if column < 0:
            return positions  # as loaded: register order
        keys = self._sort_keys.get(column)
        if keys is None:
            spec, rows = self.columns[column], self._rows
            sort, display = spec.sort, spec.display
            keys = [sort(r) for r in rows] if sort else [fold(display(r)) for r in rows]
            self._sort_keys[column] = keys
        # Stable, so equal keys keep register order; reversed keeps that order too.
        positions.sort(key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        return positions

    # --- fetching as the view scrolls -----------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._fetched < len(self._shown)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        # A listener asking for more while a change is being announced would start a change
        # inside another; views ask again when they scroll, so this request may be dropped.
        if not parent.isValid() and not self._announcing:
            self._fetch_to(self._fetched + self.BATCH)

    def _fetch_to(self, count: int) -> None:
        count = min(count, len(self._shown))
        if count <= self._fetched:
            return
        self._announcing = True
        try:
            self.beginInsertRows(QModelIndex(), self._fetched, count - 1)
            self._fetched = count
            self.endInsertRows()
        finally:
            self._announcing = False

    # --- Qt's interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._fetched

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._fetched:
            return None
        return self.cell_data(self._rows[self._shown[index.row()]], index.column(), role)
