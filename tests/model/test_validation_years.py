"""Year groups as schools write them, and whether they fit the date of birth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planit_desktop.model.calendar import birth_range_for
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.validation.years import (
    HIGHEST_YEAR_GROUP,
    LOWEST_YEAR_GROUP,
    check_year_group_served,
    format_year_group,
    parse_year_group,
    year_group_choices,
    year_group_mismatch,
    years_from_expected,
)


@pytest.mark.parametrize(
    "typed",
    ["Year 8", "year 8", "YEAR 8", " Year  8 ", "Y8", "y8", "Yr8", "Yr 8", "Yr. 8", "8", "08"]
    + ["Year 08", "8.0", "Year\u00a08", 8, 8.0, Decimal("8")],
)
def test_year_8_written_every_way(typed: object) -> None:
    assert parse_year_group(typed) == 8


@pytest.mark.parametrize(
    ("typed", "year_group"),
    [
        ("R", 0),
        ("r", 0),
        ("Reception", 0),
        ("Rec", 0),
        ("YR", 0),
        ("Year R", 0),
        ("0", 0),
        ("N1", -2),
        ("Nursery 1", -2),
        ("N2", -1),
        ("n2", -1),
        ("Year 1", 1),
        ("Year 14", 14),
        (-2, -2),
        (14, 14),
    ],
)
def test_early_years_and_the_ends_of_the_range(typed: object, year_group: int) -> None:
    assert parse_year_group(typed) == year_group


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("X", "not following the National Curriculum"),
        ("x", "not following the National Curriculum"),
        ("E1", "early-years code"),
        ("Year 15", "There is no Year 15"),
        (15, "There is no Year 15"),
        (-3, "“-3” is not a year group"),
        ("-1", "is not a year group"),
        ("", "missing"),
        ("   ", "missing"),
        (None, "missing"),
        ("8.5", "whole numbers"),
        ("Year 8.5", "whole numbers"),
        (8.5, "whole numbers"),
        (float("nan"), "whole numbers"),
        (float("inf"), "is not a year group"),
        (True, "is not a year group"),
        ("8A", "is not a year group"),
        ("Year Eight", "is not a year group"),
        ("Year", "is not a year group"),
        ([8], "is not a year group"),
    ],
)
def test_refusals_say_why(typed: object, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_year_group(typed)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("year_group", "shown"),
    [(-2, "N1"), (-1, "N2"), (0, "Reception"), (1, "Year 1"), (8, "Year 8"), (14, "Year 14")],
)
def test_format_year_group(year_group: int, shown: str) -> None:
    assert format_year_group(year_group) == shown
    assert parse_year_group(shown) == year_group


@pytest.mark.parametrize("year_group", [-3, 15])
def test_format_year_group_refuses_what_is_not_one(year_group: int) -> None:
    with pytest.raises(ValueError):
        format_year_group(year_group)


@given(st.integers(min_value=LOWEST_YEAR_GROUP, max_value=HIGHEST_YEAR_GROUP))
def test_every_year_group_reads_back(year_group: int) -> None:
    assert parse_year_group(format_year_group(year_group)) == year_group
    assert parse_year_group(str(year_group) if year_group >= 0 else year_group) == year_group


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats()))
def test_anything_else_raises_only_invalid_input(value: object) -> None:
    try:
        result = parse_year_group(value)
    except InvalidInput as error:
        assert error.message
    else:
        assert LOWEST_YEAR_GROUP <= result <= HIGHEST_YEAR_GROUP


def test_year_group_choices_for_a_secondary_school() -> None:
    assert year_group_choices(7, 11) == ["Year 7", "Year 8", "Year 9", "Year 10", "Year 11"]


def test_year_groups_outside_the_school_are_refused() -> None:
    check_year_group_served(7, 7, 11)
    check_year_group_served(11, 7, 11)
    with pytest.raises(InvalidInput) as caught:
        check_year_group_served(6, 7, 11)
    assert str(caught.value) == "Year 6 is not taught at this school: it has Year 7 to Year 11."
    with pytest.raises(InvalidInput, match="Year 12"):
        check_year_group_served(12, 7, 11)


def test_the_coordinators_example_warning() -> None:
    # 2025/26: born 02/10/2012 is Year 8 (age 12 on 31 August 2025).
    warning = year_group_mismatch(date(2012, 10, 2), 9, 2025)
    assert warning == "Born 02/10/2012, this learner would usually be in Year 8, not Year 9."


def test_a_fitting_year_group_gives_no_warning() -> None:
    assert year_group_mismatch(date(2012, 10, 2), 8, 2025) is None


@pytest.mark.parametrize(
    ("born", "year_group", "words"),
    [
        (date(2024, 1, 1), 7, "too young for Year 7"),
        (date(1990, 1, 1), 11, "too old for Year 11"),
        (date(2019, 10, 1), 0, "would usually be in Year 1, not Reception"),
        (date(2022, 10, 1), 0, "would usually be in N1, not Reception"),
    ],
)
def test_mismatch_wording_at_the_edges(born: date, year_group: int, words: str) -> None:
    warning = year_group_mismatch(born, year_group, 2025)
    assert warning is not None and words in warning


def test_years_from_expected_is_signed() -> None:
    born = date(2012, 10, 2)  # Year 8 in 2025/26
    assert years_from_expected(born, 8, 2025) == 0
    assert years_from_expected(born, 7, 2025) == -1  # kept back
    assert years_from_expected(born, 6, 2025) == -2
    assert years_from_expected(born, 10, 2025) == 2  # accelerated
    assert years_from_expected(born, 9, 2026) == 0  # one year on, one year up


@pytest.mark.parametrize("year_group", [7, 8, 9, 10, 11])
def test_birth_range_boundaries_fit_exactly(year_group: int) -> None:
    first, last = birth_range_for(year_group, 2024)
    for born in (first, last):
        assert years_from_expected(born, year_group, 2024) == 0
        assert year_group_mismatch(born, year_group, 2024) is None
    # A day either side is the neighbouring year group: a warning, not an error.
    assert years_from_expected(date(first.year, 8, 31), year_group, 2024) == -1
    assert years_from_expected(date(last.year, 9, 1), year_group, 2024) == 1
