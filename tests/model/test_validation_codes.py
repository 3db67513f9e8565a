"""Sex and ethnicity codes of the school census."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planit_desktop.model.validation.codes import (
    EXTENDED_ETHNICITY_CODES,
    MAIN_ETHNICITY_CODES,
    SEX_CODES,
    CodeCheck,
    EthnicityCheck,
    check_ethnicity,
    check_sex,
    ethnicity_label,
    ethnicity_main_code,
)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("M", "M"),
        ("m", "M"),
        ("Male", "M"),
        ("male", "M"),
        (" MALE ", "M"),
        ("Boy", "M"),
        ("M.", "M"),
        ("F", "F"),
        ("f", "F"),
        ("Female", "F"),
        ("female", "F"),
        ("Girl", "F"),
    ],
)
def test_sex_spellings(typed: str, code: str) -> None:
    assert check_sex(typed) == CodeCheck(code)


@pytest.mark.parametrize("typed", ["U", "u", "Unknown", "Not known"])
def test_unknown_sex_is_accepted_with_a_warning(typed: str) -> None:
    result = check_sex(typed)
    assert result.ok and result.code == "U"
    assert result.warning is not None and "not known" in result.warning


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "missing"),
        ("  ", "missing"),
        (None, "missing"),
        ("X", "“X” is not a gender"),
        ("Mail", "“Mail” is not a gender"),
        (1, "“1” is not a gender"),
        ("B" * 10_000, "is not a gender"),
    ],
)
def test_other_sex_values_are_errors(typed: object, words: str) -> None:
    result = check_sex(typed)
    assert not result.ok and result.code is None
    assert result.error is not None and words in result.error
    assert len(result.error) < 150


def test_sex_codes_for_drop_downs() -> None:
    assert list(SEX_CODES) == ["M", "F", "U"]
    for code in SEX_CODES:
        assert check_sex(code).code == code


def test_main_ethnicity_codes_are_the_references_twenty_in_order() -> None:
    assert list(MAIN_ETHNICITY_CODES) == [
        "WBRI",
        "WIRI",
        "WIRT",
        "WROM",
        "WOTH",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ]


@pytest.mark.parametrize("code", list(MAIN_ETHNICITY_CODES))
def test_every_main_code_is_its_own_main_code(code: str) -> None:
    assert check_ethnicity(code) == EthnicityCheck(code, code)
    assert check_ethnicity(code.lower()) == EthnicityCheck(code, code)


@pytest.mark.parametrize(
    ("code", "main"),
    [
        ("WCOR", "WBRI"),
        ("WENG", "WBRI"),
        ("WNIR", "WBRI"),
        ("WSCO", "WBRI"),
        ("WWEL", "WBRI"),
        ("WOWB", "WBRI"),
        ("WALB", "WOTH"),
        ("WBOS", "WOTH"),
        ("WCRO", "WOTH"),
        ("WGRE", "WOTH"),
        ("WITA", "WOTH"),
        ("WKOS", "WOTH"),
        ("WPOR", "WOTH"),
        ("WSER", "WOTH"),
        ("WTUR", "WOTH"),
        ("WEUR", "WOTH"),
        ("WEEU", "WOTH"),
        ("WWEU", "WOTH"),
        ("WOTW", "WOTH"),
        ("WROG", "WROM"),
        ("WROR", "WROM"),
        ("WROO", "WROM"),
        ("MWAP", "MWAS"),
        ("MWAI", "MWAS"),
        ("MWAO", "MWAS"),
    ],
)
def test_extended_codes_from_the_reference_roll_up(code: str, main: str) -> None:
    # The code as given is kept; the main code is derived.
    assert check_ethnicity(code.lower()) == EthnicityCheck(code, main)
    assert ethnicity_main_code(code) == main
    assert EXTENDED_ETHNICITY_CODES[code] == main


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("White British", "WBRI"),
        ("white british", "WBRI"),
        ("White - British", "WBRI"),
        ("Irish", "WIRI"),
        ("White Irish", "WIRI"),
        ("Gypsy / Roma", "WROM"),
        ("Any other White background", "WOTH"),
        ("Mixed White and Asian", "MWAS"),
        ("Indian", "AIND"),
        ("Asian Indian", "AIND"),
        ("Black African", "BAFR"),
        ("Chinese", "CHNE"),
        ("Refused", "REFU"),
        ("Information not yet obtained", "NOBT"),
    ],
)
def test_descriptions_are_accepted(typed: str, code: str) -> None:
    assert check_ethnicity(typed) == EthnicityCheck(code, code)


@pytest.mark.parametrize(
    ("typed", "code", "main"),
    [
        ("WBRI – White British", "WBRI", "WBRI"),
        ("WBRI - White British", "WBRI", "WBRI"),
        ("wiri white irish", "WIRI", "WIRI"),
        ("WENG – White British", "WENG", "WBRI"),
    ],
)
def test_drop_down_labels_are_accepted(typed: str, code: str, main: str) -> None:
    assert check_ethnicity(typed) == EthnicityCheck(code, main)


def test_labels_round_trip() -> None:
    for code in [*MAIN_ETHNICITY_CODES, *EXTENDED_ETHNICITY_CODES]:
        label = ethnicity_label(code)
        assert check_ethnicity(label).code == code
    assert ethnicity_label("wbri") == "WBRI – White British"
    assert ethnicity_label("WXYZ") == "WXYZ"


def test_a_label_with_the_wrong_description_is_an_error() -> None:
    assert not check_ethnicity("WBRI – Chinese").ok


@pytest.mark.parametrize("typed", [None, "", "   "])
def test_empty_ethnicity_is_not_yet_obtained(typed: str | None) -> None:
    assert check_ethnicity(typed) == EthnicityCheck("NOBT", "NOBT")


@pytest.mark.parametrize(("typed", "group"), [("WXYZ", "White"), ("axyz", "Asian")])
def test_unknown_code_with_a_group_letter_is_kept_with_a_warning(typed: str, group: str) -> None:
    result = check_ethnicity(typed)
    assert result.ok
    assert result.code == typed.upper() and result.main_code is None
    assert result.warning is not None and group in result.warning


@pytest.mark.parametrize(
    "typed", ["XXXX", "ZBRI", "WBR", "WBRIT", "W8RI", "42", "Martian", "É" * 4]
)
def test_anything_else_is_an_error(typed: str) -> None:
    result = check_ethnicity(typed)
    assert not result.ok
    assert result.code is None and result.main_code is None
    assert result.error is not None and "is not an ethnicity code" in result.error


@given(st.one_of(st.text(max_size=30), st.integers(), st.none()))
def test_checks_never_raise(value: object) -> None:
    sex = check_sex(value)
    assert (sex.code is None) == (sex.error is not None)
    ethnicity = check_ethnicity(value)
    assert (ethnicity.code is None) == (ethnicity.error is not None)
    if ethnicity.code is not None:
        assert len(ethnicity.code) == 4  # fits the database column
