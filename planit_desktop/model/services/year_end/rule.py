"""The year end's rule, written once: what happens to a learner on roll at the year end.

A learner moves up one year group, unless they are in the school's top year (or above it):
then they complete, and leave the pre-16 system with their year group kept as history. The
coordinator may keep a learner back (the same year group) or record them as leaving.

The same functions take a year group as a number (the wizard, the counts) or as an SQL
column (the plan's GROUP BY, the journal's INSERT … SELECT): ``>=`` and ``+`` build an
expression from a column, so the plan, the journal, the wizard and the undo read one rule.
"""

from __future__ import annotations

import enum
from typing import Any, TypeAlias, overload

from sqlalchemy import ColumnElement, case, null
from sqlalchemy.orm import QueryableAttribute

YearColumn: TypeAlias = ColumnElement[int] | QueryableAttribute[int]

#: How many year groups a learner moves up at a year end (and back again at its undo).
YEARS_UP = 1


class Outcome(enum.StrEnum):
    """What the year end does to one learner on roll."""

    MOVES_UP = "moves_up"
    COMPLETES = "completes"  # the top year served: status completed, year group kept
    KEPT_BACK = "kept_back"  # the coordinator's choice: the same year group again
    LEAVES = "leaves"  # the coordinator's choice: "Not at my provider"


@overload
def completes(year_group: int, top_year: int) -> bool: ...
@overload
def completes(year_group: YearColumn, top_year: int) -> ColumnElement[bool]: ...
def completes(year_group: Any, top_year: int) -> Any:
    """Whether a learner of ``year_group`` completes rather than moves up: the top year
    served (``top_year``), or above it (a year group outside the range is not moved on)."""
    return year_group >= top_year


@overload
def moved_up(year_group: int) -> int: ...
@overload
def moved_up(year_group: YearColumn) -> ColumnElement[int]: ...
def moved_up(year_group: Any) -> Any:
    """The year group a learner who moves up is in afterwards."""
    return year_group + YEARS_UP


@overload
def moved_back(year_group: int) -> int: ...
@overload
def moved_back(year_group: YearColumn) -> ColumnElement[int]: ...
def moved_back(year_group: Any) -> Any:
    """The year group a learner goes back to when a year end is undone (one added since
    the rollover moves back a year group with the school)."""
    return year_group - YEARS_UP


def outcome(
    year_group: int, top_year: int, *, kept_back: bool = False, leaving: bool = False
) -> Outcome:
    """What happens to a learner of ``year_group`` at the year end, with the coordinator's
    choice for them (kept back or leaving; neither: the rule)."""
    if leaving:
        return Outcome.LEAVES
    if kept_back:
        return Outcome.KEPT_BACK
    return Outcome.COMPLETES if completes(year_group, top_year) else Outcome.MOVES_UP


def year_group_after(year_group: int, happens: Outcome) -> int | None:
    """The learner's year group on roll after the year end; None when they are no longer
    on roll (completed or left)."""
    if happens is Outcome.MOVES_UP:
        return moved_up(year_group)
    if happens is Outcome.KEPT_BACK:
        return year_group
    return None


def year_group_after_sql(
    year_group: YearColumn,
    top_year: int,
    *,
    kept_back: ColumnElement[bool],
    leaving: ColumnElement[bool],
) -> ColumnElement[int | None]:
    """SQL: :func:`year_group_after` of :func:`outcome`, for every learner at once
    (``kept_back`` and ``leaving`` say whether the coordinator chose so for the row)."""
    return case(
        (leaving, null()),
        (kept_back, year_group),
        (completes(year_group, top_year), null()),
        else_=moved_up(year_group),
    )
