"""The tables of the MIS check: one per category of difference, and the learners per year group.

Each row is a snapshot (a :class:`Difference`); what the coordinator decided about it lives in
the :class:`Review`, which the model reads when a cell is painted, so a decision changes only
that row's cells (``dataChanged``), never the model's rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from planit_desktop.model.services.reconcile import Choice, Difference, Review, YearCount
from planit_desktop.model.services.reconcile.words import (
    action_text,
    choice_text,
    learner_text,
    mis_text,
    planit_text,
)
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.table_model import Column, RowTableModel, fold

#: The light backgrounds of the Decision column (accepted, skipped), as the import's rows.
_ACCEPTED = QColor("#dff3e4")
_SKIPPED = QColor("#eeeeee")


def _year(value: int) -> str:
    try:
        return format_year_group(value)
    except ValueError:
        return str(value)


class DifferenceModel(RowTableModel[Difference]):
    """The rows of one category, with the coordinator's decision and what accepting does."""

    DECISION = 0

    def __init__(self, review: Review, parent: Any = None) -> None:
        super().__init__(parent)
        self.review = review
        self.columns = (
            Column("Decision", lambda d: choice_text(self.review, d) or "Undecided"),
            Column(
                "Row",
                lambda d: "" if d.row_number is None else str(d.row_number),
                lambda d: d.row_number or 0,
                tooltip="The row of the MIS file",
                align_right=True,
            ),
            Column("Learner", learner_text, lambda d: fold(learner_text(d))),
            Column("Matched on", lambda d: "" if d.matched_on is None else d.matched_on.value),
            Column("In Plan-it", planit_text),
            Column("In the MIS file", mis_text),
            Column("What accepting does", lambda d: action_text(self.review, d)),
            Column("Note", lambda d: d.caution or d.note),
        )

    def row_id(self, row: Difference) -> int | None:
        return row.learner_id

    def set_review(self, review: Review, rows: list[Difference]) -> None:
        """Another review (the comparison worked out again): its rows in one reset."""
        self.review = review
        self.set_rows(rows)

    def refresh(self, rows: list[int]) -> None:
        """The decisions of ``rows`` changed: repaint just their cells."""
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), 0), self.index(max(rows), len(self.columns) - 1)
            )

    def cell_background(self, row: Difference, column: int) -> Any:
        if column != self.DECISION:
            return None
        choice = self.review.decision(row).choice
        if choice is Choice.ACCEPTED:
            return _ACCEPTED
        if choice is Choice.SKIPPED:
            return _SKIPPED
        return None

    def cell_tooltip(self, row: Difference, column: int) -> str | None:
        return row.caution or row.note or None


class FileYearModel(RowTableModel[YearCount]):
    """How many learners the file holds per year group, beside those on roll in Plan-it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = (
            Column("Year group", lambda c: _year(c.file_year), lambda c: c.file_year),
            Column(
                "In the file", lambda c: f"{c.in_file:,}", lambda c: c.in_file, align_right=True
            ),
            Column(
                "On roll in Plan-it",
                lambda c: (
                    f"{c.on_roll:,}"
                    + ("" if c.planit_year == c.file_year else f" ({_year(c.planit_year)} now)")
                ),
                lambda c: c.on_roll,
                align_right=True,
            ),
        )

    def row_id(self, row: YearCount) -> int | None:
        return row.file_year
