"""Renaming year-named groups after a rollover: one audited, undoable step.

The rollover itself never renames a group (memberships and names stay, as the source
document says); the coordinator accepts or edits the suggested names, and this service
applies them together, journalled as a batch so the last batch can be put back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    GroupRenameBatch,
    GroupRenameEntry,
    Learner,
)
from planit_desktop.model.errors import Refused
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services._sql import cast_table
from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.groups.editing import apply_renames
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end.plan_types import GroupRename

GROUP_NAME_LENGTH = 100
_GROUPS = cast_table(Group)


@dataclass(frozen=True)
class RenamedGroup:
    group_id: int
    old: str
    new: str


@dataclass(frozen=True)
class RenameResult:
    """A batch of group renames (or the undo of one)."""

    batch_id: int
    renamed: tuple[RenamedGroup, ...]
    undone: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "undone": self.undone,
            "renamed": [{"id": r.group_id, "from": r.old, "to": r.new} for r in self.renamed],
        }


def _current_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Group.id, Group.name)).all())


def rename_groups(
    session: Session, actor: Actor, renames: Mapping[int, str], *, run_id: int | None = None
) -> RenameResult:
    """Rename groups (id → new name) in one audited step that :func:`undo_group_renames` reverts.

    The names are checked and applied by :func:`group_changes.apply_renames`, the one way
    groups are renamed: refused, changing nothing, when a name is empty or only spaces, too
    long, the same for two groups, or the name another group keeps (letter case does not
    matter). ``run_id`` links the batch to the rollover it follows.
    """
    require_administrator(session, actor, "rename groups")
    batch = GroupRenameBatch(run_id=run_id, renamed_by=actor.login, renamed_at=datetime.now())
    session.add(batch)
    session.flush()
    renamed = apply_renames(session, actor, renames, detail=f"Group rename batch {batch.id}")
    session.add_all(
        GroupRenameEntry(batch_id=batch.id, group_id=gid, old_name=old, new_name=new)
        for gid, old, new in renamed
    )
    session.flush()
    return RenameResult(
        batch.id,
        tuple(
            sorted(
                (RenamedGroup(gid, old, new) for gid, old, new in renamed),
                key=lambda r: group_names.name_key(r.new),
            )
        ),
    )


def latest_rename_batch(session: Session) -> GroupRenameBatch | None:
    """The most recent batch of group renames that has not been undone."""
    return session.scalars(
        select(GroupRenameBatch)
        .where(GroupRenameBatch.undone_at.is_(None))
        .order_by(GroupRenameBatch.id.desc())
        .limit(1)
    ).first()


def undo_group_renames(session: Session, actor: Actor, batch_id: int | None = None) -> RenameResult:
    """Put back the names changed by the latest rename batch (or batch ``batch_id``).

    Refuses, changing nothing, when a group of the batch has been renamed again since, or
    when an old name is now used by another group.
    """
    require_administrator(session, actor, "undo group renames")
    latest = latest_rename_batch(session)
    if latest is None or (batch_id is not None and latest.id != batch_id):
        raise Refused(
            "There are no group renames to undo (only the latest batch can be undone). "
            "Nothing was changed."
        )
    entries = session.scalars(
        select(GroupRenameEntry).where(GroupRenameEntry.batch_id == latest.id)
    ).all()
    current = _current_names(session)
    restore: dict[int, str] = {}
    for entry in entries:
        now = current.get(entry.group_id)
        if now is None:  # the group was deleted since; nothing to put back
            continue
        if now != entry.new_name:
            raise Refused(
                f"“{entry.new_name}” has been renamed again since, to “{now}”, so the "
                "renames cannot be undone together. Nothing was changed."
            )
        restore[entry.group_id] = entry.old_name
    if not restore:
        raise Refused("The groups of that batch no longer exist; nothing was changed.")
    apply_renames(
        session,
        actor,
        restore,
        action="group_rename_undone",
        detail=f"Undo of group rename batch {latest.id}",
    )
    latest.undone_at = datetime.now()
    latest.undone_by = actor.login
    session.flush()
    session.expire_all()
    return RenameResult(
        latest.id,
        tuple(RenamedGroup(gid, current[gid], old) for gid, old in sorted(restore.items())),
        undone=True,
    )


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
