"""The school calendar: academic years (1 September to 31 August) and age-based year groups."""

from __future__ import annotations

import re
from datetime import date

from planit_desktop.model.errors import InvalidInput

_YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:[/-]\s*(\d{2}|\d{4}))?\s*$")


def format_academic_year(start_year: int) -> str:
    """``2025`` → ``"2025/26"``: the academic year that starts on 1 September 2025."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_academic_year(text: str) -> int:
    """``"2025/26"``, ``"2025-26"``, ``"2025/2026"`` or ``"2025"`` → ``2025``."""
    match = _YEAR_RE.match(text or "")
    if not match:
        raise InvalidInput(f"“{text}” is not an academic year. Write it like 2025/26.")
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2))
        if (len(match.group(2)) == 2 and end != (start + 1) % 100) or (
            len(match.group(2)) == 4 and end != start + 1
        ):
            raise InvalidInput(
                f"“{text}” is not an academic year: the second year must follow the first, "
                f"as in {format_academic_year(start)}."
            )
    if not 1990 <= start <= 2200:
        raise InvalidInput(f"“{text}” is not a plausible academic year.")
    return start


def academic_year_of(day: date) -> int:
    """The academic year (its starting calendar year) that contains ``day``."""
    return day.year if day.month >= 9 else day.year - 1


def rollover_opens(start_year: int) -> date:
    """The rollover out of ``start_year`` is allowed from 1 August of the following year."""
    return date(start_year + 1, 8, 1)


def end_of_academic_year(start_year: int) -> date:
    """31 August that closes the academic year: the leaving date of the top year."""
    return date(start_year + 1, 8, 31)


def expected_year_group(date_of_birth: date, start_year: int) -> int:
    """The National Curriculum year a child of this birth date is in during ``start_year``.

    Age on 31 August of ``start_year`` minus four: Reception is 0, N2 is -1, N1 is -2.
    """
    age = start_year - date_of_birth.year
    if (date_of_birth.month, date_of_birth.day) > (8, 31):
        age -= 1
    return age - 4


def birth_range_for(year_group: int, start_year: int) -> tuple[date, date]:
    """First and last birth dates of year ``year_group`` in ``start_year`` (inclusive)."""
    first = date(start_year - 5 - year_group, 9, 1)
    last = date(start_year - 4 - year_group, 8, 31)
    return first, last
