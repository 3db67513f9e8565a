"""Renaming groups together in one batch: one audited step that can be put back as a whole.

The year end's renames are such a batch (the year end links it to its run, so undoing the
year end puts them back and the report lists them), and so are the Groups tab's "Rename
year-named groups…". Each name is checked and applied by
:func:`~planit_desktop.model.services.groups.editing.apply_renames`, the one way groups are
renamed; the batch journals old and new names so the latest batch can be undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planit_desktop.model.actor import Actor
from planit_desktop.model.entities import Group, GroupRenameBatch, GroupRenameEntry
from planit_desktop.model.errors import Refused
from planit_desktop.model.services.groups import names as group_names
from planit_desktop.model.services.groups.editing import apply_renames
from planit_desktop.model.services.permissions import require_administrator


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


def rename_in_batch(session: Session, actor: Actor, renames: Mapping[int, str]) -> RenameResult:
    """Rename groups (id → new name) in one audited batch that :func:`undo_rename_batch`
    reverts.

    The names are checked and applied by :func:`~.editing.apply_renames`: refused, changing
    nothing, when a name is empty or only spaces, too long, the same for two groups, or the
    name another group keeps (letter case does not matter).
    """
    require_administrator(session, actor, "rename groups")
    batch = GroupRenameBatch(renamed_by=actor.login, renamed_at=datetime.now())
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


def undo_rename_batch(session: Session, actor: Actor, batch_id: int | None = None) -> RenameResult:
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
