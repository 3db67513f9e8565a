"""What every reader produces: one uniform table of learner rows, whatever the file was.

A :class:`Table` keeps the cell values as the file gave them (text, numbers, dates), each row
with its number as the spreadsheet shows it, so that every message can point at the cell the
coordinator must fix.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from planit_desktop.model.errors import InvalidInput

#: The most learner rows one file may hold (a whole authority is a few thousand a year).
MAX_DATA_ROWS = 50_000
#: The most a comparison with the school's MIS may read (:mod:`..reconcile`): a whole roll,
#: which for a trust sharing one database is every year group of every school, 100,000
#: learners or more, where an import is one intake. The cell and text limits of
#: :mod:`.limits` still bound what such a file may make the readers build.
MAX_ROLL_ROWS = 200_000
_row_limit: ContextVar[int] = ContextVar("row_limit", default=MAX_DATA_ROWS)


def data_row_limit() -> int:
    """The most learner rows the file being read may hold (:data:`MAX_DATA_ROWS` unless a
    whole roll is being read, see :func:`rows_allowed`)."""
    return _row_limit.get()


@contextmanager
def rows_allowed(limit: int) -> Iterator[None]:
    """Let the readers take up to ``limit`` learner rows while the block runs (this thread)."""
    token = _row_limit.set(limit)
    try:
        yield
    finally:
        _row_limit.reset(token)


#: Rows searched for the header row.
HEADER_SEARCH_ROWS = 50
#: Columns read at most: a sheet with a value in column XFD is refused, not read.
MAX_COLUMNS = 500

#: A cell value as read: text, number, date, or None for an empty cell.
CellValue = str | int | float | bool | date | datetime | time | timedelta | None


class UnreadableFile(InvalidInput):
    """The file cannot be read as learner data at all (exit status 2); nothing is imported."""


class Field(enum.StrEnum):
    """The nine details the import asks for, named as the template's columns."""

    FIRST_NAMES = "First Names"
    SURNAME = "Surnames"
    DATE_OF_BIRTH = "Date of Birth"
    YEAR_GROUP = "Year Group"
    TUTOR_GROUP = "Tutor Group"
    SEX = "Gender"
    ETHNICITY = "Ethnicity"
    UPN = "UPN"
    SIMS_NUMBER = "SIMS Number"


#: Columns without which no row can be imported.
REQUIRED_FIELDS = (
    Field.FIRST_NAMES,
    Field.SURNAME,
    Field.DATE_OF_BIRTH,
    Field.YEAR_GROUP,
    Field.SEX,
)


class SourceKind(enum.StrEnum):
    SPREADSHEET = "spreadsheet"
    CSV = "csv"
    TRANSFER_FILE = "transfer_file"  # a DfE Common Transfer File: rows are pupils


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """One sheet of a workbook, as offered to the coordinator to choose from."""

    name: str
    hidden: bool


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row: its number as the file shows it, and its values by field."""

    number: int
    values: Mapping[Field, CellValue]
    #: Fields whose cell holds a formula (rejected: the value shown may not be the one meant).
    formulas: frozenset[Field] = frozenset()


@dataclass(frozen=True)
class Table:
    """The learner rows of one sheet (or CSV, or transfer file), ready to be checked."""

    source_name: str
    kind: SourceKind
    sheet: str | None
    header_row: int  # 0 for a transfer file, which has no header row
    #: Field → the column heading as written in the file (for messages).
    headings: Mapping[Field, str]
    #: Field → the column letter (spreadsheets) or element name (transfer files).
    columns: Mapping[Field, str]
    rows: tuple[SourceRow, ...]
    #: Headings found but not used, as written.
    unknown_columns: tuple[str, ...] = ()
    #: Required fields with no column.
    missing_columns: tuple[Field, ...] = ()
    #: Problems with the file as a whole (duplicated headings, formulas a reader could only
    #: find file-wide): any of them means nothing is imported.
    problems: tuple[str, ...] = ()
    #: Notes worth showing that stop nothing (an optional column absent, a field not found).
    notes: tuple[str, ...] = ()
    #: The workbook counts date serial numbers from 1904 (old Mac Excel).
    date1904: bool = False
    sheets: tuple[SheetInfo, ...] = field(default=())
    #: The academic year (its September-start year) the file's year groups are of, when the
    #: file says (a transfer file's header); None: those of the school's current year.
    academic_year: int | None = None

    @property
    def row_word(self) -> str:
        """How a row is named in messages: "Row" in a sheet, "Pupil" in a transfer file."""
        return "Pupil" if self.kind is SourceKind.TRANSFER_FILE else "Row"

    def where(self, field_: Field) -> str:
        """How a column is named in messages: its heading, and its letter in a sheet."""
        heading = self.headings.get(field_, field_.value)
        column = self.columns.get(field_)
        if column and self.kind is not SourceKind.TRANSFER_FILE:
            return f"{heading} (column {column})"
        return heading

    def cell(self, number: int, field_: Field) -> str:
        """The one cell a message is about: "cell B5" in a sheet or CSV file, else the
        element of that pupil ("<Surname> of pupil 3")."""
        column = self.columns.get(field_)
        if self.kind is SourceKind.TRANSFER_FILE:
            return f"<{column or field_.value}> of pupil {number}"
        return f"cell {column}{number}" if column else f"{field_.value} on row {number}"

    def with_value(self, number: int, field_: Field, value: CellValue) -> Table:
        """A copy with one cell changed, as typed in the preview (no longer a formula)."""
        rows = tuple(
            replace(row, values={**row.values, field_: value}, formulas=row.formulas - {field_})
            if row.number == number
            else row
            for row in self.rows
        )
        return replace(self, rows=rows)


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def is_blank(value: CellValue) -> bool:
    """True for an empty cell (merged followers and spaces-only text count as empty)."""
    return value is None or (isinstance(value, str) and not value.strip())
