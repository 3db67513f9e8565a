"""The Learners table: every learner the coordinator may see, searchable and filterable."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from planit_desktop.model.entities import LearnerStatus
from planit_desktop.model.services.learners import LearnerRow, matches, search_tokens
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.tables.base import Column, RowTableModel, SnapshotProxy, fold

STATUS_TEXT = {
    LearnerStatus.ON_ROLL: "On roll",
    LearnerStatus.LEFT: "Not at my provider",
    LearnerStatus.COMPLETED: "Completed",
}


def status_text(status: LearnerStatus | str) -> str:
    return STATUS_TEXT.get(LearnerStatus(status), str(status))


def _birth_order(row: LearnerRow) -> int:
    # Day numbers sort as dates do, and Qt compares them natively.
    return row.date_of_birth.toordinal()


class LearnerColumn(IntEnum):
    SURNAME = 0
    FIRST_NAMES = 1
    DATE_OF_BIRTH = 2
    YEAR_GROUP = 3
    GROUPS = 4
    UPN = 5
    SIMS_NUMBER = 6
    STATUS = 7
    LOGIN = 8


class LearnerTableModel(RowTableModel[LearnerRow]):
    """One row per learner (a :class:`LearnerRow` snapshot)."""

    columns = (
        Column("Surname", lambda r: r.surname, lambda r: r.sort_name),
        Column(
            "First names",
            lambda r: r.first_names,
            lambda r: f"{r.first_names.casefold()}\x00{r.surname.casefold()}",
        ),
        Column("Date of birth", lambda r: format_date(r.date_of_birth), _birth_order),
        Column("Year group", lambda r: format_year_group(r.year_group), lambda r: r.year_group),
        Column("Groups", lambda r: ", ".join(r.groups), tooltip="Tutor and Plan-it groups"),
        Column("UPN", lambda r: r.upn or "", tooltip="Unique Pupil Number"),
        Column("SIMS number", lambda r: r.sims_number or "", lambda r: r.sims_number or ""),
        Column("Status", lambda r: status_text(r.status)),
        Column("Login", lambda r: r.login, lambda r: fold(r.login)),
    )
    assert len(columns) == len(LearnerColumn)

    def cell_tooltip(self, row: LearnerRow, column: int) -> str | None:
        if column == LearnerColumn.GROUPS and row.groups:
            return "\n".join(row.groups)
        return None


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
        if not self._show_left and row.status is not LearnerStatus.ON_ROLL:
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
        return sum(1 for row in rows if row.status is LearnerStatus.ON_ROLL)
