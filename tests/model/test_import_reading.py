"""Reading learner files: the template, workbooks, CSV and transfer files into one Table."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from planit_desktop.model.services.importing import (
    Field,
    SourceKind,
    UnreadableFile,
    list_sheets,
    read_table,
    write_import_template,
)
from tests.support.import_files import HEADER, ctf, learner, write_csv, write_xlsx


def test_template_has_the_nine_columns_lists_formats_and_instructions(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_import_template(tmp_path / "template.xlsx", lowest_year=7, highest_year=11)
    workbook = load_workbook(path)
    sheet = workbook["Learners"]
    assert [c.value for c in sheet[1]] == HEADER
    assert workbook["Lists"].sheet_state == "hidden"
    assert [workbook["Lists"].cell(r, 1).value for r in range(1, 6)] == [
        f"Year {n}" for n in range(7, 12)
    ]
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"M,F,U"' in formulas
    assert any("Lists!$B$1" in f for f in formulas)
    assert sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet["H2"].number_format == "@" and sheet["I2"].number_format == "@"
    assert "Date of Birth: day first" in " ".join(
        str(c.value) for c in workbook["Instructions"]["A"]
    )
    assert not list(tmp_path.glob("*.part"))


def test_filled_template_reads_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_import_template(tmp_path / "template.xlsx")
    workbook = load_workbook(path)
    for number, row in ((2, learner(1)), (3, learner(2))):
        for column, value in enumerate(row, start=1):
            workbook["Learners"].cell(row=number, column=column, value=value)
    workbook.save(path)
    table = read_table(path)
    assert table.sheet == "Learners" and table.header_row == 1
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].values[Field.UPN] == learner(1)[7]
    assert not table.problems and not table.unknown_columns


def test_header_found_below_a_title_with_mis_aliases(tmp_path: Path) -> None:
    header = [
        "Legal Forename",
        "Preferred Forename",
        "Legal Surname",
        "DOB",
        "NC Year",
        "Reg Group",
        "Sex",
        "adno",
        "Year of Entry",
    ]
    rows = [["Ann", "Annie", "Lee", "01/02/2014", "7", "7A", "F", "00123", "2025"]]
    path = write_xlsx(tmp_path / "sims.xlsx", rows, header=header, start_row=3)
    table = read_table(path)
    assert table.header_row == 3
    assert table.rows[0].number == 4
    values = table.rows[0].values
    assert values[Field.FIRST_NAMES] == "Ann"  # the legal name, not the preferred one
    assert values[Field.SIMS_NUMBER] == "00123"
    assert values[Field.TUTOR_GROUP] == "7A"
    assert set(table.unknown_columns) == {"Preferred Forename", "Year of Entry"}
    assert table.where(Field.DATE_OF_BIRTH) == "DOB (column D)"


def test_headings_ignore_case_spaces_and_punctuation(tmp_path: Path) -> None:
    header = ["FIRST-NAMES", "surnames", "date_of_birth", "year group", "GENDER"]
    path = write_csv(tmp_path / "a.csv", [["Ann", "Lee", "01/02/2014", "7", "F"]], header=header)
    table = read_table(path)
    assert set(table.columns) == {
        Field.FIRST_NAMES,
        Field.SURNAME,
        Field.DATE_OF_BIRTH,
        Field.YEAR_GROUP,
        Field.SEX,
    }
    assert any("Tutor Group" in note for note in table.notes)


def test_duplicated_heading_is_a_file_problem(tmp_path: Path) -> None:
    header = [*HEADER, "Surname"]
    path = write_xlsx(tmp_path / "dup.xlsx", [[*learner(1), "Other"]], header=header)
    table = read_table(path)
    assert any("B and J" in p and "Surnames" in p for p in table.problems)


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "Date of Birth"]
    rows = [[v for h, v in zip(HEADER, learner(1), strict=True) if h != "Date of Birth"]]
    table = read_table(write_xlsx(tmp_path / "m.xlsx", rows, header=header))
    assert table.missing_columns == (Field.DATE_OF_BIRTH,)
    assert any("no Date of Birth column" in p for p in table.problems)


def test_header_only_is_a_problem_and_no_header_is_refused(tmp_path: Path) -> None:
    table = read_table(write_xlsx(tmp_path / "h.xlsx", []))
    assert any("no learners below them" in p for p in table.problems)
    with pytest.raises(UnreadableFile, match="No row of headings"):
        read_table(write_xlsx(tmp_path / "n.xlsx", [["a", "b"]], header=["x", "y"]))


def test_blank_rows_are_skipped_and_merged_cells_do_not_crash(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "b.xlsx", [learner(1), [None] * 9, ["  "] * 9, learner(2)])
    workbook = load_workbook(path)
    workbook.active.merge_cells("E2:E5")  # one tutor group cell over four rows
    workbook.save(path)
    table = read_table(path)
    assert [r.number for r in table.rows] == [2, 5]
    assert table.rows[1].values[Field.TUTOR_GROUP] in ("", None)


def test_several_and_hidden_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes["A1"] = "Read me"
    hidden = workbook.create_sheet("Secret")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    hidden.append(learner(9))
    for title, i in (("Year 7", 1), ("Year 8", 2)):
        sheet = workbook.create_sheet(title)
        sheet.append(HEADER)
        sheet.append(learner(i))
    path = tmp_path / "many.xlsx"
    workbook.save(path)
    sheets = list_sheets(path)
    assert [(s.name, s.hidden) for s in sheets] == [
        ("Notes", False),
        ("Secret", True),
        ("Year 7", False),
        ("Year 8", False),
    ]
    table = read_table(path)  # the first visible sheet with headings
    assert table.sheet == "Year 7"
    assert any("sheets" in note for note in table.notes)
    assert read_table(path, sheet="Year 8").rows[0].values[Field.UPN] == learner(2)[7]
    assert read_table(path, sheet="Secret").rows[0].values[Field.UPN] == learner(9)[7]
    with pytest.raises(UnreadableFile, match="no sheet called “Nope”"):
        read_table(path, sheet="Nope")


def test_sheet_whose_dimension_understates_its_rows_is_read_whole(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [learner(i) for i in range(1, 11)])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:I2"/>', sheet
    ).encode()
    assert b'ref="A1:I2"' in parts["xl/worksheets/sheet1.xml"]
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert len(read_table(lying).rows) == 10


def test_csv_encodings_and_delimiters(tmp_path: Path) -> None:
    row = learner(1, **{"First Names": "Zoë", "Surnames": "Ó Briain"})
    for encoding, delimiter in (("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", "\t")):
        path = write_csv(tmp_path / "x.csv", [row], encoding=encoding, delimiter=delimiter)
        table = read_table(path)
        assert table.kind is SourceKind.CSV
        assert table.rows[0].values[Field.FIRST_NAMES] == "Zoë", encoding
        assert table.rows[0].values[Field.SURNAME] == "Ó Briain"
        assert table.rows[0].number == 2


def test_transfer_file_in_any_order_with_sex_or_gender(tmp_path: Path) -> None:
    pupils = [
        "<Pupil><Surname>SMITH</Surname><UPN>K936123415001</UPN><Forename>JANE</Forename>"
        "<DOB>2013-10-02</DOB><Gender>F</Gender>"
        "<BasicDetails><NCyearActual>7</NCyearActual></BasicDetails></Pupil>",
        "<Pupil><BasicDetails><NCyearActual>7</NCyearActual></BasicDetails><Sex>M</Sex>"
        "<DOB>2013-11-02</DOB><Forename>JOHN</Forename><Surname>JONES</Surname>"
        "<UPN>H801200001001</UPN></Pupil>",
    ]
    path = tmp_path / "ctf.xml"
    path.write_text(ctf(pupils), encoding="utf-8")
    table = read_table(path)
    assert table.kind is SourceKind.TRANSFER_FILE and table.row_word == "Pupil"
    first, second = (r.values for r in table.rows)
    assert first[Field.SEX] == "F" and second[Field.SEX] == "M"
    assert second[Field.YEAR_GROUP] == "7" and second[Field.SURNAME] == "JONES"
    assert any("Ethnicity" in note for note in table.notes)  # reported as not found


def test_transfer_file_with_entities_is_refused(tmp_path: Path) -> None:
    bomb = '<!DOCTYPE CTfile [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    path = tmp_path / "bomb.xml"
    path.write_text(ctf(["<Pupil><Surname>&b;</Surname></Pupil>"], prolog=bomb))
    with pytest.raises(UnreadableFile, match="document type or entities"):
        read_table(path)
    other = tmp_path / "other.xml"
    other.write_text("<root/>")
    with pytest.raises(UnreadableFile, match="not a DfE Common Transfer File"):
        read_table(other)
