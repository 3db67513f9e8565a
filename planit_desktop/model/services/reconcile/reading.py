"""The MIS's side: each row of the file read with the import's validators, field by field.

The import refuses a row with any bad cell; a comparison reads what it can. A learner whose
ethnicity code is unknown, or whose date of birth is mistyped, can still be found by UPN:
each detail that cannot be read is left out of the comparison and said on the row, never
guessed. A cell holding a formula is not read at all (its value may not be the one meant),
as the import refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.groups.editing import normalise_group_name
from planit_desktop.model.services.importing.headers import missing_column_problem
from planit_desktop.model.services.importing.table import (
    CellValue,
    Field,
    SourceRow,
    Table,
    is_blank,
)
from planit_desktop.model.validation.dates import parse_date
from planit_desktop.model.validation.names import normalise_name, quoted
from planit_desktop.model.validation.upn import check_upn
from planit_desktop.model.validation.years import parse_year_group

#: The details a comparison reads, in the words of its messages.
_WORDS = {
    Field.FIRST_NAMES: "first name",
    Field.SURNAME: "surname",
    Field.DATE_OF_BIRTH: "date of birth",
    Field.YEAR_GROUP: "year group",
    Field.TUTOR_GROUP: "tutor group",
    Field.UPN: "UPN",
    Field.SIMS_NUMBER: "SIMS number",
}

NO_IDENTIFYING_COLUMN = (
    "The file has nothing that identifies its learners: it needs a UPN column, an admission "
    "(SIMS) number column, or first names, surnames and dates of birth together. Export "
    "the roll from the MIS with those columns and compare again. Nothing was changed."
)


@dataclass(frozen=True, slots=True)
class MisRow:
    """One learner of the MIS file, each detail as stored by Plan-it, or None if absent or
    unreadable (``problems`` says which and why)."""

    number: int
    first_names: str | None
    surname: str | None
    date_of_birth: date | None
    year_group: int | None
    tutor_group: str | None
    upn: str | None
    sims_number: str | None
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_names, self.surname) if part) or "(no name)"


def _text(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 7.0 from a numeric cell is "7"
    return " ".join(str(value).split())


def _read(
    row: SourceRow, field: Field, parse: Callable[[CellValue], object], problems: list[str]
) -> object:
    if field in row.formulas:
        problems.append(f"The {_WORDS[field]} is a formula, so it was not compared.")
        return None
    value = row.values.get(field)
    if is_blank(value):
        return None
    try:
        return parse(value)
    except InvalidInput as error:
        problems.append(f"The {_WORDS[field]} was not compared: {error.message}")
        return None


def _upn(value: CellValue) -> str:
    checked = check_upn(value)
    if checked.error:
        raise InvalidInput(checked.error)
    return checked.upn


def _sims(value: CellValue) -> str:
    if isinstance(value, bool):
        raise InvalidInput(f"{quoted(value)} is not a SIMS number.")
    text = _text(value)
    if len(text) > 20:
        raise InvalidInput(f"{quoted(text)} is too long for a SIMS number.")
    return text


def read_row(table: Table, row: SourceRow) -> MisRow:
    """One row of ``table`` as a :class:`MisRow`."""
    problems: list[str] = []
    first = _read(row, Field.FIRST_NAMES, lambda v: normalise_name(v, field="first name"), problems)
    surname = _read(row, Field.SURNAME, lambda v: normalise_name(v, field="surname"), problems)
    born = _read(
        row, Field.DATE_OF_BIRTH, lambda v: parse_date(v, date1904=table.date1904), problems
    )
    year = _read(row, Field.YEAR_GROUP, parse_year_group, problems)
    tutor = _read(row, Field.TUTOR_GROUP, lambda v: normalise_group_name(_text(v)), problems)
    upn = _read(row, Field.UPN, _upn, problems)
    sims = _read(row, Field.SIMS_NUMBER, _sims, problems)
    return MisRow(
        row.number,
        first if isinstance(first, str) else None,
        surname if isinstance(surname, str) else None,
        born if isinstance(born, date) else None,
        year if isinstance(year, int) else None,
        tutor if isinstance(tutor, str) else None,
        upn if isinstance(upn, str) else None,
        sims if isinstance(sims, str) else None,
        tuple(problems),
    )


def read_rows(table: Table) -> tuple[MisRow, ...]:
    """Every row of ``table``, read."""
    return tuple(read_row(table, row) for row in table.rows)


def file_problems(table: Table, rows: tuple[MisRow, ...]) -> list[str]:
    """What stops a comparison with this file at all (nothing is compared or changed).

    The import's file-wide problems hold, except its demand for the columns an import needs
    and a comparison does not (gender, say): a comparison needs only something that
    identifies each learner.
    """
    unneeded = {missing_column_problem(field) for field in table.missing_columns}
    problems = [problem for problem in table.problems if problem not in unneeded]
    if rows and not any(
        row.upn or row.sims_number or (row.first_names and row.surname and row.date_of_birth)
        for row in rows
    ):
        problems.append(NO_IDENTIFYING_COLUMN)
    return problems
