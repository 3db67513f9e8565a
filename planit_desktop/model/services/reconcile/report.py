"""The report of a comparison with the MIS, for the school's records: what was compared, what
was found in each category, and what the coordinator decided.

A workbook: Summary, then one sheet per category. Written through the house's helpers
(:mod:`..workbooks`): every cell is text that can never become a formula, the file is made
private and written whole under a temporary name before it is renamed. It names learners, so
it is written through :func:`~planit_desktop.model.personal_files.write_recorded`, which
records it in the audit log (:data:`REPORT_WHAT`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.reconcile.comparing import Category
from planit_desktop.model.services.reconcile.review import Choice, Review
from planit_desktop.model.services.reconcile.words import (
    action_text,
    choice_text,
    learner_text,
    mis_text,
    planit_text,
)
from planit_desktop.model.services.workbooks import save_atomically, text_cell
from planit_desktop.model.validation.years import format_year_group

#: How the audit log names the report.
REPORT_WHAT = "MIS check report"
HEADINGS = (
    "Decision",
    "Row in the file",
    "Plan-it learner",
    "Learner id",
    "Matched on",
    "In Plan-it",
    "In the MIS file",
    "What accepting does",
    "Note",
)
_WIDTHS = (11, 9, 30, 10, 20, 34, 34, 40, 50)


def write_reconcile_report(
    review: Review, path: Path | str, *, by: str, now: datetime | None = None
) -> Path:
    """Write the report of ``review`` to ``path`` (.xlsx); ``by`` is who compared."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(
            f"The report is an Excel workbook: give a name ending .xlsx, not {target.name}."
        )
    comparison = review.comparison
    when = (now or datetime.now()).strftime("%d/%m/%Y %H:%M")

    def write(temporary: Path) -> None:
        workbook = Workbook(write_only=True)
        summary = workbook.create_sheet("Summary")
        summary.column_dimensions["A"].width = 34
        summary.column_dimensions["B"].width = 70
        bold = Font(bold=True)

        def line(*values: object, strong: bool = False) -> None:
            cells = [text_cell(summary, value) for value in values]
            if strong:
                for cell in cells:
                    cell.font = bold
            summary.append(cells)

        line("Check against the MIS", strong=True)
        line("File", comparison.source_name)
        line("Compared by", by)
        line("Compared on", when)
        line("Plan-it's academic year", format_academic_year(comparison.academic_year))
        line("The file's academic year", format_academic_year(comparison.file_year))
        line("Summary", comparison.summary())
        for problem in comparison.problems:
            line("Refused", problem)
        for warning in comparison.warnings:
            line("Warning", warning)
        for note in comparison.notes:
            line("Note", note)
        line()
        line("Category", "Found · accepted · skipped · undecided", strong=True)
        for category in Category:
            tally = review.tally(category)
            line(
                category.heading,
                f"{len(comparison.rows_of(category)):,} · {tally[Choice.ACCEPTED]:,} · "
                f"{tally[Choice.SKIPPED]:,} · {tally[Choice.UNDECIDED]:,}",
            )
        line()
        line("Year group", "In the file · on roll in Plan-it", strong=True)
        for count in comparison.by_year:
            line(
                _year(count.file_year),
                f"{count.in_file:,} · {count.on_roll:,} ({_year(count.planit_year)} now)",
            )
        for category in Category:
            _category_sheet(workbook, review, category, bold)
        workbook.save(temporary)

    return save_atomically(write, target, what="The MIS check report")


def _year(value: int) -> str:
    try:
        return format_year_group(value)
    except ValueError:
        return str(value)


def _category_sheet(workbook: object, review: Review, category: Category, bold: object) -> None:
    sheet = workbook.create_sheet(category.heading[:31])  # type: ignore[attr-defined]
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(65 + index)].width = width
    sheet.freeze_panes = "A2"
    headings = [text_cell(sheet, heading) for heading in HEADINGS]
    for cell in headings:
        cell.font = bold
    sheet.append(headings)
    for difference in review.comparison.rows_of(category):
        values: Sequence[object] = (
            choice_text(review, difference) or "Undecided",
            "" if difference.row_number is None else str(difference.row_number),
            learner_text(difference),
            "" if difference.learner_id is None else str(difference.learner_id),
            "" if difference.matched_on is None else difference.matched_on.value,
            planit_text(difference),
            mis_text(difference),
            action_text(review, difference),
            difference.note,
        )
        sheet.append([text_cell(sheet, value) for value in values])
