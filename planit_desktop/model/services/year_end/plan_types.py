"""What a rollover would do (or did): immutable results that the wizard, the report and the
command line all read, with the JSON the command line prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planit_desktop.model.calendar import format_academic_year


@dataclass(frozen=True)
class PlannedLearner:
    """A learner the plan names: kept back, or leaving (then with when and why)."""

    learner_id: int
    name: str
    upn: str | None
    year_group: int
    left_on: date | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.learner_id,
            "name": self.name,
            "upn": self.upn,
            "year_group": self.year_group,
        }
        if self.left_on is not None:
            data |= {"left_on": self.left_on.isoformat(), "reason": self.reason}
        return data


@dataclass(frozen=True)
class AccessLoss:
    """A member of staff and the groups whose access ends with the academic year."""

    staff_id: int
    name: str
    login: str
    groups: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "login": self.login, "groups": list(self.groups)}


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    name: str
    login: str


@dataclass(frozen=True)
class GroupRename:
    """A group whose name contains a year (or a number that may be one): the name proposed
    from the year groups its learners will be in, and any problem with it.

    ``suggested`` is None when no name is proposed by rule: the name already fits, the group
    is mixed (its learners will be in more than one year group), its name is ambiguous, or
    nobody on roll is left in it and it is not a top-year group. ``emptied`` says that the
    group has nobody on roll after the year end. ``years_after`` holds its learners who stay
    on roll, by the year group they will be in; ``kept_back`` and ``leaving`` count those
    kept back and those who complete or leave. ``note`` says why no name is proposed.
    """

    group_id: int
    old: str
    suggested: str | None
    clash: str | None = None
    emptied: bool = False
    years_after: Mapping[int, int] = field(default_factory=dict)
    kept_back: int = 0
    leaving: int = 0
    mixed: bool = False
    ambiguous: bool = False
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "from": self.old,
            "to": self.suggested,
            "clash": self.clash,
            "emptied": self.emptied,
            "years_after": {str(year): count for year, count in sorted(self.years_after.items())},
            "kept_back": self.kept_back,
            "leaving": self.leaving,
            "mixed": self.mixed,
            "ambiguous": self.ambiguous,
            "note": self.note,
        }


@dataclass(frozen=True)
class Problem:
    """Something the coordinator should look at; none of them blocks the rollover."""

    kind: str  # no_group, year_outside_range, date_of_birth, no_subjects, group_names
    message: str
    learner_ids: tuple[int, ...] = ()
    year_groups: tuple[int, ...] = ()
    #: For a check of groups: one line per group ("10A: its learners will be in Year 11").
    groups: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.learner_ids) or len(self.year_groups) or len(self.groups)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "count": self.count,
            "learner_ids": list(self.learner_ids),
            "year_groups": list(self.year_groups),
            "groups": list(self.groups),
        }


@dataclass(frozen=True)
class RolloverPlan:
    """Everything a rollover from ``from_year`` to ``to_year`` would change."""

    from_year: int
    to_year: int
    opens_on: date
    lowest_year: int
    highest_year: int
    learners_by_year_before: dict[int, int]
    learners_by_year_after: dict[int, int]
    completed_ids: tuple[int, ...]
    completed_on: date
    kept_back: tuple[PlannedLearner, ...]
    left: tuple[PlannedLearner, ...]
    moving_up: int
    access_removed: tuple[AccessLoss, ...]
    administrators: tuple[StaffRow, ...]
    group_renames: tuple[GroupRename, ...]
    problems: tuple[Problem, ...] = field(default=())
    #: Each group's learners on roll now, by year group (group id → year → count): what the
    #: wizard works the proposed names out from again as the choices change.
    group_years_now: Mapping[int, Mapping[int, int]] = field(default_factory=dict)
    #: Learners joining in ``to_year``: put on roll by the rollover in the year group they
    #: were given (counted in ``learners_by_year_after``, not in ``before`` nor ``moving_up``).
    joining: int = 0

    @property
    def completed(self) -> int:
        """How many learners complete the top year and leave the pre-16 system."""
        return len(self.completed_ids)

    @property
    def learners_changed(self) -> int:
        return self.moving_up + self.completed + len(self.left) + self.joining

    def is_open(self, today: date) -> bool:
        """True from 1 August of the ending academic year."""
        return today >= self.opens_on

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data (the command line's ``--preview --json``)."""
        return {
            "from_year": format_academic_year(self.from_year),
            "to_year": format_academic_year(self.to_year),
            "opens_on": self.opens_on.isoformat(),
            "learners_by_year_before": {str(k): v for k, v in self.learners_by_year_before.items()},
            "learners_by_year_after": {str(k): v for k, v in self.learners_by_year_after.items()},
            "moving_up": self.moving_up,
            "joining": self.joining,
            "completed": self.completed,
            "completed_year_group": self.highest_year,
            "completed_on": self.completed_on.isoformat(),
            "kept_back": [row.to_json() for row in self.kept_back],
            "left": [row.to_json() for row in self.left],
            "access_removed": [loss.to_json() for loss in self.access_removed],
            "administrators_keep_access": [
                {"name": row.name, "login": row.login} for row in self.administrators
            ],
            "group_renames": [rename.to_json() for rename in self.group_renames],
            "problems": [problem.to_json() for problem in self.problems],
        }
