"""The rows left behind by "import the valid rows only", written back for the coordinator.

The workbook has the template's nine columns (so it can be fixed and imported again as it
is) and a "Problems" column saying what was wrong with each row; the import ignores that
column as an unknown heading. Every text is written as text: a name starting with ``=``
never becomes a formula.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from planit_desktop.model.services.importing.cells import Severity
from planit_desktop.model.services.importing.checking import CheckResult, RowCheck
from planit_desktop.model.services.importing.duplicates import Decision
from planit_desktop.model.services.importing.table import CellValue, Field, column_letter
from planit_desktop.model.services.workbooks import save_atomically, set_text

PROBLEMS = "Problems"
SHEET = "Rows to fix"
_TEXT_FIELDS = frozenset({Field.UPN, Field.SIMS_NUMBER, Field.TUTOR_GROUP})


def row_problems(row: RowCheck, decision: Decision | None = None) -> list[str]:
    """What stops ``row`` being imported, one sentence each, naming the column."""
    problems = [
        f"{m.field.value if m.field else m.column}: {m.message}"
        for m in row.messages
        if m.severity is Severity.ERROR
    ]
    undecided = decision not in row.options
    for duplicate in row.duplicates:
        if duplicate.blocking or (duplicate.error_until_decided and undecided):
            problems.append(duplicate.message)
        elif undecided and row.needs_decision:
            problems.append(f"{duplicate.message} (a decision is needed)")
    if not problems and row.draft is None:
        problems.append("This row could not be read.")
    return problems


def _cell(sheet: Any, row: int, column: int, field: Field, value: CellValue) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "dd/mm/yyyy"
        return
    if isinstance(value, bool) or field in _TEXT_FIELDS:
        set_text(cell, _as_text(value))
        return
    if isinstance(value, int | float):
        cell.value = value
        return
    set_text(cell, _as_text(value))


def _as_text(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: How the audit log names the file (recorded by ``personal_files.write_recorded``).
ROWS_TO_FIX_WHAT = "rows to fix"


def write_rejected_rows(
    path: str | os.PathLike[str],
    checked: CheckResult,
    decisions: Mapping[int, Decision] | None = None,
    *,
    rows: Sequence[RowCheck] | None = None,
) -> Path:
    """Write the rows that cannot be imported (``rows``; by default every blocked row).

    Each row keeps its values as they now stand (with the preview's corrections) under the
    template's nine headings, and a last column lists its problems. Written whole, then
    renamed into place; :class:`~planit_desktop.model.errors.Refused` if it cannot be. The
    rows hold learners' details: write them through ``personal_files.write_recorded``, which
    records the file in the audit log (:data:`ROWS_TO_FIX_WHAT`).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    decisions = decisions or {}
    chosen = list(rows) if rows is not None else checked.blocked_rows(decisions)
    source = {row.number: row for row in checked.table.rows}
    fields = list(Field)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([*(f.value for f in fields), PROBLEMS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index in range(len(fields)):
        sheet.column_dimensions[column_letter(index)].width = 16
    problems_column = len(fields) + 1
    sheet.column_dimensions[column_letter(len(fields))].width = 80
    for line, row in enumerate(chosen, start=2):
        values = source[row.number].values if row.number in source else {}
        for column, field in enumerate(fields, start=1):
            _cell(sheet, line, column, field, values.get(field))
        text = "\n".join(row_problems(row, decisions.get(row.number)))
        problem = sheet.cell(row=line, column=problems_column)
        set_text(problem, f"Was {checked.table.row_word.lower()} {row.number}. {text}")
        problem.alignment = Alignment(wrap_text=True, vertical="top")
    return save_atomically(workbook.save, Path(path), what="The rows to fix")
