"""Plan-it's side of a comparison: every learner (on roll, left or completed), their groups and
the school's years, read in three queries and kept as plain snapshots.

The comparison itself is pure (:mod:`.comparing`): it is worked out again in memory each time
the coordinator settles an ambiguous row, without reading the database again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.importing.duplicates import sims_key
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school

#: Said in the refusal a supervisor gets ("Only administrators can …").
TASK = "compare the school's roll with its MIS"


def sims_match_key(text: str) -> str:
    """An admission number as compared with the MIS: the import's key (case and spaces
    ignored), and leading zeros dropped from a number, since a spreadsheet that held the
    column as numbers lost them (``012345`` and ``12345`` are one admission number)."""
    key = sims_key(text)
    return (key.lstrip("0") or key) if key.isdigit() else key


@dataclass(frozen=True, slots=True)
class RollLearner:
    """One learner as Plan-it holds them: a snapshot, with the version it was read at."""

    id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    upn: str | None
    sims_number: str | None
    status: LearnerStatus
    login: str
    version: int
    group_ids: tuple[int, ...] = ()

    @property
    def on_roll(self) -> bool:
        return self.status is LearnerStatus.ON_ROLL

    @property
    def name(self) -> str:
        return f"{self.first_names} {self.surname}"


@dataclass(frozen=True)
class Roll:
    """The school and every learner it has ever recorded, indexed for matching."""

    school_name: str
    academic_year: int
    lowest_year: int
    highest_year: int
    learners: Mapping[int, RollLearner]
    #: Group id → name, every group.
    groups: Mapping[int, str]
    by_upn: Mapping[str, int] = field(default_factory=dict)
    by_sims: Mapping[str, int] = field(default_factory=dict)

    @property
    def on_roll(self) -> list[RollLearner]:
        return [learner for learner in self.learners.values() if learner.on_roll]

    def serves(self, year_group: int) -> bool:
        return self.lowest_year <= year_group <= self.highest_year

    @classmethod
    def of(
        cls,
        school: tuple[str, int, int, int],
        learners: Mapping[int, RollLearner],
        groups: Mapping[int, str],
    ) -> Roll:
        """A roll with its indexes: (school name, academic year, lowest, highest year)."""
        by_upn = {learner.upn: lid for lid, learner in learners.items() if learner.upn}
        by_sims = {
            sims_match_key(learner.sims_number): lid
            for lid, learner in learners.items()
            if learner.sims_number
        }
        name, academic_year, lowest, highest = school
        return cls(name, academic_year, lowest, highest, learners, groups, by_upn, by_sims)


def load_roll(session: Session, actor: Actor) -> Roll:
    """Read every learner, their groups and the school's years (administrators only)."""
    require_administrator(session, actor, TASK)
    school = get_school(session)
    members: defaultdict[int, list[int]] = defaultdict(list)
    for learner_id, group_id in session.execute(
        select(GroupMembership.learner_id, GroupMembership.group_id).order_by(
            GroupMembership.learner_id, GroupMembership.group_id
        )
    ):
        members[learner_id].append(group_id)
    learners = {
        row.id: RollLearner(
            row.id,
            row.first_names,
            row.surname,
            row.date_of_birth,
            row.year_group,
            row.upn,
            row.sims_number,
            row.status,
            row.login,
            row.version,
            tuple(members.get(row.id, ())),
        )
        for row in session.execute(
            select(
                Learner.id,
                Learner.first_names,
                Learner.surname,
                Learner.date_of_birth,
                Learner.year_group,
                Learner.upn,
                Learner.sims_number,
                Learner.status,
                Learner.login,
                Learner.version,
            ).order_by(Learner.id)
        )
    }
    groups = dict(session.execute(select(Group.id, Group.name)).all())
    return Roll.of(
        (school.name, school.academic_year, school.lowest_year, school.highest_year),
        learners,
        groups,
    )
