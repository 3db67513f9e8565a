"""Tutor groups as the coordinator sees them: names, member counts, members, supervisors.

The read side returns immutable snapshots computed with a few aggregate queries, so a list
of every group of a 100,000-learner school is still a handful of statements. Changes to
groups and their members are in :mod:`planit_desktop.model.services.groups.editing`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    Learner,
    Staff,
    SupervisorAccess,
)
from planit_desktop.model.errors import NotFound, PermissionDenied
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.learners.roll import LearnerRow, rows_where
from planit_desktop.model.services.permissions import access_in_force, visible_group_ids

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, str], ...]:
    """Sort key that orders numbers by value: ``7A`` before ``10A``, case ignored."""
    # re.split with a capturing group alternates text, number, text…: positions line up.
    return tuple(
        (int(part), "") if index % 2 else (0, part.casefold())
        for index, part in enumerate(_DIGITS.split(name))
    )


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group as listed: a snapshot, never a live database object."""

    id: int
    name: str
    member_count: int  # learners on roll
    supervisors: tuple[str, ...]  # names of staff with access this academic year


def list_groups(session: Session, actor: Actor) -> list[GroupRow]:
    """Every group ``actor`` may see, in natural name order (7A before 10A).

    Supervisors see only the groups assigned to them this academic year. The member count
    is of learners on roll.
    """
    visible = visible_group_ids(session, actor)
    if visible is not None and not visible:
        return []
    groups = select(Group.id, Group.name)
    counts = (
        select(GroupMembership.group_id, func.count())
        .join(Learner, Learner.id == GroupMembership.learner_id)
        .where(Learner.status == LearnerStatus.ON_ROLL)
        .group_by(GroupMembership.group_id)
    )
    access = (
        select(SupervisorAccess.group_id, Staff.name)
        .join(Staff, Staff.id == SupervisorAccess.staff_id)
        .where(access_in_force(), Staff.active.is_(True))
        .order_by(Staff.name)
    )
    if visible is not None:
        groups = groups.where(Group.id.in_(visible))
        counts = counts.where(GroupMembership.group_id.in_(visible))
        access = access.where(SupervisorAccess.group_id.in_(visible))
    count_of: dict[int, int] = {gid: n for gid, n in session.execute(counts)}
    names_of: defaultdict[int, list[str]] = defaultdict(list)
    for group_id, staff_name in session.execute(access):
        names_of[group_id].append(staff_name)
    rows = [
        GroupRow(gid, name, count_of.get(gid, 0), tuple(names_of.get(gid, ())))
        for gid, name in session.execute(groups)
    ]
    rows.sort(key=lambda row: natural_key(row.name))
    return rows


def group_members(
    session: Session, actor: Actor, group_id: int, *, include_left: bool = False
) -> list[LearnerRow]:
    """The members of one group, in register order (surname, first names).

    Only learners on roll unless ``include_left``. A supervisor asking for a group that is
    not theirs this academic year is refused (and the attempt audited).
    """
    name = session.scalar(select(Group.name).where(Group.id == group_id))
    if name is None:
        raise NotFound("That group no longer exists. It may have been deleted; refresh the list.")
    visible = visible_group_ids(session, actor)
    if visible is not None and group_id not in visible:
        raise PermissionDenied(
            f"You can see only the groups assigned to you this academic year, and “{name}” "
            "is not one of them. Ask an administrator to assign it to you.",
            actor_login=actor.login,
            action=f"see the members of group “{name}”",
        )
    members = select(GroupMembership.learner_id).where(GroupMembership.group_id == group_id)
    conditions: list[ColumnElement[bool]] = [Learner.id.in_(members)]
    if not include_left:
        conditions.append(Learner.status == LearnerStatus.ON_ROLL)
    return rows_where(session, conditions)


def tutor_groups(session: Session, learner_ids: Iterable[int]) -> dict[int, str | None]:
    """Each learner's tutor group for a slip: the group named after their year (``7A`` for a
    learner in Year 7) if they have one, else their first group in natural order, else None.
    """
    ids = sorted(set(learner_ids))
    names: dict[int, list[str]] = {lid: [] for lid in ids}
    years: dict[int, int] = {}
    for chunk in chunks(ids):
        query = select(Learner.id, Learner.year_group).where(Learner.id.in_(chunk))
        years.update((lid, year) for lid, year in session.execute(query))
        for lid, name in session.execute(
            select(GroupMembership.learner_id, Group.name)
            .join(Group, Group.id == GroupMembership.group_id)
            .where(GroupMembership.learner_id.in_(chunk))
        ):
            names[lid].append(name)
    chosen: dict[int, str | None] = {}
    for lid in ids:
        ordered = sorted(names[lid], key=natural_key)
        prefix = str(years.get(lid, ""))
        own_year = [
            n for n in ordered if n.startswith(prefix) and not n[len(prefix) :][:1].isdigit()
        ]
        chosen[lid] = own_year[0] if own_year else ordered[0] if ordered else None
    return chosen
