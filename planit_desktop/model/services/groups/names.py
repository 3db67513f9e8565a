"""Group names that contain a year group, and the name each should have a year later.

Pure functions, no database. Schools name groups in many ways: ``10A``, ``7K10``, ``8S7``,
``10E6``, ``7/Blu``, ``11-Green``, ``Year 10 Blue``, ``Y9 Set 2``, ``Yr10 Maths``, ``Y07``,
``Tutor 9B``. A number is read as a year group where schools write one: after
"Year"/"Yr"/"Y" (a leading zero allowed), opening the name (followed by letters, a
separator or nothing, and then anything), or as a year-and-form code anywhere (``9B``,
``10X1``), and only within the years the school serves.

Some names hold a number that may or may not be a year: ``Set 10``, ``Room 101`` (Year 10
form 1, or a room?), ``Maths 9``, ``Years 10-11``. Those are *ambiguous*: shown to the
coordinator to decide, never renamed by rule. ``Set 2``, ``Oak`` and ``Class of 2027`` hold
no year the school serves and are left alone.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# "Year 10", "Yr10", "Yr. 8", "Y9", "Y07", "year-10": the year word makes the number a year.
_YEAR_WORD = re.compile(r"(?i)(?<![a-z])(?:years?|yrs?|y)[\s.\-_:]*(\d{1,2})(?!\d)")
# A range of years after the year word ("Years 10-11", "Y10/11", "Yr 10 & 11").
_YEAR_RANGE = re.compile(r"(?i)^\s*(?:[-/&+,]|and|to)\s*(?:y|yr|year)?\s*\d")
# A number opening the name: "10A", "7K10", "10", "7/2", "10-Blue", "10 Blue" (not "101").
_LEADING = re.compile(r"^\s*(\d{1,2})(?!\d)(?=$|[A-Za-z]|[/\-.\s_])")
# A year-and-form code elsewhere: "Tutor 10A", "Maths 10X1" (not "Set 2", not "Room 101").
_FORM_CODE = re.compile(r"(?<![A-Za-z0-9])(\d{1,2})[A-Za-z]{1,3}\d{0,2}(?![A-Za-z0-9])")
# Any other number standing on its own, of up to three digits.
_NUMBER = re.compile(r"(?<![0-9])(\d{1,3})(?![0-9])")
# Words after which a number counts something else: a set, a room, a group number.
_NOT_A_YEAR = re.compile(
    r"(?i)\b(?:set|sets|room|rm|lab|block|group|grp|no|number|class|band|table|team|"
    r"level|stage|ks|key\s+stage|pathway|option|top|u|under|over)\.?\s*[#:]?\s*$"
)
_LEAVERS = re.compile(r"(?i)\bleavers?\b")
_LEAVERS_SUFFIX = re.compile(r"(?i)\s*\bleavers?(?:\s+\d{4})?\s*$")


@dataclass(frozen=True)
class YearInName:
    """Where the year group sits in a group's name (``start``:``end``, digits only)."""

    year_group: int
    start: int
    end: int


@dataclass(frozen=True)
class NameReading:
    """What a group's name says about its year group.

    ``year``: the year group written in it, when it is certain. ``ambiguous``: when a number
    in it may or may not be a year group, the words saying so (for the coordinator)."""

    year: YearInName | None = None
    ambiguous: str | None = None

    @property
    def names_a_year(self) -> bool:
        return self.year is not None or self.ambiguous is not None


def _served(text: str, lowest_year: int, highest_year: int) -> int | None:
    year = int(text)
    return year if lowest_year <= year <= highest_year else None


def _after_marker(name: str, start: int) -> bool:
    return _NOT_A_YEAR.search(name[:start]) is not None


@functools.lru_cache(maxsize=65536)  # the wizard reads every group's name on each choice
def read_name(name: str, *, lowest_year: int = 1, highest_year: int = 11) -> NameReading:
    """What ``name`` says about a year group within the years the school serves: a year
    that is certain, a number that may be one (ambiguous), or nothing."""
    for match in _YEAR_WORD.finditer(name):
        year = _served(match.group(1), lowest_year, highest_year)
        if year is None:
            continue
        if _YEAR_RANGE.match(name[match.end() :]):
            return NameReading(ambiguous=f"“{name}” may name more than one year group")
        return NameReading(YearInName(year, match.start(1), match.end(1)))
    leading = _LEADING.match(name)
    if leading is not None:
        year = _served(leading.group(1), lowest_year, highest_year)
        rest = name[leading.end(1) :]
        second = re.match(r"^\s*[-/&]\s*(\d{1,2})(?!\d)", rest)
        if year is not None and second and int(second.group(1)) == year + 1:
            return NameReading(ambiguous=f"“{name}” may name Years {year} and {year + 1}")
        if year is not None:
            return NameReading(YearInName(year, leading.start(1), leading.end(1)))
    for match in _FORM_CODE.finditer(name):
        year = _served(match.group(1), lowest_year, highest_year)
        if year is None:
            continue
        if _after_marker(name, match.start()):
            return NameReading(ambiguous=_unclear(name, match.group(0)))
        return NameReading(YearInName(year, match.start(1), match.end(1)))
    for match in _NUMBER.finditer(name):
        digits = match.group(1)
        if len(digits) == 3:
            # "101": Year 10 form 1, or a room? "111": Year 11 form 1, or a room?
            if _served(digits[:2], lowest_year, highest_year) is None and (
                _served(digits[:1], lowest_year, highest_year) is None
            ):
                continue
        elif _served(digits, lowest_year, highest_year) is None:
            continue
        return NameReading(ambiguous=_unclear(name, digits))
    return NameReading()


def _unclear(name: str, number: str) -> str:
    return f"“{number}” in “{name}” may be a year group, or a set, room or form number"


def find_year_in_name(
    name: str, *, lowest_year: int = 1, highest_year: int = 11
) -> YearInName | None:
    """The year group written in ``name``, when it is certain (see :func:`read_name`)."""
    return read_name(name, lowest_year=lowest_year, highest_year=highest_year).year


def with_year(name: str, found: YearInName, year_group: int) -> str:
    """``name`` with the year group at ``found`` replaced by ``year_group`` (a leading zero
    kept: ``Y07`` → ``Y08``)."""
    digits = name[found.start : found.end]
    width = len(digits) if digits.startswith("0") else 1
    return f"{name[: found.start]}{year_group:0{width}d}{name[found.end :]}"


def suggest_group_name(name: str, *, highest_year: int, lowest_year: int = 1) -> str | None:
    """The name a group should have a year later if its learners move up with it, or None
    to leave it as it is (no certain year in it, or the top year).

    ``10A`` → ``11A``, ``7K10`` → ``8K10``, ``Year 10 Blue`` → ``Year 11 Blue``,
    ``Y9 Set 2`` → ``Y10 Set 2``, ``7/2`` → ``8/2``. A top-year group (``11F``) gets no
    suggestion: its learners complete and leave it empty (see :func:`is_top_year_group`).
    The year end itself proposes names from the learners' year groups instead (see
    :mod:`planit_desktop.model.services.year_end.proposals`).
    """
    found = find_year_in_name(name, lowest_year=lowest_year, highest_year=highest_year)
    if found is None or found.year_group >= highest_year:
        return None
    return with_year(name, found, found.year_group + 1)


def is_top_year_group(name: str, *, highest_year: int, lowest_year: int = 1) -> bool:
    """True when the name says the group is in the top year served (``11F`` for Year 11)."""
    found = find_year_in_name(name, lowest_year=lowest_year, highest_year=highest_year)
    return found is not None and found.year_group == highest_year


def is_leavers_name(name: str) -> bool:
    """True when the name says the group is of leavers ("11A leavers 2026")."""
    return _LEAVERS.search(name) is not None


def leavers_name(name: str, year: int) -> str:
    """The name for a group whose learners all leave in the summer of ``year``: "11A" →
    "11A leavers 2026"; a name already saying "leavers" gets no second one."""
    base = _LEAVERS_SUFFIX.sub("", name).rstrip() or name
    return f"{base} leavers {year}"


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
