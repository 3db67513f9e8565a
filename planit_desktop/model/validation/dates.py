"""Dates as schools in England write them: day first, never swapped.

Accepted: ``date``/``datetime`` objects (spreadsheet date cells); Excel serial numbers as
numbers, or as five-digit text such as ``"41367"`` (1900 system by default, 1904 system for
old Mac workbooks); ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``d.m.yyyy`` and
``dd/mm/yy``; ISO ``yyyy-mm-dd`` (also with ``/`` or ``.``, and with a time part); and
``3 April 2013``, ``3 Apr 2013``, ``3-Apr-13``, ``3rd April 2013``, ``April 3, 2013``.
A time after a date is ignored. ``13/25/2012`` is an error, never 25 December.

Two-digit years follow Excel's own window: ``00``–``29`` are 2000–2029 and ``30``–``99``
are 1930–1999, so a sheet typed in Excel and the same dates as text agree.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from numbers import Real

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.validation.names import quoted

#: Two-digit years below this are 20yy, the others 19yy (Excel's window).
TWO_DIGIT_YEAR_PIVOT = 30
#: A pre-16 learner's plausible ages on the day of checking, inclusive.
MIN_LEARNER_AGE = 2
MAX_LEARNER_AGE = 25

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name[:3].lower()] = _number
_MONTHS["sept"] = 9
# Spelt out rather than taken from the locale: a Qt application may change the locale.
_WEEKDAYS = frozenset(
    name
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for name in (day, day[:3])
)

# Excel's 1900 system counts 29/02/1900, a day that never was, as serial 60: serials up to
# 59 count from 31/12/1899, serials from 61 from 30/12/1899.
_EXCEL_1900_EARLY = date(1899, 12, 31)
_EXCEL_1900 = date(1899, 12, 30)
_EXCEL_1904 = date(1904, 1, 1)
_EXCEL_LAST_DAY = date(9999, 12, 31)

_TIME = (
    r"(?:(?:\s*T\s*|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DAY_FIRST = re.compile(
    r"^(?P<day>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*"
    r"(?P<year>\d{4}|\d{2})" + _TIME + "$",
    re.IGNORECASE | re.ASCII,
)
_YEAR_FIRST = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME + "$",
    re.IGNORECASE | re.ASCII,
)
_DAY_MONTH_NAME = re.compile(
    r"^(?:(?P<weekday>[a-z]+)\.?,?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s/.\-]*"
    r"(?P<month>[a-z]+)\.?,?[\s/.\-]*(?P<year>\d{4}|\d{2})" + _TIME + "$",
    re.IGNORECASE | re.ASCII,
)
_MONTH_NAME_DAY = re.compile(
    r"^(?P<month>[a-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + "$",
    re.IGNORECASE | re.ASCII,
)
# Five digits is 18/05/1927 to 13/10/2173: every plausible date of birth, and never a year
# ("2013") or a compact date ("03042013"), which are refused rather than guessed.
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$", re.ASCII)
_SPACES = re.compile(r"\s+")

_EXAMPLE = "Write it day first, like 03/04/2013."


def format_date(day: date) -> str:
    """``dd/mm/yyyy``, as dates are shown to the coordinator."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def parse_date(value: object, *, date1904: bool = False) -> date:
    """A date from a spreadsheet cell or typed text, or InvalidInput saying why not.

    ``date1904`` says the workbook counts serial numbers from 1904 (old Mac Excel).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        raise InvalidInput(f"{quoted(value)} is a time of day, not a date. {_EXAMPLE}")
    if value is None:
        raise InvalidInput("The date is missing.")
    if isinstance(value, bool):
        raise InvalidInput(f"{quoted(value)} is not a date. {_EXAMPLE}")
    if isinstance(value, Real | Decimal):
        return from_excel_serial(value, date1904=date1904)
    if not isinstance(value, str):
        raise InvalidInput(f"{quoted(value)} is not a date. {_EXAMPLE}")
    return _parse_text(value, date1904=date1904)


def from_excel_serial(serial: Real | Decimal | float, *, date1904: bool = False) -> date:
    """The day an Excel serial number stands for; the fraction (time of day) is ignored."""
    shown = quoted(serial)
    try:
        whole = serial if isinstance(serial, int) else math.floor(float(serial))
    except (OverflowError, ValueError) as exc:  # inf, nan, or too large for a float
        raise InvalidInput(f"{shown} is not a date. {_EXAMPLE}") from exc
    first, epoch = (0, _EXCEL_1904) if date1904 else (1, _EXCEL_1900)
    last = (_EXCEL_LAST_DAY - epoch).days
    if not first <= whole <= last:
        raise InvalidInput(
            f"{shown} is not a date: as an Excel date number it must be between "
            f"{first} and {last:,}. {_EXAMPLE}"
        )
    if date1904:
        return epoch + timedelta(days=whole)
    if whole == 60:
        raise InvalidInput(
            f"{shown} is not a date: Excel counts it as 29/02/1900, a day that never existed."
        )
    return (_EXCEL_1900_EARLY if whole < 60 else epoch) + timedelta(days=whole)


def _parse_text(raw: str, *, date1904: bool) -> date:
    # Non-breaking and zero-width spaces arrive from web pages and MIS exports.
    text = _SPACES.sub(" ", raw.replace("\u200b", "").replace("\ufeff", "")).strip()
    if not text:
        raise InvalidInput("The date is missing.")
    shown = quoted(text)
    if _SERIAL_TEXT.match(text):
        return from_excel_serial(float(text), date1904=date1904)
    match = _DAY_FIRST.match(text) or _YEAR_FIRST.match(text)
    if match:
        numeric = True
        month = int(match["month"])
    else:
        match = _DAY_MONTH_NAME.match(text) or _MONTH_NAME_DAY.match(text)
        if not match:
            raise InvalidInput(f"{shown} is not a date. {_EXAMPLE}")
        numeric = False
        weekday = match.groupdict().get("weekday")
        if weekday and weekday.lower() not in _WEEKDAYS:
            raise InvalidInput(f"{shown} is not a date. {_EXAMPLE}")
        name = match["month"].lower()
        if name not in _MONTHS:
            raise InvalidInput(f"{shown} is not a date: {quoted(match['month'])} is not a month.")
        month = _MONTHS[name]
    _check_time(match, shown)
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
    return _make_date(year, month, int(match["day"]), shown, numeric=numeric)


def _check_time(match: re.Match[str], shown: str) -> None:
    if match["hour"] is None:
        return
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    top_hour = 12 if match["ampm"] else 23
    if hour > top_hour or minute > 59 or second > 59:
        raise InvalidInput(f"{shown} is not a date: its time of day is not a real time.")


def _make_date(year: int, month: int, day: int, shown: str, *, numeric: bool) -> date:
    if year == 0:
        raise InvalidInput(f"{shown} is not a date: there is no year 0.")
    if not 1 <= month <= 12:
        hint = _EXAMPLE
        if numeric and 1 <= day <= 12 and 13 <= month <= 31:
            hint = (
                f"Dates are written day first: if you meant {MONTH_NAMES[day - 1]} {month}, "
                f"write {month:02d}/{day:02d}/{year}."
            )
        raise InvalidInput(f"{shown} is not a date: there is no month {month}. {hint}")
    days_in_month = calendar.monthrange(year, month)[1]
    if day == 0:
        raise InvalidInput(f"{shown} is not a date: there is no day 0.")
    if day > days_in_month:
        month_name = MONTH_NAMES[month - 1]
        if month == 2 and day == 29:
            raise InvalidInput(
                f"{shown} is not a date: {year} is not a leap year, so February {year} has 28 days."
            )
        raise InvalidInput(f"{shown} is not a date: {month_name} {year} has {days_in_month} days.")
    return date(year, month, day)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day`` (a birthday on 29 February counts from 1 March)."""
    age = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        age -= 1
    return age


def _as_date(day: date) -> date:
    # A datetime cannot be compared with a date: reduce it to its day.
    return day.date() if isinstance(day, datetime) else day


def check_date_of_birth(d: date, *, today: date) -> None:
    """Refuse a date of birth in the future or implausible for a pre-16 learner.

    Plausible means aged ``MIN_LEARNER_AGE`` to ``MAX_LEARNER_AGE`` on ``today``.
    """
    d, today = _as_date(d), _as_date(today)
    shown = format_date(d)
    if d > today:
        raise InvalidInput(f"The date of birth {shown} is in the future. Check the year.")
    age = age_on(d, today)
    if age < MIN_LEARNER_AGE:
        words = "under a year" if age == 0 else f"{age} year" if age == 1 else f"{age} years"
        raise InvalidInput(
            f"The date of birth {shown} makes this learner {words} old: too young for a "
            "pre-16 learner. Check the year."
        )
    if age > MAX_LEARNER_AGE:
        raise InvalidInput(
            f"The date of birth {shown} makes this learner {age} years old: too old for a "
            "pre-16 learner. Check the year."
        )
