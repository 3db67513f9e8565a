"""Year groups as schools write them, and whether one fits a learner's date of birth.

A year group is stored as a number: Year 1 to Year 14 are 1–14, Reception is 0, N2 is -1
and N1 is -2 (the National Curriculum's order, as in ``calendar.expected_year_group``).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from numbers import Real

from planit_desktop.model.calendar import expected_year_group
from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.validation.dates import format_date
from planit_desktop.model.validation.names import quoted

LOWEST_YEAR_GROUP = -2  # N1
HIGHEST_YEAR_GROUP = 14

_NAMED = {"n1": -2, "nursery1": -2, "n2": -1, "nursery2": -1, "r": 0, "rec": 0, "reception": 0}
# "Year 8", "Yr. 8", "Yr 08", "Y8", "8", "08", "8.0", "Year R", "YR", "N1", "Nursery 2", and
# the National Curriculum's own "NC8", "NC Year 8" (MIS exports and transfer files).
_PREFIX = r"(?:nc\.?)?(?:(?:year|yr|y)\.?)?"
_PATTERN = re.compile(
    rf"^{_PREFIX}(?:(?P<number>\d{{1,3}})(?:\.0+)?|(?P<name>[a-z]+\d?))$", re.ASCII
)
_FRACTION = re.compile(rf"^{_PREFIX}\d+\.\d+$", re.ASCII)
_EXAMPLE = "Write it like Year 8, Y8 or 8 (R for Reception)."


def parse_year_group(value: object) -> int:
    """The year group as a number from a cell or typed text, or InvalidInput saying why not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput("The year group is missing.")
    if isinstance(value, bool):
        raise InvalidInput(f"{quoted(value)} is not a year group. {_EXAMPLE}")
    if isinstance(value, Real | Decimal):
        return _from_number(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{quoted(value)} is not a year group. {_EXAMPLE}")
    key = "".join(value.split()).lower()
    match = _PATTERN.match(key)
    if match and match["number"] is not None:
        return _in_range(int(match["number"]), quoted(value))
    if match and match["name"] in _NAMED:
        return _NAMED[match["name"]]
    if key == "x":
        raise InvalidInput(
            "“X” means a learner not following the National Curriculum years; Plan-it needs "
            f"their year group. {_EXAMPLE}"
        )
    if key in {"e1", "e2"}:
        raise InvalidInput(
            f"{quoted(value)} is an early-years code that Plan-it does not use. {_EXAMPLE}"
        )
    if _FRACTION.match(key):
        raise InvalidInput(
            f"{quoted(value)} is not a year group: year groups are whole numbers. {_EXAMPLE}"
        )
    raise InvalidInput(f"{quoted(value)} is not a year group. {_EXAMPLE}")


def _from_number(value: Real | Decimal) -> int:
    shown = quoted(value)
    try:
        number = float(value)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(f"{shown} is not a year group. {_EXAMPLE}") from exc
    if not math.isfinite(number) or number != int(number):
        raise InvalidInput(f"{shown} is not a year group: year groups are whole numbers.")
    return _in_range(int(number), shown)


def _in_range(number: int, shown: str) -> int:
    if not LOWEST_YEAR_GROUP <= number <= HIGHEST_YEAR_GROUP:
        if number > HIGHEST_YEAR_GROUP:
            what = f"there is no Year {number}"
        else:
            what = f"{shown} is not a year group"
        raise InvalidInput(f"{what[0].upper()}{what[1:]}: year groups run from N1 to Year 14.")
    return number


def format_year_group(n: int) -> str:
    """``8`` → ``"Year 8"``, ``0`` → ``"Reception"``, ``-1`` → ``"N2"``, ``-2`` → ``"N1"``."""
    if n == -2:
        return "N1"
    if n == -1:
        return "N2"
    if n == 0:
        return "Reception"
    if 1 <= n <= HIGHEST_YEAR_GROUP:
        return f"Year {n}"
    raise ValueError(f"{n} is not a year group")


def year_group_choices(lowest: int, highest: int) -> list[str]:
    """The year groups a school serves, as shown in drop-down lists: ``["Year 7", …]``."""
    return [format_year_group(n) for n in range(lowest, highest + 1)]


def check_year_group_served(year_group: int, lowest: int, highest: int) -> None:
    """Refuse a year group outside the range the school serves (e.g. Years 7 to 11)."""
    if not lowest <= year_group <= highest:
        raise InvalidInput(
            f"{format_year_group(year_group)} is not taught at this school: it has "
            f"{format_year_group(lowest)} to {format_year_group(highest)}."
        )


def years_from_expected(date_of_birth: date, year_group: int, academic_year: int) -> int:
    """How many years ``year_group`` is from the age-based year in ``academic_year``.

    Positive: ahead of their age (accelerated); negative: behind it (kept back); 0: as
    expected. The rollover flags learners whose ``abs(...)`` is 2 or more.
    """
    return year_group - expected_year_group(date_of_birth, academic_year)


def year_group_mismatch(date_of_birth: date, year_group: int, academic_year: int) -> str | None:
    """A warning sentence when ``year_group`` does not fit the date of birth, else None.

    A learner may be kept back or moved up a year, so this is never an error.
    """
    expected = expected_year_group(date_of_birth, academic_year)
    if expected == year_group:
        return None
    born = f"Born {format_date(date_of_birth)}, this learner"
    actual = format_year_group(year_group)
    if expected < LOWEST_YEAR_GROUP:
        return f"{born} is too young for {actual}."
    if expected > HIGHEST_YEAR_GROUP:
        return f"{born} is too old for {actual}."
    return f"{born} would usually be in {format_year_group(expected)}, not {actual}."
