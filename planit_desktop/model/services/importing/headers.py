"""Finding the header row and matching column headings to the nine fields.

Headings match ignoring case, spaces and punctuation, so ``Date of Birth``, ``DATE-OF-BIRTH``
and ``date_of_birth`` are one heading. Besides the template's names, the labels of MIS
exports are known (SIMS: ``Legal Forename``, ``adno``…; others: ``Reg``, ``Registration form``,
``Class``, ``NC Year``…).
When a file has both a legal and a preferred name, the legal name is used: it is the one on
the school's records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planit_desktop.model.services.importing.table import (
    HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    CellValue,
    Field,
    SheetInfo,
    SourceKind,
    SourceRow,
    Table,
    UnreadableFile,
    column_letter,
    data_row_limit,
    is_blank,
)

# Lower numbers win when two columns give the same field (legal before plain before preferred).
_ALIASES: dict[Field, tuple[tuple[int, tuple[str, ...]], ...]] = {
    Field.FIRST_NAMES: (
        (0, ("legalforename", "legalforenames", "legalfirstname", "legalfirstnames")),
        (1, ("firstnames", "firstname", "forename", "forenames", "givenname", "givennames")),
        (2, ("preferredforename", "preferredfirstname", "knownas")),
    ),
    Field.SURNAME: (
        (0, ("legalsurname", "legallastname")),
        (1, ("surnames", "surname", "lastname", "familyname")),
        (2, ("preferredsurname", "preferredlastname")),
    ),
    Field.DATE_OF_BIRTH: ((1, ("dateofbirth", "dob", "birthdate", "dateborn")),),
    Field.YEAR_GROUP: (
        (0, ("yeargroup", "ncyear", "ncyearactual", "nationalcurriculumyear", "curriculumyear")),
        (1, ("year", "yr")),
    ),
    Field.TUTOR_GROUP: (
        (
            1,
            (
                "tutorgroup",
                "reggroup",
                "registrationgroup",
                "reg",
                "regform",
                "registrationform",
                "registration",
                "class",
                "form",
                "formgroup",
                "formclass",
                "tutorgroupname",
            ),
        ),
    ),
    Field.SEX: ((1, ("gender", "sex")),),
    Field.ETHNICITY: ((1, ("ethnicity", "ethnicitycode", "ethnicorigin", "ethnicgroup")),),
    Field.UPN: ((1, ("upn", "uniquepupilnumber")),),
    Field.SIMS_NUMBER: (
        (
            1,
            (
                "simsnumber",
                "simsno",
                "sims",
                "adno",
                "admissionno",
                "admissionnumber",
                "admno",
            ),
        ),
    ),
}

_LOOKUP: dict[str, tuple[Field, int]] = {
    alias: (field, rank)
    for field, ranked in _ALIASES.items()
    for rank, aliases in ranked
    for alias in aliases
}

_NOT_LETTERS = re.compile(r"[\W_]+")


def heading_key(value: CellValue) -> str:
    """A heading without case, spaces or punctuation: ``"Date-of Birth"`` → ``dateofbirth``."""
    if not isinstance(value, str):
        return ""
    return _NOT_LETTERS.sub("", value).casefold()


def known_field(value: CellValue) -> Field | None:
    """The field a heading names, or None."""
    match = _LOOKUP.get(heading_key(value))
    return match[0] if match else None


def _known_count(cells: Sequence[CellValue]) -> int:
    return len({known_field(cell) for cell in cells} - {None})


def _shown(value: CellValue) -> str:
    return " ".join(str(value).split())


def build_table(
    rows: Iterable[tuple[int, Sequence[CellValue]]],
    *,
    source_name: str,
    kind: SourceKind,
    sheet: str | None = None,
    formula_cells: frozenset[tuple[int, int]] = frozenset(),
    date1904: bool = False,
    sheets: tuple[SheetInfo, ...] = (),
    notes: tuple[str, ...] = (),
) -> Table:
    """Find the header row in ``rows`` (numbered as the file shows them) and build the table.

    ``formula_cells`` holds (row number, column index) of cells that hold a formula. Raises
    :class:`UnreadableFile` when no header row is found or there are too many rows.
    """
    iterator = iter(rows)
    header: tuple[int, Sequence[CellValue]] | None = None
    where = f"the sheet “{sheet}”" if sheet else "the file"
    for number, cells in iterator:
        if _known_count(cells) >= 3:
            header = (number, cells)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise UnreadableFile(
            f"No row of headings was found in {where}: the first {HEADER_SEARCH_ROWS} rows "
            "have no row with at least three of the column names "
            f"({', '.join(f.value for f in Field)}). Use the import template, or put the "
            "column names in the first row."
        )
    header_number, header_cells = header
    columns, problems, unknown = _map_headings(header_cells)
    data: list[SourceRow] = []
    limit = data_row_limit()
    for number, cells in iterator:
        values = {field: cells[index] if index < len(cells) else None for field, index in columns}
        if all(is_blank(value) for value in values.values()):
            continue  # blank rows between learners are skipped, not errors
        data.append(
            SourceRow(
                number=number,
                values=values,
                formulas=frozenset(
                    field for field, index in columns if (number, index) in formula_cells
                ),
            )
        )
        if len(data) > limit:
            raise UnreadableFile(
                f"{where[0].upper()}{where[1:]} has more than {limit:,} learner rows. "
                "Split it into smaller files and import them one after another."
            )
    if not data:
        problems.append(
            f"{where[0].upper()}{where[1:]} has its column headings (row {header_number}) but "
            "no learners below them."
        )
    mapped = dict(columns)
    missing = tuple(field for field in REQUIRED_FIELDS if field not in mapped)
    problems.extend(missing_column_problem(field) for field in missing)
    optional_missing = [f.value for f in Field if f not in mapped and f not in REQUIRED_FIELDS]
    if optional_missing:
        notes = (
            *notes,
            f"No column for {', '.join(optional_missing)}: those details are left empty.",
        )
    return Table(
        source_name=source_name,
        kind=kind,
        sheet=sheet,
        header_row=header_number,
        headings={field: _shown(header_cells[index]) for field, index in columns},
        columns={field: column_letter(index) for field, index in columns},
        rows=tuple(data),
        unknown_columns=tuple(unknown),
        missing_columns=missing,
        problems=tuple(problems),
        notes=notes,
        date1904=date1904,
        sheets=sheets,
    )


def missing_column_problem(field: Field) -> str:
    """The file-wide problem of a required column the file does not have."""
    return f"There is no {field.value} column: add one (see the import template)."


def _map_headings(
    cells: Sequence[CellValue],
) -> tuple[list[tuple[Field, int]], list[str], list[str]]:
    """(field, column index) pairs in field order, problems, and unused headings."""
    best: dict[Field, tuple[int, int]] = {}  # field → (rank, index)
    same_rank: dict[Field, list[int]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        if is_blank(cell):
            continue
        match = _LOOKUP.get(heading_key(cell))
        if match is None:
            unknown.append(_shown(cell))
            continue
        field, rank = match
        current = best.get(field)
        if current is None or rank < current[0]:
            if current is not None:
                unknown.append(_shown(cells[current[1]]))
            best[field] = (rank, index)
            same_rank[field] = [index]
        elif rank == current[0]:
            same_rank[field].append(index)
        else:
            unknown.append(_shown(cell))
    problems = [
        f"Columns {_and(column_letter(i) for i in indexes)} are all headed like "
        f"{field.value} ({_and(f'“{_shown(cells[i])}”' for i in indexes)}): keep one "
        "and remove or rename the others."
        for field, indexes in same_rank.items()
        if len(indexes) > 1
    ]
    columns = sorted(((field, index) for field, (_rank, index) in best.items()), key=_order)
    return columns, problems, unknown


def _order(pair: tuple[Field, int]) -> int:
    return list(Field).index(pair[0])


def _and(items: Iterable[str]) -> str:
    words = list(items)
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)
