"""Group names that contain a year group, and the name each should have a year later.

Pure functions, no database. Schools name tutor groups ``10A``, ``7/2``, ``Year 10 Blue``,
``Y9 Set 2`` or ``Yr 8 Maths``; the rollover keeps names as they are (memberships stay), so
the coordinator renames them afterwards. A number is taken for a year group only where
schools write one: after "Year"/"Yr"/"Y", at the start of the name (``10A``, ``7/2``,
``10 Blue``), or as a year-and-form code such as ``10A`` anywhere. ``Set 2``, ``Room 101``
and ``Oak`` are left alone, and so is any number outside the years the school serves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# "Year 10", "Yr 8", "Yr. 8", "Y9", "year10": the year word makes the number a year group.
_YEAR_WORD = re.compile(r"(?i)\b(?:year|yr|y)\.?\s*(\d{1,2})(?!\d)")
# A number opening the name: "10A", "10", "7/2", "10-Blue", "10 Blue" (not "101").
_LEADING = re.compile(r"^(\d{1,2})(?=$|[A-Za-z]{1,3}\b|[/\-.\s])")
# A year-and-form code elsewhere: "Tutor 10A" (not "Set 2", not "Room 101").
_FORM_CODE = re.compile(r"\b(\d{1,2})[A-Za-z]{1,2}\b")


@dataclass(frozen=True)
class YearInName:
    """Where the year group sits in a group's name."""

    year_group: int
    start: int
    end: int


def find_year_in_name(
    name: str, *, lowest_year: int = 1, highest_year: int = 11
) -> YearInName | None:
    """The year group written in ``name``, if any, within the years the school serves."""
    for pattern in (_YEAR_WORD, _LEADING, _FORM_CODE):
        for match in pattern.finditer(name):
            year = int(match.group(1))
            if lowest_year <= year <= highest_year:
                return YearInName(year, match.start(1), match.end(1))
    return None


def with_year(name: str, found: YearInName, year_group: int) -> str:
    """``name`` with the year group at ``found`` replaced by ``year_group``."""
    return f"{name[: found.start]}{year_group}{name[found.end :]}"


def suggest_group_name(name: str, *, highest_year: int, lowest_year: int = 1) -> str | None:
    """The name a group should have after the rollover, or None to leave it as it is.

    ``10A`` → ``11A``, ``Year 10 Blue`` → ``Year 11 Blue``, ``Y9 Set 2`` → ``Y10 Set 2``,
    ``7/2`` → ``8/2`` (a year and a form number). A top-year group (``11F``) gets no
    suggestion: its learners complete and leave it empty (see :func:`is_top_year_group`).
    """
    found = find_year_in_name(name, lowest_year=lowest_year, highest_year=highest_year)
    if found is None or found.year_group >= highest_year:
        return None
    return with_year(name, found, found.year_group + 1)


def is_top_year_group(name: str, *, highest_year: int, lowest_year: int = 1) -> bool:
    """True when the name says the group is in the top year served (``11F`` for Year 11)."""
    found = find_year_in_name(name, lowest_year=lowest_year, highest_year=highest_year)
    return found is not None and found.year_group == highest_year


def name_key(name: str) -> str:
    """Names compared as a coordinator reads them: case and outer spaces do not matter."""
    return " ".join(name.split()).casefold()


def find_clashes(current: Mapping[int, str], renames: Mapping[int, str]) -> dict[int, str]:
    """For each renamed group whose new name would clash, a sentence saying with what.

    ``current`` is every group's name now (id → name); ``renames`` the proposed new names.
    A group not renamed keeps its name, so renaming ``10A`` to ``11A`` clashes with an
    existing ``11A`` unless that group is renamed too.
    """
    final = {group_id: renames.get(group_id, name) for group_id, name in current.items()}
    for group_id, new in renames.items():
        final.setdefault(group_id, new)
    counts = Counter(name_key(name) for name in final.values())
    renamed_to = Counter(name_key(new) for new in renames.values())
    clashes: dict[int, str] = {}
    for group_id, new in renames.items():
        key = name_key(new)
        if counts[key] < 2:
            continue
        if renamed_to[key] > 1:
            clashes[group_id] = f"another group is also to be renamed “{new}”"
        else:
            keeper = next(
                current[other]
                for other, name in final.items()
                if other != group_id and name_key(name) == key
            )
            clashes[group_id] = f"a group called “{keeper}” already exists and keeps its name"
    return clashes


def duplicate_names(names: Iterable[str]) -> list[str]:
    """Names that appear more than once, compared case-insensitively (first spelling kept)."""
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for name in names:
        key = name_key(name)
        if key in seen and seen[key] not in repeated:
            repeated.append(seen[key])
        seen.setdefault(key, name)
    return repeated
