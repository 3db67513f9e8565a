"""Dates as schools write them: day first, ISO, Excel cells and serial numbers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.validation.dates import (
    age_on,
    check_date_of_birth,
    format_date,
    from_excel_serial,
    parse_date,
)

APRIL_3 = date(2013, 4, 3)


@pytest.mark.parametrize(
    "typed",
    [
        "03/04/2013",
        "3/4/2013",
        "03-04-2013",
        "3.4.2013",
        "03.04.2013",
        "03/04/13",
        " 03 / 04 / 2013 ",
        "03/04/2013 00:00",
        "03/04/2013 00:00:00",
        "03/04/2013 9:30 am",
        "2013-04-03",
        "2013-4-3",
        "2013/04/03",
        "2013-04-03T00:00:00",
        "2013-04-03T12:30:15.123Z",
        "2013-04-03 12:30:15+01:00",
        "3 April 2013",
        "3 april 2013",
        "3 Apr 2013",
        "3 Apr. 2013",
        "3rd April 2013",
        "3rd of April 2013",
        "03-Apr-2013",
        "3-Apr-13",
        "Wednesday 3 April 2013",
        "Wed, 3 Apr 2013",
        "April 3, 2013",
        "41367",
        "41367.5",
        "\u00a003/04/2013\u200b",
    ],
)
def test_text_dates_schools_write(typed: str) -> None:
    assert parse_date(typed) == APRIL_3


def test_day_first_is_never_swapped() -> None:
    assert parse_date("03/04/2013") == date(2013, 4, 3)
    assert parse_date("12/01/2013") == date(2013, 1, 12)
    with pytest.raises(InvalidInput) as caught:
        parse_date("13/25/2012")
    assert "no month 25" in str(caught.value)


def test_month_first_gets_a_day_first_hint() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date("12/25/2012")
    message = str(caught.value)
    assert "day first" in message and "25/12/2012" in message


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("29/02/2013", "2013 is not a leap year, so February 2013 has 28 days"),
        ("29/02/1900", "1900 is not a leap year"),
        ("31/02/2013", "February 2013 has 28 days"),
        ("31/04/2013", "April 2013 has 30 days"),
        ("00/04/2013", "no day 0"),
        ("03/00/2013", "no month 0"),
        ("03/04/0000", "no year 0"),
        ("3 Apl 2013", "“Apl” is not a month"),
        ("03/04/2013 25:00", "not a real time"),
        ("03/04/2013 13:00 pm", "not a real time"),
    ],
)
def test_impossible_dates_say_why(typed: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed)
    assert why in str(caught.value)
    assert str(caught.value).startswith(f"“{typed}” is not a date")


def test_the_coordinators_example_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date("31/02/2013")
    assert str(caught.value) == "“31/02/2013” is not a date: February 2013 has 28 days."


def test_leap_days_of_leap_years_are_fine() -> None:
    assert parse_date("29/02/2012") == date(2012, 2, 29)
    assert parse_date("29/02/2000") == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("typed", "year"),
    [("03/04/00", 2000), ("03/04/13", 2013), ("03/04/29", 2029), ("03/04/30", 1930)],
)
def test_two_digit_years_use_excels_window(typed: str, year: int) -> None:
    assert parse_date(typed).year == year


@pytest.mark.parametrize(
    "typed",
    [
        "hello",
        "2013",
        "9999",
        "100000",
        "03042013",
        "03/04",
        "03/04-2013",
        "3 Xyz",
        "Someday 3 April 2013",
        "1e5",
    ],
)
def test_text_that_is_not_a_date_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="is not a date"):
        parse_date(typed)


@pytest.mark.parametrize("typed", [None, "", "   ", "\u200b"])
def test_missing_dates(typed: str | None) -> None:
    with pytest.raises(InvalidInput, match="The date is missing"):
        parse_date(typed)


def test_date_and_datetime_cells() -> None:
    assert parse_date(APRIL_3) == APRIL_3
    assert parse_date(datetime(2013, 4, 3, 14, 5)) == APRIL_3
    assert type(parse_date(datetime(2013, 4, 3))) is date


@pytest.mark.parametrize("value", [time(0, 0), True, [2013, 4, 3], b"03/04/2013"])
def test_other_cell_values_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput):
        parse_date(value)


@pytest.mark.parametrize(
    ("serial", "day"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (41275, date(2013, 1, 1)),
        (41367, APRIL_3),
        (41367.99, APRIL_3),
        (Decimal("41367"), APRIL_3),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_1900_serials(serial: float, day: date) -> None:
    assert parse_date(serial) == day


def test_excel_serial_60_is_the_day_that_never_was() -> None:
    with pytest.raises(InvalidInput, match="29/02/1900"):
        parse_date(60)


@pytest.mark.parametrize(
    ("serial", "day"),
    [(0, date(1904, 1, 1)), (39813, date(2013, 1, 1)), (39905, APRIL_3), ("39905", APRIL_3)],
)
def test_excel_1904_serials(serial: float | str, day: date) -> None:
    assert parse_date(serial, date1904=True) == day


@pytest.mark.parametrize(
    "serial", [0, -1, 2958466, float("nan"), float("inf"), 10**400, Decimal("NaN")]
)
def test_impossible_serials(serial: float) -> None:
    with pytest.raises(InvalidInput, match="is not a date"):
        parse_date(serial)


def test_from_excel_serial_directly() -> None:
    assert from_excel_serial(41367) == APRIL_3
    assert from_excel_serial(39905, date1904=True) == APRIL_3


def test_format_date() -> None:
    assert format_date(date(2012, 10, 2)) == "02/10/2012"


TODAY = date(2026, 3, 1)


def test_plausible_dates_of_birth_pass() -> None:
    check_date_of_birth(date(2012, 10, 2), today=TODAY)
    check_date_of_birth(date(2024, 3, 1), today=TODAY)  # 2 today
    check_date_of_birth(date(2000, 3, 2), today=TODAY)  # 25 until tomorrow


def test_a_future_date_of_birth_is_refused() -> None:
    with pytest.raises(InvalidInput, match="02/03/2026 is in the future"):
        check_date_of_birth(TODAY + timedelta(days=1), today=TODAY)


@pytest.mark.parametrize(
    ("born", "words"),
    [
        (date(2026, 3, 1), "under a year old: too young"),
        (date(2025, 1, 1), "1 year old: too young"),
        (date(2000, 3, 1), "26 years old: too old"),
        (date(1913, 4, 3), "112 years old: too old"),
    ],
)
def test_implausible_ages_are_refused(born: date, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_date_of_birth(born, today=TODAY)
    assert words in str(caught.value)
    assert format_date(born) in str(caught.value)


def test_datetimes_are_checked_by_their_day() -> None:
    check_date_of_birth(datetime(2012, 10, 2, 8, 0), today=datetime(2026, 3, 1, 9, 0))


def test_age_on_a_leap_day_birthday() -> None:
    assert age_on(date(2012, 2, 29), date(2013, 2, 28)) == 0
    assert age_on(date(2012, 2, 29), date(2013, 3, 1)) == 1


# Properties: any date written the ways schools write it reads back as itself.
_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(_DATES)
def test_day_first_text_reads_back(day: date) -> None:
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_date(f"{day.day}-{day.month}-{day.year}") == day


@given(_DATES)
def test_iso_text_reads_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(datetime.combine(day, time(13, 45, 7)).isoformat()) == day


def _serial_1900(day: date) -> int:
    # Independent of the parser: Excel's day 1 is 01/01/1900 and it counts a 29/02/1900.
    days = (day - date(1900, 1, 1)).days + 1
    return days + 1 if day >= date(1900, 3, 1) else days


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_excel_1900_serials_read_back(day: date) -> None:
    serial = _serial_1900(day)
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.25) == day


@given(st.dates(min_value=date(1904, 1, 1), max_value=date(9999, 12, 31)))
def test_excel_1904_serials_read_back(day: date) -> None:
    assert parse_date((day - date(1904, 1, 1)).days, date1904=True) == day


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2173, 10, 13)))
def test_serials_as_five_digit_text_read_back(day: date) -> None:
    assert parse_date(str(_serial_1900(day))) == day


@given(st.text(max_size=40))
def test_arbitrary_text_raises_only_invalid_input(text: str) -> None:
    try:
        parse_date(text)
    except InvalidInput as error:
        assert error.message


@given(st.from_regex(r"\A\s*\d{1,3}\s*[/.\-]\s*\d{1,3}\s*[/.\-]\s*\d{1,5}\s*\Z"))
def test_date_shaped_text_raises_only_invalid_input(text: str) -> None:
    try:
        parse_date(text)
    except InvalidInput as error:
        assert error.message


@given(st.one_of(st.integers(), st.floats(), st.decimals()))
def test_arbitrary_numbers_raise_only_invalid_input(number: object) -> None:
    try:
        parse_date(number)
    except InvalidInput as error:
        assert error.message
