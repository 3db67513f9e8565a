"""The year end's group renames: the batch linked to the run, the proposals on the Groups
tab after it, and the names its undo puts back.

The rollover itself never renames a group (memberships and names stay, as the source
document says); the coordinator chooses names (proposed by
:mod:`~planit_desktop.model.services.year_end.proposals`), and the groups service renames
them together in one batch
(:func:`~planit_desktop.model.services.groups.batches.rename_in_batch`), which the year end
links to its run so that undoing the year end puts them back (:func:`names_to_restore`,
:func:`restore_names`: every one that can be, naming those that cannot) and the report lists
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import (
    Group,
    GroupMembership,
    GroupRenameBatch,
    GroupRenameEntry,
    Learner,
)
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.groups.batches import (
    RenamedGroup,
    RenameResult,
    rename_in_batch,
)
from planit_desktop.model.services.groups.editing import apply_renames
from planit_desktop.model.services.permissions import require_administrator
from planit_desktop.model.services.school import get_school
from planit_desktop.model.services.year_end import proposals
from planit_desktop.model.services.year_end.plan import group_years_now
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


def _current_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Group.id, Group.name)).all())


def suggest_group_renames(session: Session, actor: Actor) -> tuple[GroupRename, ...]:
    """Proposed names for year-named groups as they stand now (the Groups tab, after a
    rollover), by the rule the year end proposes them with: a group whose learners on roll
    are all in another year group than its name says gets that year; a mixed group or an
    ambiguous name is listed to decide, not renamed by rule; a group whose learners have
    all completed or left is listed as emptied.
    """
    require_administrator(session, actor, "rename groups")
    school = get_school(session)
    current = _current_names(session)
    listed = list(
        proposals.propose_renames(
            current,
            proposals.members_now(group_years_now(session)),
            lowest_year=school.lowest_year,
            highest_year=school.highest_year,
            leavers_year=None,
        )
    )
    shown = {r.group_id for r in listed}
    with_members = set(session.scalars(select(GroupMembership.group_id).distinct()))
    on_roll = set(
        session.scalars(
            select(GroupMembership.group_id)
            .join(Learner, Learner.id == GroupMembership.learner_id)
            .where(Learner.status == LearnerStatus.ON_ROLL.value)
            .distinct()
        )
    )
    for group_id in sorted(with_members - on_roll - shown):
        name = current[group_id]
        found = group_names.find_year_in_name(
            name, lowest_year=school.lowest_year, highest_year=school.highest_year
        )
        if found is not None and not group_names.is_leavers_name(name):
            listed.append(GroupRename(group_id, name, None, emptied=True))
    return tuple(sorted(listed, key=lambda r: group_names.name_key(r.old)))


def needs_a_new_name(rename: GroupRename) -> bool:
    """The group's name no longer fits its learners: a name is proposed, it is mixed, or
    nobody on roll is left in it (an ambiguous name is for the coordinator to decide)."""
    return not rename.ambiguous and (rename.suggested is not None or rename.mixed or rename.emptied)


@dataclass(frozen=True)
class NameLeft:
    """A group the year end renamed that its undo cannot give its old name back."""

    group_id: int
    old: str  # before the year end
    renamed_to: str  # by the year end
    now: str
    reason: str

    def describe(self) -> str:
        """ "“Eleven A” (“10A” before the year end, which renamed it “11A”): renamed again
        since"."""
        return (
            f"“{self.now}” (“{self.old}” before the year end, which renamed it "
            f"“{self.renamed_to}”): {self.reason}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.group_id,
            "before_year_end": self.old,
            "renamed_by_year_end": self.renamed_to,
            "now": self.now,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class NamesToRestore:
    """What undoing a year end does to the names it changed: ``restore`` (group id → the
    name before the year end) and ``left``, those it cannot put back."""

    batch_id: int | None
    restore: Mapping[int, str]
    current: Mapping[int, str]
    left: tuple[NameLeft, ...] = ()

    def describe_left(self) -> str:
        return "; ".join(row.describe() for row in self.left)


def names_to_restore(session: Session, run_id: int) -> NamesToRestore:
    """The names the rollover ``run_id`` changed that its undo can put back, and those it
    cannot: a group renamed again since (by anyone, in any batch or alone), or whose old
    name another group now has. A group deleted since is passed over."""
    batch_id = session.scalar(
        select(GroupRenameBatch.id)
        .where(GroupRenameBatch.run_id == run_id, GroupRenameBatch.undone_at.is_(None))
        .order_by(GroupRenameBatch.id.desc())
        .limit(1)
    )
    current = _current_names(session)
    if batch_id is None:
        return NamesToRestore(None, {}, current)
    entries = session.execute(
        select(GroupRenameEntry.group_id, GroupRenameEntry.old_name, GroupRenameEntry.new_name)
        .where(GroupRenameEntry.batch_id == batch_id)
        .order_by(GroupRenameEntry.group_id)
    ).all()
    restore: dict[int, str] = {}
    left: dict[int, NameLeft] = {}
    renamed_to: dict[int, tuple[str, str]] = {}
    for group_id, old, new in entries:
        now = current.get(group_id)
        if now is None:
            continue  # deleted since: nothing to put back
        renamed_to[group_id] = (old, new)
        if now != new:
            left[group_id] = NameLeft(group_id, old, new, now, "renamed again since")
        else:
            restore[group_id] = old
    # A name another group holds now (and keeps) cannot be given back; taking one back may
    # leave the next in the chain blocked in turn, so until none clashes.
    while True:
        clashes = group_names.find_clashes(current, restore)
        if not clashes:
            break
        for group_id in clashes:
            old, new = renamed_to[group_id]
            left[group_id] = NameLeft(
                group_id, old, new, current[group_id], f"another group is now called “{old}”"
            )
            del restore[group_id]
    return NamesToRestore(
        batch_id,
        restore,
        current,
        tuple(sorted(left.values(), key=lambda row: group_names.name_key(row.now))),
    )


def restore_names(
    session: Session, actor: Actor, names: NamesToRestore, detail: str
) -> RenameResult | None:
    """Put back the names ``names`` says can be (the undo of a year end); the year end's
    batch of renames is then done with. None when no name was put back. Only
    administrators may."""
    require_administrator(session, actor, "undo group renames")
    if names.batch_id is None:
        return None
    batch = session.get_one(GroupRenameBatch, names.batch_id)
    batch.undone_at = datetime.now()
    batch.undone_by = actor.login
    if not names.restore:
        session.flush()
        return None
    apply_renames(session, actor, names.restore, action="group_rename_undone", detail=detail)
    session.flush()
    return RenameResult(
        names.batch_id,
        tuple(
            sorted(
                (RenamedGroup(gid, names.current[gid], old) for gid, old in names.restore.items()),
                key=lambda r: group_names.name_key(r.new),
            )
        ),
        undone=True,
    )
