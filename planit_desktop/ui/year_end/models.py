"""Table models of the year end: learners with their year group after the rollover (and the
coordinator's choices), supervisors losing access, checks, and the checklist.

Rows are snapshots from the services; the learners model keeps the choices beside the rows
and redraws only the rows that changed, so a whole school stays quick to mark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QItemSelectionRange,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView

from planit_desktop.model.services.learners.roll import LearnerRow, search_tokens
from planit_desktop.model.services.year_end import (
    AccessLoss,
    Choice,
    LeavingDetails,
    RolloverPlan,
    YearEndChoices,
    rule,
)
from planit_desktop.model.services.year_end.checklist import ChecklistItem
from planit_desktop.model.services.year_end.rule import Outcome, year_group_after
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.styles import State, row_tint
from planit_desktop.ui.common.table_model import (
    Column,
    ColumnTableModel,
    Index,
    RowTableModel,
    fold,
)
from planit_desktop.ui.learners.table import LEARNER_COLUMNS, LearnerColumn


class YearEndColumn(IntEnum):
    """The year end's learners: four of a learner's columns, then the year group now and after."""

    SURNAME = 0
    FIRST_NAMES = 1
    DATE_OF_BIRTH = 2
    GROUPS = 3
    NOW = 4
    AFTER = 5


#: The year end's columns that are a learner's, as every list of learners shows them.
_LEARNERS_OWN = tuple(
    LEARNER_COLUMNS[LearnerColumn[column.name]]
    for column in YearEndColumn
    if column.name in LearnerColumn.__members__
)


class YearEndLearnerModel(RowTableModel[LearnerRow]):
    """Learners on roll: their year group now and after the year end. A view over the
    learners' part of the coordinator's :class:`YearEndChoices` (kept back, leaving): what
    each learner's row says comes from the year end's rule with those choices."""

    #: The choices changed (kept back, leaving): counts and charts follow.
    sig_exceptions_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.highest_year = 11
        self.choices = YearEndChoices()
        self._row_of: dict[int, int] = {}
        self._year_of: dict[int, int] = {}
        self._ruled_order: dict[int, int] = {}  # year group -> its sort key, by the rule
        self.columns = (
            *_LEARNERS_OWN,
            Column("Now", lambda r: format_year_group(r.year_group), lambda r: r.year_group),
            Column("After the year end", self.after_text, self._after_order),
        )

    @property
    def kept_back(self) -> frozenset[int]:
        return self.choices.kept_back

    @property
    def leaving(self) -> Mapping[int, LeavingDetails]:
        return self.choices.leaving

    def set_learners(self, rows: list[LearnerRow], highest_year: int) -> None:
        self.highest_year = highest_year
        self.choices = YearEndChoices()
        self.set_rows(rows)
        self._row_of = {row.id: index for index, row in enumerate(self.rows())}
        self._year_of = {row.id: row.year_group for row in self.rows()}
        self._ruled_order = {}
        self.sig_exceptions_changed.emit()

    def exception(self, learner_id: int) -> Choice:
        return self.choices.choice(learner_id)

    def outcome(self, row: LearnerRow) -> Outcome:
        return self.choices.outcome(row.id, row.year_group, self.highest_year)

    def after_text(self, row: LearnerRow) -> str:
        happens = self.outcome(row)
        if happens is Outcome.KEPT_BACK:
            return f"{format_year_group(row.year_group)} (kept back)"
        if happens is Outcome.LEAVES:
            details = self.leaving[row.id]
            when = "" if details.left_on is None else f" on {format_date(details.left_on)}"
            return f"Leaving{when}: {details.reason}"
        if happens is Outcome.COMPLETES:
            return f"Completes {format_year_group(row.year_group)}"
        return format_year_group(rule.moved_up(row.year_group))

    def _after_order(self, row: LearnerRow) -> int:
        # By the year group after; those completing after everyone on roll, leavers last.
        # Asked for every learner when sorted by this column: the rule's answer is worked
        # out once per year group.
        if row.id in self.choices.leaving:
            return 1000
        if row.id in self.choices.kept_back:
            return row.year_group
        order = self._ruled_order.get(row.year_group)
        if order is None:
            ruled = rule.outcome(row.year_group, self.highest_year)
            completes = ruled is Outcome.COMPLETES
            order = row.year_group + 500 if completes else rule.moved_up(row.year_group)
            self._ruled_order[row.year_group] = order
        return order

    def cell_background(self, row: LearnerRow, column: int) -> Any:
        if column == YearEndColumn.AFTER and self.exception(row.id) is not Choice.MOVES_UP:
            return row_tint(State.MARKED)
        return None

    # --- changing the choices --------------------------------------------------------------
    def set_exception(
        self, learner_ids: Iterable[int], kind: Choice, details: LeavingDetails | None = None
    ) -> int:
        """Mark ``learner_ids`` (known learners only); returns how many were marked."""
        ids = [i for i in learner_ids if i in self._row_of]
        if ids:
            self.choices = self.choices.with_choice(ids, kind, details)
            rows = [self._row_of[i] for i in ids]
            self.dataChanged.emit(
                self.index(min(rows), 0), self.index(max(rows), len(self.columns) - 1)
            )
            self.sig_exceptions_changed.emit()
        return len(ids)

    def restore(self, choices: YearEndChoices) -> None:
        """Put back saved choices (from a draft) in one go; learners no longer listed are
        left out."""
        self.choices = YearEndChoices(
            kept_back=frozenset(i for i in choices.kept_back if i in self._row_of),
            leaving={i: d for i, d in choices.leaving.items() if i in self._row_of},
        )
        if self.rows():
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows()) - 1, len(self.columns) - 1)
            )
        self.sig_exceptions_changed.emit()

    def learner(self, learner_id: int) -> LearnerRow | None:
        index = self._row_of.get(learner_id)
        return None if index is None else self.rows()[index]

    def position_of(self, learner_id: int) -> int:
        """The learner's row in this model, or -1 for a learner not listed."""
        return self._row_of.get(learner_id, -1)

    # --- the numbers, worked out from the plan and the choices only -------------------------
    def _chosen(self) -> Counter[tuple[int, Outcome, Outcome]]:
        """How many learners with a choice there are for each (year group now, what the rule
        alone does, what is chosen): counted in one pass over the choices, so the numbers
        cost the same whether one learner or a whole year group was marked."""
        year_of, top = self._year_of.__getitem__, self.highest_year
        tally: Counter[tuple[int, Outcome, Outcome]] = Counter()
        # Leaving wins where a learner is in both (as in :meth:`YearEndChoices.outcome`).
        leaving = self.leaving.keys()
        for ids, kept in ((self.kept_back - leaving, True), (leaving, False)):
            years = Counter(map(year_of, ids))
            for year, count in years.items():
                as_ruled = rule.outcome(year, top)
                chosen = rule.outcome(year, top, kept_back=kept, leaving=not kept)
                tally[year, as_ruled, chosen] += count
        return tally

    def counts_after(self, plan: RolloverPlan) -> dict[int, int]:
        """Learners on roll per year group after the year end, with these choices (``plan``
        is the plan without any)."""
        after = Counter(plan.learners_by_year_after)
        for (year, as_ruled, chosen), count in self._chosen().items():
            ruled_year = year_group_after(year, as_ruled)
            if ruled_year is not None:
                after[ruled_year] -= count
            chosen_year = year_group_after(year, chosen)
            if chosen_year is not None:
                after[chosen_year] += count
        return {year: count for year, count in sorted(after.items()) if count > 0}

    def changes(self, plan: RolloverPlan) -> tuple[int, int]:
        """(moving up, completing the top year) with these choices."""
        moving, completing = plan.moving_up, plan.completed
        for (_year, as_ruled, _chosen), count in self._chosen().items():
            if as_ruled is Outcome.MOVES_UP:
                moving -= count
            else:
                completing -= count
        return moving, completing


class YearEndLearnerProxy(ColumnTableModel[LearnerRow]):
    """The learners the Year groups step shows: the wizard's :class:`YearEndLearnerModel`
    searched (names, UPN, SIMS number, login), narrowed by year group, group and "kept back
    or leaving only", and sorted.

    Not a QSortFilterProxyModel: that one announces a filter change as a run of row
    insertions and removals, and each makes the view's selection model rework every range it
    holds, so changing the filter with a whole year group selected took minutes. Here the
    filters are a few list passes and the sort one key per learner, and every change of what
    is shown is one model reset.

    The selection is of the list shown: another search or filter is another list and starts
    a new selection (so that nobody marks thousands of learners selected out of sight), while
    re-sorting, or a mark taking learners out of "kept back or leaving only", keeps it
    (:class:`KeptSelection`).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tokens: list[str] = []
        self.year_group: int | None = None
        self.group: str | None = None
        self.only_exceptions = False
        self._source: YearEndLearnerModel | None = None
        self._shown: list[int] = []  # positions in the source's rows, in view order
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        #: While a reset is announced: whether it is the same list re-sorted or thinned by
        #: a choice (see :meth:`_refilter`).
        self.same_list = False
        self._order: list[int] | None = None  # every position in sort order (None: redo)
        self._keys: dict[int, list[Any]] = {}  # column -> each source row's sort key

    # --- the learners model behind it ------------------------------------------------------
    def set_source(self, model: YearEndLearnerModel) -> None:
        """Show ``model``'s learners (once; the wizard keeps one model)."""
        if self._source is model:
            return
        self._source = model
        self.columns = model.columns
        self._keys = {}
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(self._source_changed)
        model.sig_exceptions_changed.connect(self._choices_changed)
        self._order = None
        self._refilter(force=True)  # the columns arrive with the model

    def source(self) -> YearEndLearnerModel | None:
        return self._source

    def _rows(self) -> list[LearnerRow]:
        return [] if self._source is None else self._source.rows()

    def _source_reset(self) -> None:
        self._order, self._keys = None, {}
        self._refilter(force=True)  # new snapshots, even if in the same places

    def _source_changed(self, *_args: object) -> None:
        # Only the year group after changes with a choice: one signal for every row shown,
        # however many learners were marked (the view repaints only what it shows).
        if self._shown:
            last = len(self.columns) - 1
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, last))

    def _choices_changed(self) -> None:
        # The same list, re-sorted or less those no longer kept back or leaving.
        if self._sort[0] == YearEndColumn.AFTER:
            self._order = None  # sorted on what the choices change
            self._refilter(same_list=True)
        elif self.only_exceptions:
            self._refilter(same_list=True)

    # --- filters and sorting ---------------------------------------------------------------
    def set_filters(
        self,
        *,
        text: str | None = None,
        year_group: int | None | bool = False,
        group: str | None | bool = False,
        only_exceptions: bool | None = None,
    ) -> None:
        """Change any of the filters (``False`` for year_group/group: leave as it is)."""
        if text is not None:
            self.tokens = search_tokens(text)
        if year_group is not False:
            self.year_group = year_group
        if group is not False:
            self.group = group  # type: ignore[assignment]
        if only_exceptions is not None:
            self.only_exceptions = only_exceptions
        self._refilter()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every learner on the column's own key (dates as dates, years as numbers)."""
        if (column, order) == self._sort:
            return
        self._sort = (column, order)
        self._order = None
        self._refilter(same_list=True)

    def _sorted(self) -> list[int]:
        if self._order is None:
            rows = self._rows()
            positions = list(range(len(rows)))
            column, order = self._sort
            if 0 <= column < len(self.columns):
                keys = self._keys.get(column)
                if keys is None:
                    spec = self.columns[column]
                    key, display = spec.sort, spec.display
                    keys = [key(r) for r in rows] if key else [fold(display(r)) for r in rows]
                    if column != YearEndColumn.AFTER:  # the others do not change with choices
                        self._keys[column] = keys
                # Stable, so equal keys keep register order, reversed too.
                positions.sort(key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
            self._order = positions
        return self._order

    def _refilter(self, *, force: bool = False, same_list: bool = False) -> None:
        """Work out the learners shown; a reset when they changed. ``same_list``: the list
        was only re-sorted or lost learners to a choice (the selection stays); otherwise it is
        another list (the selection goes)."""
        rows, source = self._rows(), self._source
        shown = self._sorted()
        # One pass per filter in force, each a plain comprehension: quick for 100,000.
        if self.year_group is not None:
            year = self.year_group
            shown = [p for p in shown if rows[p].year_group == year]
        if self.group is not None:
            group = self.group
            shown = [p for p in shown if group in rows[p].groups]
        if self.only_exceptions and source is not None:
            chosen = source.kept_back | source.leaving.keys()
            shown = [p for p in shown if rows[p].id in chosen]
        for token in self.tokens:
            shown = [p for p in shown if token in rows[p].search_key]
        if shown == self._shown and not force:
            return  # the same learners in the same order: nothing to redraw
        self.same_list = same_list
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()
        self.same_list = False

    # --- what is shown ---------------------------------------------------------------------
    def row_at(self, row: int) -> LearnerRow:
        """The learner shown on view row ``row``."""
        return self._rows()[self._shown[row]]

    def learner_ids(self, view_rows: Iterable[int] | None = None) -> list[int]:
        """The learners on ``view_rows`` (every learner shown by default), in that order."""
        rows, shown = self._rows(), self._shown
        if view_rows is None:
            return [rows[p].id for p in shown]
        return [rows[shown[r]].id for r in view_rows]

    def view_rows_of(self, learner_ids: Iterable[int]) -> list[int]:
        """The view rows of those of ``learner_ids`` that are shown, top to bottom."""
        if self._source is None:
            return []
        wanted = set(map(self._source.position_of, learner_ids))
        return [row for row, position in enumerate(self._shown) if position in wanted]

    # --- Qt's interface --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self._source
        if source is None or not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        return source.cell_data(source.rows()[self._shown[index.row()]], index.column(), role)


class KeptSelection(QObject):
    """Keeps a table's selected learners selected when the list they are in is re-sorted or
    thinned by a choice (each a model reset of :class:`YearEndLearnerProxy` with
    ``same_list``), as far as they are still shown.

    The learners are noted before the reset and selected again after it with one call,
    adjacent rows merged into ranges, so the cost follows the learners selected, never
    the row-by-row bookkeeping of the selection model.
    """

    def __init__(self, view: QAbstractItemView, model: YearEndLearnerProxy) -> None:
        super().__init__(view)
        self.view, self.model = view, model
        self._noted: list[int] = []
        model.modelAboutToBeReset.connect(self._note)
        model.modelReset.connect(self._select_again)

    def selected_rows(self) -> list[int]:
        """The view rows selected, top to bottom, read from the selection's ranges (asking
        for every selected cell is slow when a whole year group is selected)."""
        selection = self.view.selectionModel()
        if selection is None:
            return []
        rows: set[int] = set()
        # PySide6 iterates a QItemSelection (a list of ranges); its stubs do not say so.
        for selected in selection.selection():  # type: ignore[attr-defined]
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def _note(self) -> None:
        same = self.model.same_list
        self._noted = self.model.learner_ids(self.selected_rows()) if same else []

    def _select_again(self) -> None:
        noted, self._noted = self._noted, []
        selection = self.view.selectionModel()
        rows = self.model.view_rows_of(noted) if noted else []
        if not rows or selection is None:
            return
        # The rows are known to exist: createIndex spares a bounds check per index.
        last, make = self.model.columnCount() - 1, self.model.createIndex
        ranges = QItemSelection()
        start = previous = rows[0]
        for row in [*rows[1:], -1]:
            if row != previous + 1:
                ranges.append(QItemSelectionRange(make(start, 0), make(previous, last)))
                start = row
            previous = row
        # The view repaints whole after a reset: told of the selection with updates on, it
        # would first work out the region of every range, most of them off the screen.
        viewport = self.view.viewport()
        viewport.setUpdatesEnabled(False)
        try:
            selection.select(ranges, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            viewport.setUpdatesEnabled(True)
        viewport.update()


class AccessLossModel(RowTableModel[AccessLoss]):
    """Supervisors and the groups whose access ends with the academic year."""

    columns = (
        Column("Supervisor", lambda r: r.name),
        Column("Login", lambda r: r.login),
        Column("Groups they will lose", lambda r: ", ".join(r.groups), lambda r: len(r.groups)),
    )

    def row_id(self, row: AccessLoss) -> int:
        return row.staff_id


@dataclass(frozen=True)
class CheckRow:
    """A problem to look at before the year end (none blocks it)."""

    kind: str
    message: str
    learner_ids: tuple[int, ...] = ()
    year_groups: tuple[int, ...] = ()
    #: For a check of groups: one line per group.
    groups: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.learner_ids) or len(self.year_groups) or len(self.groups)


class CheckModel(RowTableModel[CheckRow]):
    columns = (
        Column("What to look at", lambda r: r.message),
        Column(
            "How many",
            lambda r: f"{r.count:,}",
            lambda r: r.count,
            align_right=True,
        ),
    )

    def row_id(self, row: CheckRow) -> None:
        return None


class ChecklistModel(RowTableModel[ChecklistItem]):
    """The year-end tasks: what the data says, and who marked each done when."""

    columns = (
        Column("Task", lambda r: r.title),
        Column("What the data says", lambda r: r.hint),
        Column(
            "Done", lambda r: r.done_text(), lambda r: r.done_at.isoformat() if r.done_at else ""
        ),
    )

    def row_id(self, row: ChecklistItem) -> None:
        return None

    def cell_background(self, row: ChecklistItem, column: int) -> Any:
        if column == 2 and row.done:
            return row_tint(State.DONE)
        if column == 1 and row.looks_open and not row.done:
            return row_tint(State.WARNING)
        return None

    def cell_tooltip(self, row: ChecklistItem, column: int) -> str | None:
        return row.explanation
