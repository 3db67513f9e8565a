"""The import template: an .xlsx with the nine columns, drop-down lists and instructions."""

from __future__ import annotations

import os
from pathlib import Path

from planit_desktop.model.services.importing.table import Field, column_letter
from planit_desktop.model.validation.codes import MAIN_ETHNICITY_CODES, SEX_CODES
from planit_desktop.model.validation.years import year_group_choices

#: Rows given drop-downs and formats (a year of a large school, with room to spare).
TEMPLATE_ROWS = 2000
DATA_SHEET = "Learners"
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"

INSTRUCTIONS = (
    "How to fill in this template",
    "",
    "Put one learner on each row of the Learners sheet, starting on row 2. Do not change "
    "the column headings in row 1.",
    "First Names and Surnames: the learner's legal names, as on the school's records.",
    "Date of Birth: day first, like 03/04/2013.",
    "Year Group: choose from the list (for example Year 7).",
    "Tutor Group: the learner's tutor (Plan-it) group, like 7A. A group that does not exist "
    "yet is created.",
    "Gender: M or F (U if it is not known).",
    "Ethnicity: the DfE code from the list, like WBRI. Leave it empty if it is not known.",
    "UPN: the 13-character Unique Pupil Number, like H801200001001.",
    "SIMS Number: the admission number from SIMS. Keep any zeros at its start: the column "
    "is formatted as text.",
    "",
    "Type values, not formulas: cells with formulas are refused.",
    "When the learners are imported, each gets a login name and a temporary password, "
    "which they change the first time they sign in.",
)


def write_import_template(
    path: str | os.PathLike[str], *, lowest_year: int = 7, highest_year: int = 11
) -> Path:
    """Write the import template to ``path`` (written whole, then renamed into place).

    The year-group drop-down offers the school's range (Years 7 to 11 by default).
    Raises :class:`~planit_desktop.model.errors.Refused` when the file cannot be written.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from planit_desktop.model.services.workbooks import save_atomically

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    fields = list(Field)
    sheet.append([f.value for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = {Field.ETHNICITY: 28, Field.DATE_OF_BIRTH: 14, Field.UPN: 16}
    for index, field in enumerate(fields):
        sheet.column_dimensions[column_letter(index)].width = widths.get(field, 16)

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    years = year_group_choices(lowest_year, highest_year)
    ethnicities = list(MAIN_ETHNICITY_CODES)
    for row, value in enumerate(years, start=1):
        lists.cell(row=row, column=1, value=value)
    for row, value in enumerate(ethnicities, start=1):
        lists.cell(row=row, column=2, value=value)
        lists.cell(row=row, column=3, value=MAIN_ETHNICITY_CODES[value])

    def column(field: Field) -> str:
        letter = column_letter(fields.index(field))
        return f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"

    rules = (
        (Field.YEAR_GROUP, f"={LISTS_SHEET}!$A$1:$A${len(years)}", "Choose a year group."),
        (Field.SEX, f'"{",".join(SEX_CODES)}"', "M, F, or U if not known."),
        (
            Field.ETHNICITY,
            f"={LISTS_SHEET}!$B$1:$B${len(ethnicities)}",
            "A DfE ethnicity code, or empty.",
        ),
    )
    for field, formula, prompt in rules:
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = f"Choose the {field.value.lower()} from the list."
        validation.errorTitle = field.value
        validation.prompt = prompt
        validation.showErrorMessage = True
        validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(column(field))

    formats = {Field.DATE_OF_BIRTH: "dd/mm/yyyy", Field.UPN: "@", Field.SIMS_NUMBER: "@"}
    for field, number_format in formats.items():
        letter = column_letter(fields.index(field))
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet[f"{letter}{row}"].number_format = number_format

    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    instructions.column_dimensions["A"].width = 110
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=14)
    return save_atomically(workbook.save, Path(path), what="The import template")
