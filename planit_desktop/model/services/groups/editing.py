"""Changes to groups (administrators): create, rename, delete, and members added, removed,
moved or copied; each returns a :class:`Change` that :func:`undo_change` can reverse.

Memberships are inserted and deleted in bulk; each learner whose groups change gets an audit
entry (field ``groups``, old → new), so their history shows it, all in one INSERT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupMembership, Learner
from planit_desktop.model.errors import InvalidInput, NotFound, Refused
from planit_desktop.model.services import audit
from planit_desktop.model.services._sql import chunks
from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.permissions import require_administrator

MAX_GROUP_NAME = 100


@dataclass(frozen=True, slots=True)
class Change:
    """What one group change did, exactly enough for :func:`undo_change` to reverse it."""

    description: str
    #: (learner_id, group_id) memberships the change added, and those it removed.
    added: tuple[tuple[int, int], ...] = ()
    removed: tuple[tuple[int, int], ...] = ()
    #: (group_id, old name, new name) of each group renamed.
    renamed: tuple[tuple[int, str, str], ...] = ()
    #: A group the change created (undo deletes it again if it is still empty).
    created_group_id: int | None = None

    @property
    def undoable(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.created_group_id)


def normalise_group_name(name: str) -> str:
    """A group name as stored: trimmed, runs of spaces made one; refused if empty or long."""
    text = " ".join(str(name or "").split())
    if not text:
        raise InvalidInput("A group name cannot be empty or only spaces.")
    if len(text) > MAX_GROUP_NAME:
        raise InvalidInput(
            f"“{text[:40]}…” is too long for a group name: it may have at most "
            f"{MAX_GROUP_NAME} characters."
        )
    return text


def _group_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Group.id, Group.name)).all())


def _group(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound("That group no longer exists. It may have been deleted; refresh the list.")
    return group


def create_group(session: Session, actor: Actor, name: str) -> Change:
    """Create an empty group; the name must not clash (case ignored) with another's."""
    require_administrator(session, actor, "create groups")
    name = normalise_group_name(name)
    _refuse_clash(_group_names(session), {0: name})
    group = Group(name=name)
    session.add(group)
    session.flush()
    audit.record(session, actor, "group_created", entity="group", entity_id=group.id, new=name)
    return Change(f"Create group “{name}”", created_group_id=group.id)


def _refuse_clash(names: dict[int, str], wanted: dict[int, str]) -> None:
    # Compare the names as they will stand after the change, so a swap (7A↔8A) is fine.
    repeated = group_names.duplicate_names(wanted.values())
    if repeated:
        raise Refused(f"Two groups cannot both be called “{repeated[0]}”. Nothing was changed.")
    clashes = group_names.find_clashes(names, wanted)
    if clashes:
        group_id = min(clashes)
        key = group_names.name_key(wanted[group_id])
        keeper = next(
            name for other, name in names.items()
            if other != group_id and other not in wanted and group_names.name_key(name) == key
        )  # fmt: skip
        raise Refused(
            f"There is already a group called “{keeper}” (capitals are not told apart). "
            "Choose another name. Nothing was changed."
        )


def apply_renames(
    session: Session,
    actor: Actor,
    renames: Mapping[int, str],
    *,
    action: str = "group_renamed",
    detail: str | None = None,
) -> tuple[tuple[int, str, str], ...]:
    """Check and apply new group names (id → name) together; the one way groups are renamed.

    Names are tidied and checked as they will stand afterwards, so swaps and chains
    (``7A→8A`` with ``8A→9A``) work; unchanged names are dropped. Returns the renames made
    as ``(group_id, old, new)``, each audited. Only administrators may rename groups.
    """
    require_administrator(session, actor, "rename groups")
    names = _group_names(session)
    if any(gid not in names for gid in renames):
        raise NotFound("A group to rename no longer exists; refresh the list. Nothing was changed.")
    wanted = {gid: normalise_group_name(new) for gid, new in renames.items()}
    wanted = {gid: new for gid, new in wanted.items() if new != names[gid]}
    if not wanted:
        raise Refused("The groups already have those names; nothing was changed.")
    _refuse_clash(names, wanted)
    # Through temporary names first, so the unique index never sees two equal names. A tab
    # marks them: stored names never hold one (see normalise_group_name), and unlike NUL,
    # PostgreSQL accepts it in text.
    groups = {gid: _group(session, gid) for gid in wanted}
    for gid, group in groups.items():
        group.name = f"\trenaming {gid}"
    session.flush()
    for gid, group in groups.items():
        group.name = wanted[gid]
    session.flush()
    audit.record_many(
        session,
        actor,
        (
            {"action": action, "entity": "group", "entity_id": gid, "field": "name",
             "old": names[gid], "new": new, "detail": detail}
            for gid, new in wanted.items()
        ),
    )  # fmt: skip
    return tuple((gid, names[gid], new) for gid, new in wanted.items())


def rename_groups(session: Session, actor: Actor, renames: Mapping[int, str]) -> Change:
    """Rename several groups in one undoable step (swaps and chains work)."""
    require_administrator(session, actor, "rename groups")
    renamed = apply_renames(session, actor, renames)
    if len(renamed) == 1:
        description = f"Rename group “{renamed[0][1]}” to “{renamed[0][2]}”"
    else:
        description = f"Rename {len(renamed)} groups"
    return Change(description, renamed=renamed)


def rename_group(session: Session, actor: Actor, group_id: int, new_name: str) -> Change:
    """Rename one group; refused onto a name another group has (case ignored)."""
    return rename_groups(session, actor, {group_id: new_name})


def _learners(session: Session, learner_ids: Iterable[int]) -> dict[int, str]:
    """Names of the learners chosen; refused if any no longer exists."""
    ids = sorted(set(learner_ids))
    found: dict[int, str] = {}
    for chunk in chunks(ids):
        query = select(Learner.id, Learner.first_names, Learner.surname).where(
            Learner.id.in_(chunk)
        )
        found.update((lid, f"{first} {surname}") for lid, first, surname in session.execute(query))
    if len(found) != len(ids):
        raise NotFound("Some of the learners chosen no longer exist; refresh the list.")
    return found


def _members(session: Session, group_id: int, learner_ids: list[int]) -> set[int]:
    return {lid for lid, _ in _existing(session, [(lid, group_id) for lid in learner_ids])}


def _existing(session: Session, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (learner_id, group_id) memberships exist now."""
    found: set[tuple[int, int]] = set()
    pair = tuple_(GroupMembership.learner_id, GroupMembership.group_id)
    for chunk in chunks(pairs):
        query = select(GroupMembership.learner_id, GroupMembership.group_id).where(pair.in_(chunk))
        found.update(session.execute(query))
    return found


def _apply(
    session: Session,
    actor: Actor,
    added: list[tuple[int, int]],
    removed: list[tuple[int, int]],
    action: str,
) -> None:
    """Insert and delete memberships in bulk, with one audit entry per learner changed."""
    names = _group_names(session)
    pair = tuple_(GroupMembership.learner_id, GroupMembership.group_id)
    for chunk in chunks(removed):
        session.execute(delete(GroupMembership).where(pair.in_(chunk)))
    if added:
        session.execute(
            insert(GroupMembership), [{"learner_id": lid, "group_id": gid} for lid, gid in added]
        )
    rows: list[dict[str, Any]] = [
        {"action": action, "entity": "learner", "entity_id": lid, "field": "groups",
         "old": names[gid], "new": None}
        for lid, gid in removed
    ] + [
        {"action": action, "entity": "learner", "entity_id": lid, "field": "groups",
         "old": None, "new": names[gid]}
        for lid, gid in added
    ]  # fmt: skip
    audit.record_many(session, actor, rows)


def add_members(
    session: Session, actor: Actor, group_id: int, learner_ids: Iterable[int]
) -> Change:
    """Add learners to a group (those already in it are left as they are)."""
    require_administrator(session, actor, "change group members")
    group = _group(session, group_id)
    ids = sorted(_learners(session, learner_ids))
    already = _members(session, group_id, ids)
    added = [(lid, group_id) for lid in ids if lid not in already]
    _apply(session, actor, added, [], "group_members_added")
    return Change(f"Add {len(added)} learner(s) to “{group.name}”", added=tuple(added))


def remove_members(
    session: Session, actor: Actor, group_id: int, learner_ids: Iterable[int]
) -> Change:
    """Take learners out of a group; the learners themselves are untouched."""
    require_administrator(session, actor, "change group members")
    group = _group(session, group_id)
    ids = sorted(_learners(session, learner_ids))
    members = _members(session, group_id, ids)
    removed = [(lid, group_id) for lid in ids if lid in members]
    _apply(session, actor, [], removed, "group_members_removed")
    return Change(f"Remove {len(removed)} learner(s) from “{group.name}”", removed=tuple(removed))


def _require_members(
    session: Session, group: Group, learner_ids: Iterable[int], verb: str
) -> list[int]:
    """The learners' ids, sorted; refused unless every one of them is in ``group``."""
    learners = _learners(session, learner_ids)
    ids = sorted(learners)
    members = _members(session, group.id, ids)
    outside = [learners[lid] for lid in ids if lid not in members]
    if outside:
        raise Refused(
            f"{', '.join(outside[:5])} not in “{group.name}”, so cannot be {verb} from it. "
            f"Nothing was {verb}."
        )
    return ids


def move_members(
    session: Session, actor: Actor, from_group_id: int, to_group_id: int, learner_ids: Iterable[int]
) -> Change:
    """Move learners from one group to another; all of them must be in the first group."""
    require_administrator(session, actor, "change group members")
    source, target = _group(session, from_group_id), _group(session, to_group_id)
    if from_group_id == to_group_id:
        raise InvalidInput("Choose a different group to move the learners to.")
    ids = _require_members(session, source, learner_ids, "moved")
    already = _members(session, to_group_id, ids)
    added = [(lid, to_group_id) for lid in ids if lid not in already]
    removed = [(lid, from_group_id) for lid in ids]
    _apply(session, actor, added, removed, "group_members_moved")
    return Change(
        f"Move {len(ids)} learner(s) from “{source.name}” to “{target.name}”",
        added=tuple(added),
        removed=tuple(removed),
    )


def copy_members(
    session: Session, actor: Actor, from_group_id: int, to_group_id: int, learner_ids: Iterable[int]
) -> Change:
    """Add learners of one group to another as well, keeping them in the first."""
    require_administrator(session, actor, "change group members")
    ids = _require_members(session, _group(session, from_group_id), learner_ids, "copied")
    return add_members(session, actor, to_group_id, ids)


def delete_group(
    session: Session,
    actor: Actor,
    group_id: int,
    *,
    move_members_to: int | None = None,
    remove_members: bool = False,
) -> Change:
    """Delete a group. If it has members the caller must say what happens to them:
    ``move_members_to`` another group, or ``remove_members=True`` (the learners stay,
    only their membership goes). Never silently drops anyone. Not undoable; the group's
    supervisor access (this year's and past years') goes with it.
    """
    require_administrator(session, actor, "delete groups")
    group = _group(session, group_id)
    ids = list(
        session.scalars(
            select(GroupMembership.learner_id).where(GroupMembership.group_id == group_id)
        )
    )
    if ids and move_members_to is None and not remove_members:
        raise Refused(
            f"“{group.name}” has {len(ids)} member(s). Choose a group to move them to, or "
            "confirm that they should just be taken out of it (the learners are kept)."
        )
    if ids and move_members_to is not None:
        move_members(session, actor, group_id, move_members_to, ids)
    elif ids:
        _apply(session, actor, [], [(lid, group_id) for lid in ids], "group_members_removed")
    audit.record(session, actor, "group_deleted", entity="group", entity_id=group_id,
                 old=group.name, detail=f"{len(ids)} member(s) at the time")  # fmt: skip
    session.delete(group)
    session.flush()
    return Change(f"Delete group “{group.name}”")


def undo_change(session: Session, actor: Actor, change: Change) -> Change:
    """Reverse ``change`` (memberships, renames, a created group); returns the reversal,
    so that it can itself be undone (redo)."""
    require_administrator(session, actor, "change groups")
    if not change.undoable:
        raise Refused(f"“{change.description}” cannot be undone.")
    names = _group_names(session)
    if change.created_group_id is not None:
        return _undo_create(session, actor, change.created_group_id, names)
    stale = [new for gid, _old, new in change.renamed if names.get(gid) != new]
    if stale:
        raise Refused(f"“{stale[0]}” has been renamed or deleted since; nothing was undone.")
    gone = {gid for pair in change.added + change.removed for gid in [pair[1]]} - set(names)
    if gone:
        raise Refused("A group in that change has been deleted since; nothing was undone.")
    reverse = Change(f"Undo: {change.description}")
    if change.renamed:
        reverse = rename_groups(session, actor, {gid: old for gid, old, _new in change.renamed})
    if change.added or change.removed:
        # Undo only what is still as the change left it; later edits are kept.
        now = _existing(session, list(change.added + change.removed))
        added = [pair for pair in change.removed if pair not in now]
        removed = [pair for pair in change.added if pair in now]
        _apply(session, actor, added, removed, "group_change_undone")
        reverse = Change(reverse.description, tuple(added), tuple(removed), reverse.renamed)
    return reverse


def _undo_create(session: Session, actor: Actor, group_id: int, names: dict[int, str]) -> Change:
    if group_id not in names:
        raise Refused("That group has been deleted already; nothing was undone.")
    if session.scalar(select(func.count()).where(GroupMembership.group_id == group_id)):
        raise Refused(f"“{names[group_id]}” has members now, so it was not deleted.")
    delete_group(session, actor, group_id)
    return Change(f"Delete group “{names[group_id]}”")
