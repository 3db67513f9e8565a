"""The year end's group renames: the suggestions, and the batch linked to the run.

The rollover itself never renames a group (memberships and names stay, as the source
document says); the coordinator accepts or edits the suggested names, and the groups
service renames them together in one batch
(:func:`~planit_desktop.model.services.groups.batches.rename_in_batch`), which the year end
links to its run so that undoing the year end puts them back and the report lists them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, GroupRenameBatch, Learner
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.groups.batches import (
    RenameResult,
    latest_rename_batch,
    rename_in_batch,
)
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end.plan_types import GroupRename


def rename_after_rollover(
    session: Session, actor: Actor, run_id: int, renames: Mapping[int, str]
) -> RenameResult:
    """Rename the groups chosen for the year end (id → new name) in one batch of the groups
    service, linked to the rollover ``run_id``."""
    result = rename_in_batch(session, actor, renames)
    session.get_one(GroupRenameBatch, result.batch_id).run_id = run_id
    session.flush()
    return result


def batch_of_run(session: Session, run_id: int) -> int | None:
    """The latest batch of renames still standing, if it was made with the rollover
    ``run_id`` (only the latest batch can be undone)."""
    batch = latest_rename_batch(session)
    return batch.id if batch is not None and batch.run_id == run_id else None


def _current_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Group.id, Group.name)).all())


def suggest_group_renames(session: Session, actor: Actor) -> tuple[GroupRename, ...]:
    """Suggested names for year-named groups as they stand now (the Groups tab, after a
    rollover): a group whose learners on roll are mostly in another year group than its
    name says gets that year; a group whose learners have all completed or left is emptied.
    """
    require_administrator(session, actor, "rename groups")
    school = get_school(session)
    on_roll = Learner.status == LearnerStatus.ON_ROLL.value
    years: dict[int, dict[int, int]] = defaultdict(dict)
    for group_id, year, count in session.execute(
        select(GroupMembership.group_id, Learner.year_group, func.count())
        .join(Learner, Learner.id == GroupMembership.learner_id)
        .where(on_roll)
        .group_by(GroupMembership.group_id, Learner.year_group)
    ):
        years[group_id][year] = count
    members = dict(
        session.execute(
            select(GroupMembership.group_id, func.count()).group_by(GroupMembership.group_id)
        ).all()
    )
    current = _current_names(session)
    suggestions: dict[int, str] = {}
    emptied: set[int] = set()
    named: list[int] = []
    for group_id, name in current.items():
        found = group_names.find_year_in_name(
            name, lowest_year=school.lowest_year, highest_year=school.highest_year + 1
        )
        if found is None:
            continue
        by_year = years.get(group_id)
        if not by_year:
            if members.get(group_id):
                named.append(group_id)
                emptied.add(group_id)
            continue
        usual = max(by_year.items(), key=lambda item: (item[1], -item[0]))[0]
        if usual != found.year_group:
            named.append(group_id)
            suggestions[group_id] = group_names.with_year(name, found, usual)
    clashes = group_names.find_clashes(current, suggestions)
    return tuple(
        sorted(
            (
                GroupRename(
                    gid,
                    current[gid],
                    suggestions.get(gid),
                    clashes.get(gid),
                    gid in emptied,
                )
                for gid in named
            ),
            key=lambda r: group_names.name_key(r.old),
        )
    )
