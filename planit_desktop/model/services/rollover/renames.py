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

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner, LearnerStatus
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.rollover_entities import GroupRenameBatch, GroupRenameEntry
from planit_desktop.model.services import audit
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.rollover import group_names
from planit_desktop.model.services.rollover.plan import current_school
from planit_desktop.model.services.rollover.plan_types import GroupRename
from planit_desktop.model.services.rollover.sql import cast_table

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


def _rename(session: Session, batch_id: int, names: Mapping[int, str]) -> None:
    """Set the names in two passes, so that ``7A→8A`` and ``8A→9A`` can happen together
    without ever breaking the database's rule that group names are unique."""
    statement = (
        update(_GROUPS).where(_GROUPS.c.id == bindparam("gid")).values(name=bindparam("new_name"))
    )
    session.execute(
        statement,
        [{"gid": gid, "new_name": f"~renaming~{batch_id}~{gid}"} for gid in names],
    )
    session.execute(statement, [{"gid": gid, "new_name": new} for gid, new in names.items()])


def rename_groups(
    session: Session, actor: Actor, renames: Mapping[int, str], *, run_id: int | None = None
) -> RenameResult:
    """Rename groups (id → new name) in one audited step that :func:`undo_group_renames` reverts.

    Refuses (changing nothing) a name that is empty or only spaces, too long, the same for
    two groups, or the name another group keeps (letter case does not matter). ``run_id``
    links the batch to the rollover it follows.
    """
    require_administrator(session, actor, "rename groups")
    current = _current_names(session)
    wanted: dict[int, str] = {}
    for group_id, typed in renames.items():
        if group_id not in current:
            raise NotFound(f"Group number {group_id} no longer exists. Nothing was renamed.")
        new = " ".join(str(typed or "").split())
        if not new:
            raise InvalidInput(
                f"The new name for “{current[group_id]}” is empty. Type a name, or leave the "
                "group out. Nothing was renamed."
            )
        if len(new) > GROUP_NAME_LENGTH:
            raise InvalidInput(
                f"“{new[:40]}…” is too long for a group name (at most {GROUP_NAME_LENGTH} "
                "characters). Nothing was renamed."
            )
        if new != current[group_id]:
            wanted[group_id] = new
    if not wanted:
        raise InvalidInput("None of the group names has changed, so there is nothing to rename.")
    repeated = group_names.duplicate_names(wanted.values())
    if repeated:
        raise InvalidInput(
            f"Two groups cannot both be called “{repeated[0]}”. Nothing was renamed."
        )
    clashes = group_names.find_clashes(current, wanted)
    if clashes:
        group_id, why = next(iter(sorted(clashes.items())))
        raise InvalidInput(
            f"“{current[group_id]}” cannot be renamed “{wanted[group_id]}”: {why}. "
            "Nothing was renamed."
        )
    batch = GroupRenameBatch(run_id=run_id, renamed_by=actor.login, renamed_at=datetime.now())
    session.add(batch)
    session.flush()
    _rename(session, batch.id, wanted)
    session.add_all(
        GroupRenameEntry(batch_id=batch.id, group_id=gid, old_name=current[gid], new_name=new)
        for gid, new in wanted.items()
    )
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "group_renamed",
                "entity": "group",
                "entity_id": gid,
                "field": "name",
                "old": current[gid],
                "new": new,
                "detail": f"Group rename batch {batch.id}",
            }
            for gid, new in wanted.items()
        ),
    )
    session.flush()
    session.expire_all()  # Group objects already loaded must show the new names
    return RenameResult(
        batch.id,
        tuple(
            sorted(
                (RenamedGroup(gid, current[gid], new) for gid, new in wanted.items()),
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
    clashes = group_names.find_clashes(current, restore)
    if clashes:
        group_id, why = next(iter(sorted(clashes.items())))
        raise Refused(
            f"“{current[group_id]}” cannot go back to “{restore[group_id]}”: {why}. "
            "Nothing was changed."
        )
    _rename(session, latest.id, restore)
    latest.undone_at = datetime.now()
    latest.undone_by = actor.login
    audit.record_many(
        session,
        actor,
        (
            {
                "action": "group_rename_undone",
                "entity": "group",
                "entity_id": gid,
                "field": "name",
                "old": current[gid],
                "new": old,
                "detail": f"Undo of group rename batch {latest.id}",
            }
            for gid, old in restore.items()
        ),
    )
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
    school = current_school(session)
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
