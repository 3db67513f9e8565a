"""One learner's details as the correction dialog shows them, and how learners are named.

Shared by corrections, leavers and quick create: a learner is named in messages as
``Ada Lovelace (Year 9)`` (``…, left)`` when off roll), so a coordinator told that a UPN is
taken knows by whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    NEEDS_CHECK,  # noqa: F401  (maps the flag)
    Group,
    GroupMembership,
    Learner,
)
from planit_desktop.model.errors import NotFound
from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus
from planit_desktop.model.services.permissions import visible_group_ids
from planit_desktop.model.validation.years import format_year_group


@dataclass(frozen=True, slots=True)
class LearnerDetails:
    """Everything the correction dialog shows about one learner, with the version it read."""

    id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    upn: str | None
    sims_number: str | None
    sex: str | None
    ethnicity: str | None
    group_ids: frozenset[int]
    groups: tuple[str, ...]
    status: LearnerStatus
    left_on: date | None
    left_reason: str | None
    login: str
    origin: LearnerOrigin
    needs_check: bool
    version: int

    def as_dict(self) -> dict[str, object]:
        """The details by field name (what :class:`StaleRecord` carries as ``current``)."""
        return {name: getattr(self, name) for name in self.__slots__}


def describe(first_names: str, surname: str, year_group: int, status: LearnerStatus) -> str:
    """``"Ada Lovelace (Year 9)"``, or ``"(Year 9, left)"`` for a learner not on roll."""
    state = "" if status is LearnerStatus.ON_ROLL else f", {status.value.replace('_', ' ')}"
    return f"{first_names} {surname} ({format_year_group(year_group)}{state})"


def identifier_holder(session: Session, field: str, value: str, *, excluding: int) -> str | None:
    """Who else holds ``value`` as their UPN or SIMS number, described; None if nobody."""
    column = Learner.upn if field == "upn" else Learner.sims_number
    row = session.execute(
        select(Learner.first_names, Learner.surname, Learner.year_group, Learner.status).where(
            column == value, Learner.id != excluding
        )
    ).first()
    return None if row is None else describe(*row)


def learner_details(session: Session, actor: Actor, learner_id: int) -> LearnerDetails:
    """One learner's details for the correction dialog; supervisors only for their groups."""
    learner = get_learner(session, learner_id)
    visible = visible_group_ids(session, actor)
    group_ids = set(
        session.scalars(
            select(GroupMembership.group_id).where(GroupMembership.learner_id == learner_id)
        )
    )
    if visible is not None and not group_ids & visible:
        raise NotFound("That learner is not in any of your groups.")
    return details_of(session, learner, group_ids)


def get_learner(session: Session, learner_id: int) -> Learner:
    """The learner, or NotFound in the coordinator's words."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound("That learner no longer exists. Refresh the list.")
    return learner


def details_of(session: Session, learner: Learner, group_ids: set[int]) -> LearnerDetails:
    """The dialog's snapshot of ``learner`` in ``group_ids``."""
    names = dict(session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids))).all())
    return LearnerDetails(
        id=learner.id,
        first_names=learner.first_names,
        surname=learner.surname,
        date_of_birth=learner.date_of_birth,
        year_group=learner.year_group,
        upn=learner.upn,
        sims_number=learner.sims_number,
        sex=learner.sex,
        ethnicity=learner.ethnicity,
        group_ids=frozenset(group_ids),
        groups=tuple(sorted(names.values(), key=str.casefold)),
        status=learner.status,
        left_on=learner.left_on,
        left_reason=learner.left_reason,
        login=learner.login,
        origin=learner.origin,
        needs_check=bool(getattr(learner, "needs_check", False)),
        version=learner.version,
    )
