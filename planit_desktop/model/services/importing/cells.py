"""The rules for one row's cells: each cell read with the foundation's validators.

A cell holding a formula is rejected (the value shown may not be what was meant, and a
formula must never travel into the database), in every kind of file. So is text that a
spreadsheet would take for a formula (OWASP's CSV injection list: a value starting with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed, or the full-width
``＝ ＋ － ＠``), whatever the file: no name, date, year group, code, UPN or SIMS number
starts so, and such text from outside is refused where it is, with its cell named, rather
than kept. The one allowance is for ``-``: a plain number ("-12", "-1.5") or dashes alone
("-", "--") cannot run as a formula, so they go on to their column's own check, which
refuses them in its own words (a SIMS number has no minus sign; a name needs letters).
Names with an apostrophe or a hyphen inside ("O'Neil", "Anne-Marie") are names as ever.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.importing.table import CellValue, Field, SourceRow, Table
from planit_desktop.model.validation.codes import check_ethnicity, check_sex
from planit_desktop.model.validation.dates import check_date_of_birth, parse_date
from planit_desktop.model.validation.names import lost_letter_warning, normalise_name, quoted
from planit_desktop.model.validation.upn import check_upn, local_authority_warning
from planit_desktop.model.validation.years import (
    check_year_group_served,
    format_year_group,
    parse_year_group,
    year_group_mismatch,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_TUTOR_GROUP_LENGTH = 100
MAX_SIMS_LENGTH = 20
#: How text a spreadsheet would run as a formula starts (OWASP's list, and the full-width
#: forms some spreadsheet programs read the same way).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# "-" before a plain number, or dashes alone: nothing a spreadsheet runs.
_HARMLESS_DASHES = re.compile(r"-+|-\d+(?:[.,]\d+)?")


def formula_start(value: CellValue) -> str | None:
    """How ``value`` starts if a spreadsheet would take it for a formula, else None.

    Leading spaces are ignored (the import trims them); a tab or line break at the start
    counts. See the module's docstring for the one allowance made for ``-``.
    """
    if not isinstance(value, str):
        return None  # numbers, dates and booleans are values, never formulas
    text = value.lstrip(" \u00a0")
    if not text.startswith(FORMULA_STARTS):
        return None
    if text[0] == "-" and _HARMLESS_DASHES.fullmatch(text.strip()):
        return None
    return text[0]


def _sentence(text: str) -> str:
    """``text`` starting a sentence: its first letter a capital, the rest as it is."""
    return text[:1].upper() + text[1:]


_SHOWN_STARTS = {"\t": "a tab", "\r": "a carriage return", "\n": "a line break"}


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Message:
    """One thing to tell the coordinator about one cell (or row, when ``field`` is None)."""

    row: int
    column: str
    message: str
    severity: Severity
    field: Field | None = None

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class LearnerDraft:
    """A row's values as they will be stored."""

    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    tutor_group: str | None
    sex: str | None
    ethnicity: str | None
    upn: str | None
    sims_number: str | None
    #: Joining the school next academic year (a primary's Year 6 imported before the year
    #: end): not on roll until the rollover; ``year_group`` is the one they will have.
    joining: bool = False


class SchoolRange(Protocol):
    @property
    def lowest_year(self) -> int: ...
    @property
    def highest_year(self) -> int: ...
    @property
    def academic_year(self) -> int: ...


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _printable(text: str) -> str:
    """Spaces collapsed; control and zero-width characters (never part of a name) removed."""
    kept = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf"} or c.isspace())
    return " ".join(kept.split())


def check_row(
    table: Table, row: SourceRow, school: SchoolRange, today: date
) -> tuple[LearnerDraft | None, list[Message]]:
    """Read one row's cells; the draft is None when any cell has an error."""
    messages: list[Message] = []

    def say(field: Field, text: str, severity: Severity = Severity.ERROR) -> None:
        messages.append(Message(row.number, table.where(field), text, severity, field))

    values: Mapping[Field, CellValue] = row.values
    for field in row.formulas:
        say(
            field,
            f"{_sentence(table.cell(row.number, field))} holds a formula. Type the value "
            "itself (or copy, then paste values only), so that what is imported is what you "
            "see.",
        )
    refused: set[Field] = set(row.formulas)
    for field, value in values.items():
        start = formula_start(value) if field not in refused else None
        if start is None:
            continue
        refused.add(field)
        shown = _SHOWN_STARTS.get(start, f"“{start}”")
        say(
            field,
            f"{quoted(str(value).strip())} in {table.cell(row.number, field)} starts with "
            f"{shown}, as a spreadsheet formula does, so it cannot be imported: no name, "
            "date or code starts that way. Correct the cell and import again.",
        )
    said_of_refused = len(messages)
    present = set(values)

    def name(field: Field, words: str) -> str | None:
        try:
            cleaned = normalise_name(values.get(field), field=words)
        except InvalidInput as error:
            say(field, error.message)
            return None
        lost = lost_letter_warning(cleaned, field=words)
        if lost:
            say(field, lost, Severity.WARNING)
        return cleaned

    first_names = name(Field.FIRST_NAMES, "first name")
    surname = name(Field.SURNAME, "surname")

    date_of_birth: date | None = None
    try:
        date_of_birth = parse_date(values.get(Field.DATE_OF_BIRTH), date1904=table.date1904)
        check_date_of_birth(date_of_birth, today=today)
    except InvalidInput as error:
        say(Field.DATE_OF_BIRTH, error.message)
        date_of_birth = None

    year_group: int | None = None
    joining = False
    written: int | None = None
    try:
        written = parse_year_group(values.get(Field.YEAR_GROUP))
        year_group, joining = school_year_group(written, table.academic_year, school)
    except InvalidInput as error:
        say(Field.YEAR_GROUP, error.message)
        year_group = None
    if year_group is not None and date_of_birth is not None:
        # Checked against the date of birth in the year the learner will be in it.
        in_year = school.academic_year + (1 if joining else 0)
        mismatch = year_group_mismatch(date_of_birth, year_group, in_year)
        if mismatch:
            if written is not None and written != year_group and table.academic_year:
                mismatch = mismatch.rstrip(".") + (
                    f" ({format_year_group(written)} in the file's "
                    f"{format_academic_year(table.academic_year)})."
                )
            say(Field.YEAR_GROUP, f"{mismatch} Check the year group.", Severity.WARNING)

    tutor_group = _printable(_text(values.get(Field.TUTOR_GROUP))) or None
    if tutor_group is not None and joining:
        # The primary's class means nothing here; groups are given once on roll.
        say(
            Field.TUTOR_GROUP,
            f"Learners joining in {format_academic_year(school.academic_year + 1)} are put in "
            f"tutor groups once they are on roll: {quoted(tutor_group)} is not used.",
            Severity.WARNING,
        )
        tutor_group = None
    elif tutor_group is not None:
        if len(tutor_group) > MAX_TUTOR_GROUP_LENGTH:
            say(Field.TUTOR_GROUP, f"The tutor group name {quoted(tutor_group)} is too long.")
    elif Field.TUTOR_GROUP in present and not joining:
        say(Field.TUTOR_GROUP, "No tutor group: the learner will be in no group.", Severity.WARNING)

    sex = None
    if Field.SEX in present:
        sex_check = check_sex(values.get(Field.SEX))
        sex = sex_check.code
        if sex_check.error:
            say(Field.SEX, sex_check.error)
        elif sex_check.warning:
            say(Field.SEX, sex_check.warning, Severity.WARNING)

    ethnicity = None
    if Field.ETHNICITY in present:
        ethnic = check_ethnicity(values.get(Field.ETHNICITY))
        ethnicity = ethnic.code
        if ethnic.error:
            # Ethnicity is optional: an unknown one never stops the learner's import; they
            # are recorded as "not yet obtained" until it is corrected.
            ethnicity = "NOBT"
            say(
                Field.ETHNICITY,
                f"{ethnic.error.removesuffix('.')}. The learner is imported with the "
                "ethnicity not yet obtained (NOBT): correct it afterwards in the Learners tab.",
                Severity.WARNING,
            )
        elif ethnic.warning:
            say(Field.ETHNICITY, ethnic.warning, Severity.WARNING)

    upn = _check_upn(values.get(Field.UPN), Field.UPN in present, say)
    sims_number = _check_sims(values.get(Field.SIMS_NUMBER), say)

    if refused:
        # A refused cell's one message is why; what its column's check says of it is noise.
        messages = messages[:said_of_refused] + [
            m for m in messages[said_of_refused:] if m.field not in refused
        ]
    if any(m.severity is Severity.ERROR for m in messages):
        return None, messages
    assert first_names is not None and surname is not None
    assert date_of_birth is not None and year_group is not None
    draft = LearnerDraft(
        first_names,
        surname,
        date_of_birth,
        year_group,
        tutor_group,
        sex,
        ethnicity,
        upn,
        sims_number,
        joining,
    )
    return draft, messages


def school_year_group(written: int, file_year: int | None, school: SchoolRange) -> tuple[int, bool]:
    """The year group a file's ``written`` one is at the school, and whether the learner is
    joining next academic year rather than on roll now; InvalidInput when not taught.

    ``file_year`` is the academic year the file's year groups are of (a transfer file's
    header; None: the school's own). A year group is moved on by the years between the two
    (Year 6 in a primary's file for 2025/26 is Year 7 at a school in 2026/27). A learner
    who would be one year below the lowest year taught (that primary's Year 6 at a school
    still in 2025/26) joins it next academic year, in the lowest year.
    """
    if file_year is None:
        check_year_group_served(written, school.lowest_year, school.highest_year)
        return written, False
    now = written + (school.academic_year - file_year)
    if school.lowest_year <= now <= school.highest_year:
        return now, False
    if now == school.lowest_year - 1:
        return school.lowest_year, True
    if now == written:
        check_year_group_served(written, school.lowest_year, school.highest_year)
    shown = format_year_group(now) if -2 <= now <= 14 else f"year {now}"
    raise InvalidInput(
        f"{format_year_group(written)} in the file's {format_academic_year(file_year)} is "
        f"{shown} in {format_academic_year(school.academic_year)}, which is not taught at "
        f"this school: it has {format_year_group(school.lowest_year)} to "
        f"{format_year_group(school.highest_year)}."
    )


class _Say(Protocol):
    def __call__(self, field: Field, text: str, severity: Severity = ...) -> None: ...


def _check_upn(value: CellValue, column_present: bool, say: _Say) -> str | None:
    text = _text(value)
    if not text:
        if column_present:
            say(
                Field.UPN,
                "No UPN: the learner can be imported, but duplicates are then found by name "
                "and date of birth only.",
                Severity.WARNING,
            )
        return None
    checked = check_upn(text)
    if checked.error:
        say(Field.UPN, checked.error)
        return None
    unknown_authority = local_authority_warning(checked.upn)
    if unknown_authority:
        say(Field.UPN, unknown_authority, Severity.WARNING)
    if checked.temporary:
        say(
            Field.UPN,
            f"{checked.upn} is a temporary UPN. Replace it with the permanent one when the "
            "school has it.",
            Severity.WARNING,
        )
    return checked.upn


def _check_sims(value: CellValue, say: _Say) -> str | None:
    if isinstance(value, bool):
        say(Field.SIMS_NUMBER, f"{quoted(value)} is not a SIMS number.")
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or not float(value).is_integer() or value < 0:
            say(Field.SIMS_NUMBER, f"{quoted(value)} is not a SIMS number.")
            return None
        text = str(int(value))
        say(
            Field.SIMS_NUMBER,
            f"The SIMS number {text} was a number in the spreadsheet, so any zeros at its "
            "start were lost. Check it; format the column as Text to keep them.",
            Severity.WARNING,
        )
        return text
    text = _text(value)
    if not text:
        return None
    text = _printable(text)
    if text.startswith("-"):
        say(Field.SIMS_NUMBER, f"{quoted(text)} is not a SIMS number: it has no minus sign.")
        return None
    if len(text) > MAX_SIMS_LENGTH:
        say(
            Field.SIMS_NUMBER,
            f"The SIMS number {quoted(text)} is too long (at most {MAX_SIMS_LENGTH} characters).",
        )
        return None
    return text or None
