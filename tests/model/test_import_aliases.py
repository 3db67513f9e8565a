"""Real headings, spellings and codes: MIS headings for the registration group, year groups
as MIS exports write them, the DfE's extended ethnicity codes and their descriptions, and
warnings for an impossible local-authority number in a UPN and for a lost letter in a name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planit_desktop.model.db import Database
from planit_desktop.model.services.importing import (
    CheckResult,
    Field,
    RowStatus,
    check_rows,
    read_table,
)
from planit_desktop.model.services.importing.headers import known_field
from planit_desktop.model.validation.codes import (
    EXTENDED_ETHNICITY,
    EXTENDED_ETHNICITY_CODES,
    MAIN_ETHNICITY_CODES,
    check_ethnicity,
)
from planit_desktop.model.validation.names import lost_letter_warning
from planit_desktop.model.validation.upn import check_letter, local_authority_warning
from planit_desktop.model.validation.years import parse_year_group
from tests.support.import_files import HEADER, TODAY, learner, upn, write_csv, write_xlsx


@pytest.mark.parametrize(
    "heading",
    ["Reg", "Reg Group", "Registration Group", "Registration form", "Class", "REG.", "class"],
)
def test_registration_group_headings(heading: str) -> None:
    assert known_field(heading) is Field.TUTOR_GROUP


@pytest.mark.parametrize(
    ("written", "year"),
    [
        ("NC7", 7),
        ("NC 7", 7),
        ("NC Year 7", 7),
        ("nc year 10", 10),
        ("NC Yr 8", 8),
        ("Yr 07", 7),
        ("Y7", 7),
        ("Year 07", 7),
        ("Year 7", 7),
        ("07", 7),
        ("NC R", 0),
    ],
)
def test_year_group_spellings(written: str, year: int) -> None:
    assert parse_year_group(written) == year


@pytest.mark.parametrize("written", ["NC", "NCX", "NC Year", "NC 7.5"])
def test_what_is_still_not_a_year_group(written: str) -> None:
    from planit_desktop.model.errors import InvalidInput

    with pytest.raises(InvalidInput):
        parse_year_group(written)


def test_every_extended_code_rolls_up_to_a_main_code() -> None:
    assert {"WGRK", "WGRC", "WTUK", "WTUC", "MAOE", "MABL", "WSCO"} <= set(EXTENDED_ETHNICITY)
    assert len(EXTENDED_ETHNICITY) >= 80
    for code, (main, description) in EXTENDED_ETHNICITY.items():
        assert main in MAIN_ETHNICITY_CODES and code not in MAIN_ETHNICITY_CODES
        assert EXTENDED_ETHNICITY_CODES[code] == main
        assert check_ethnicity(code).main_code == main, code
        assert check_ethnicity(code.lower()).code == code
        # The description is accepted as the code itself, as files write it.
        by_description = check_ethnicity(description)
        assert (by_description.code, by_description.main_code) == (code, main), description


@pytest.mark.parametrize(
    ("written", "code", "main"),
    [
        ("White - Scottish", "WSCO", "WBRI"),
        ("White – Scottish", "WSCO", "WBRI"),
        ("Scottish", "WSCO", "WBRI"),
        ("Greek", "WGRK", "WOTH"),
        ("Greek Cypriot", "WGRC", "WOTH"),
        ("Turkish", "WTUK", "WOTH"),
        ("Turkish Cypriot", "WTUC", "WOTH"),
        ("Asian and any other ethnic group", "MAOE", "MOTH"),
        ("Asian and Black", "MABL", "MOTH"),
        ("Mixed Asian and Black", "MABL", "MOTH"),
        ("Black - Somali", "BSOM", "BAFR"),
        ("WSCO – White - Scottish", "WSCO", "WBRI"),
        ("WSCO - White British", "WSCO", "WBRI"),
        ("White British", "WBRI", "WBRI"),  # a main description still means the main code
        ("Any other White background", "WOTH", "WOTH"),
    ],
)
def test_descriptions_of_extended_codes(written: str, code: str, main: str) -> None:
    result = check_ethnicity(written)
    assert (result.code, result.main_code, result.error) == (code, main, None)


def _upn(la: str) -> str:
    body = f"{la}123415001"
    return check_letter(body) + body


@pytest.mark.parametrize("la", ["000", "999", "100", "500", "817"])
def test_a_local_authority_number_no_authority_has_is_a_warning(la: str) -> None:
    warning = local_authority_warning(_upn(la))
    assert warning is not None and la in warning and "no local authority" in warning


@pytest.mark.parametrize("la", ["801", "936", "207", "850", "316", "681", "943", "420"])
def test_real_local_authority_numbers_pass(la: str) -> None:
    assert local_authority_warning(_upn(la)) is None


@pytest.mark.parametrize("name", ["Zo?", "Mi\ufffdosz", "?ukasz", "Se?il Yilmaz"])
def test_a_lost_letter_is_a_warning(name: str) -> None:
    warning = lost_letter_warning(name, field="surname")
    assert warning is not None and "surname" in warning and "letter was probably lost" in warning


@pytest.mark.parametrize("name", ["Zoë", "O'Brien", "Smith-Jones", "Łukasz", "Şeyma"])
def test_real_names_have_no_lost_letter(name: str) -> None:
    assert lost_letter_warning(name) is None


def check(database: Database, path: Path) -> CheckResult:
    with database.read() as session:
        return check_rows(session, read_table(path), today=TODAY)


def test_a_file_of_real_headings_codes_and_faults(demo_database: Database, tmp_path: Path) -> None:
    headings = ["Legal Forename", "Legal Surname", "DOB", "NC Year", "Reg", "Sex", "Ethnicity"]
    headings += ["UPN", "Adno"]

    def row(i: int, **changes: Any) -> list[Any]:
        values = dict(zip(HEADER, learner(i), strict=True))
        values.update(changes)
        return [values[h] for h in HEADER]

    rows = [
        row(1, **{"Year Group": "NC7", "Ethnicity": "White - Scottish"}),
        row(2, **{"Year Group": "NC Year 7", "Ethnicity": "WGRK"}),
        row(3, **{"Year Group": "Yr 07", "Ethnicity": "Martian"}),  # unknown: a warning
        row(4, **{"UPN": _upn("000")}),
        row(5, **{"Surnames": "Kowalsk?", "First Names": "\ufffdukasz"}),
        row(6),
    ]
    path = write_csv(tmp_path / "mis.csv", rows, header=headings)
    result = check(demo_database, path)
    assert result.table.headings[Field.TUTOR_GROUP] == "Reg"
    assert [r.status() for r in result.rows] == [
        RowStatus.READY,
        RowStatus.READY,
        RowStatus.WARNING,
        RowStatus.WARNING,
        RowStatus.WARNING,
        RowStatus.READY,
    ]
    drafts = {r.number: r.draft for r in result.rows}
    assert drafts[2] and (drafts[2].year_group, drafts[2].ethnicity) == (7, "WSCO")
    assert drafts[3] and drafts[3].ethnicity == "WGRK"
    assert drafts[4] and drafts[4].ethnicity == "NOBT"  # imported, not yet obtained
    (unknown,) = result.row(4).messages
    assert "“Martian”" in unknown.message and "NOBT" in unknown.message
    assert "000" in result.row(5).messages[0].message
    lost = [m.field for m in result.row(6).messages]
    assert lost == [Field.FIRST_NAMES, Field.SURNAME]
    assert result.ready_to_import()  # warnings only: the whole file can be imported


@pytest.mark.parametrize("heading", ["Registration Group", "Registration form", "Class"])
def test_registration_group_columns_in_a_workbook(
    demo_database: Database, tmp_path: Path, heading: str
) -> None:
    header = [heading if h == "Tutor Group" else h for h in HEADER]
    path = write_xlsx(tmp_path / "reg.xlsx", [learner(1, **{"Tutor Group": "7Z"})], header=header)
    result = check(demo_database, path)
    draft = result.row(2).draft
    assert draft is not None and draft.tutor_group == "7Z"
    assert upn(1) == draft.upn
