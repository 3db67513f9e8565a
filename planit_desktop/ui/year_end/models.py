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

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor

from planit_desktop.model.services.learners.roll import LearnerRow, matches, search_tokens
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
from planit_desktop.ui.common.table_model import Column, RowTableModel, SnapshotProxy
from planit_desktop.ui.learners.table import LEARNER_COLUMNS, LearnerColumn

_OPEN = QColor(255, 190, 60, 60)
_DONE = QColor(60, 170, 90, 50)
_EXCEPTION = QColor(80, 140, 230, 45)


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
        happens = self.outcome(row)
        if happens is Outcome.LEAVES:
            return 1000
        if happens is Outcome.COMPLETES:
            return row.year_group + 500
        if happens is Outcome.KEPT_BACK:
            return row.year_group
        return rule.moved_up(row.year_group)

    def cell_background(self, row: LearnerRow, column: int) -> Any:
        if column == YearEndColumn.AFTER and self.exception(row.id) is not Choice.MOVES_UP:
            return _EXCEPTION
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

    # --- the numbers, worked out from the plan and the choices only -------------------------
    def _chosen(self) -> Iterable[tuple[Outcome, Outcome, int]]:
        """For each learner with a choice: what the rule alone does, what is chosen, and
        their year group now."""
        for learner_id in self.kept_back | set(self.leaving):
            row = self.rows()[self._row_of[learner_id]]
            as_ruled = rule.outcome(row.year_group, self.highest_year)
            yield as_ruled, self.outcome(row), row.year_group

    def counts_after(self, plan: RolloverPlan) -> dict[int, int]:
        """Learners on roll per year group after the year end, with these choices (``plan``
        is the plan without any)."""
        after = Counter(plan.learners_by_year_after)
        for as_ruled, chosen, year in self._chosen():
            ruled_year = year_group_after(year, as_ruled)
            if ruled_year is not None:
                after[ruled_year] -= 1
            chosen_year = year_group_after(year, chosen)
            if chosen_year is not None:
                after[chosen_year] += 1
        return {year: count for year, count in sorted(after.items()) if count > 0}

    def changes(self, plan: RolloverPlan) -> tuple[int, int]:
        """(moving up, completing the top year) with these choices."""
        moving, completing = plan.moving_up, plan.completed
        for as_ruled, _chosen, _year in self._chosen():
            if as_ruled is Outcome.MOVES_UP:
                moving -= 1
            else:
                completing -= 1
        return moving, completing


class YearEndLearnerProxy(SnapshotProxy):
    """Search (names, UPN, SIMS number, login), year group, group, and exceptions only."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.tokens: list[str] = []
        self.year_group: int | None = None
        self.group: str | None = None
        self.only_exceptions = False

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
        self.filter_changed()

    def accepts(self, row: LearnerRow) -> bool:
        if self.year_group is not None and row.year_group != self.year_group:
            return False
        if self.group is not None and self.group not in row.groups:
            return False
        if self.only_exceptions:
            model = self.sourceModel()
            if not isinstance(model, YearEndLearnerModel):
                return False
            if model.exception(row.id) is Choice.MOVES_UP:
                return False
        return not self.tokens or matches(row.search_key, self.tokens)

    def learner_ids(self) -> list[int]:
        """Every learner shown, in view order."""
        return [self.row_at(row).id for row in range(self.rowCount())]


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


class CheckModel(RowTableModel[CheckRow]):
    columns = (
        Column("What to look at", lambda r: r.message),
        Column(
            "How many",
            lambda r: f"{len(r.learner_ids) or len(r.year_groups):,}",
            lambda r: len(r.learner_ids) or len(r.year_groups),
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
            return _DONE
        if column == 1 and row.looks_open and not row.done:
            return _OPEN
        return None

    def cell_tooltip(self, row: ChecklistItem, column: int) -> str | None:
        return row.explanation
