"""Learners as the coordinator sees them: one immutable row per learner, fit for a table.

The read side only for now; corrections, leavers and quick create come with the learners
issue. A whole school is read in two queries (learners, then memberships with group names),
never one query per learner.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner, LearnerStatus
from planit_desktop.model.services.permissions import visible_group_ids
from planit_desktop.model.validation.names import name_key


def search_tokens(text: str) -> list[str]:
    """What the coordinator typed, as keys to look for in :attr:`LearnerRow.search_key`.

    Case, accents, apostrophes and hyphens are ignored, so ``zoe obrien`` finds
    ``Zoë O'Brien`` and ``smith-jones`` finds ``Smith Jones``.
    """
    return [key for key in (name_key(word) for word in text.split()) if key]


def matches(search_key: str, tokens: list[str]) -> bool:
    """True when every token occurs somewhere in the row's search key."""
    return all(token in search_key for token in tokens)


@dataclass(frozen=True, slots=True)
class LearnerRow:
    """One learner as shown in a table: a snapshot, never a live database object."""

    id: int
    first_names: str
    surname: str
    date_of_birth: date
    year_group: int
    groups: tuple[str, ...]
    upn: str | None
    sims_number: str | None
    status: LearnerStatus
    login: str
    #: Names, UPN, SIMS number and login folded for searching (see :func:`search_tokens`).
    search_key: str = field(default="", compare=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.surname}"

    @property
    def sort_name(self) -> str:
        """Surname first, folded, for sorting by name as a register does."""
        return f"{self.surname.casefold()}\x00{self.first_names.casefold()}"


def _search_key(
    first_names: str, surname: str, upn: str | None, sims: str | None, login: str
) -> str:
    return " ".join(name_key(part) for part in (first_names, surname, upn, sims, login) if part)


def list_learners(session: Session, actor: Actor, *, include_left: bool = True) -> list[LearnerRow]:
    """Every learner ``actor`` may see, in register order (surname, first names).

    Supervisors see only the learners in the groups assigned to them this academic year.
    With ``include_left=False`` only learners on roll are listed.
    """
    visible = visible_group_ids(session, actor)
    query = select(
        Learner.id,
        Learner.first_names,
        Learner.surname,
        Learner.date_of_birth,
        Learner.year_group,
        Learner.upn,
        Learner.sims_number,
        Learner.status,
        Learner.login,
    ).order_by(Learner.surname, Learner.first_names, Learner.id)
    memberships = (
        select(GroupMembership.learner_id, Group.name)
        .join(Group, Group.id == GroupMembership.group_id)
        .order_by(Group.name)
    )
    if not include_left:
        query = query.where(Learner.status == LearnerStatus.ON_ROLL)
    if visible is not None:
        if not visible:
            return []
        seen = select(GroupMembership.learner_id).where(GroupMembership.group_id.in_(visible))
        query = query.where(Learner.id.in_(seen))
        memberships = memberships.where(GroupMembership.learner_id.in_(seen))

    groups_of: defaultdict[int, list[str]] = defaultdict(list)
    for learner_id, group_name in session.execute(memberships):
        groups_of[learner_id].append(group_name)
    no_groups: tuple[str, ...] = ()
    return [
        LearnerRow(
            id=row.id,
            first_names=row.first_names,
            surname=row.surname,
            date_of_birth=row.date_of_birth,
            year_group=row.year_group,
            groups=tuple(groups_of[row.id]) if row.id in groups_of else no_groups,
            upn=row.upn,
            sims_number=row.sims_number,
            status=row.status,
            login=row.login,
            search_key=_search_key(
                row.first_names, row.surname, row.upn, row.sims_number, row.login
            ),
        )
        for row in session.execute(query)
    ]
