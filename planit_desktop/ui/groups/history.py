"""Undo entries for group changes (see :mod:`planit_desktop.ui.undo`).

Each entry's :meth:`reverse` runs a service inside the history's write and returns the entry
that puts the change back, so Undo and Redo alternate for as long as the data allows. What a
reversal changed is announced from what it audited, like any other write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planit_desktop.model.actor import Actor
    from planit_desktop.model.services.groups.editing import Change
    from planit_desktop.ui.undo import Undoable


def learners(count: int) -> str:
    return f"{count:,} learner{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class GroupChangeEntry:
    """A change made by :mod:`~planit_desktop.model.services.groups.editing` (memberships
    added, removed, moved or copied; a group renamed): ``undo_change`` reverses it and
    returns the reversal, which is itself undoable (the redo)."""

    description: str
    change: Change

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.groups.editing import undo_change

        return GroupChangeEntry(self.description, undo_change(session, actor, self.change))


@dataclass(frozen=True)
class CreatedGroupEntry:
    """A group created: undone by deleting it again while it is still empty."""

    description: str
    change: Change
    name: str

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.groups.editing import undo_change

        undo_change(session, actor, self.change)
        return RecreateGroupEntry(self.description, self.name)


@dataclass(frozen=True)
class RecreateGroupEntry:
    """The redo of a group creation: the group is made again (a new, empty group)."""

    description: str
    name: str

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.groups.editing import create_group

        change = create_group(session, actor, self.name)
        return CreatedGroupEntry(self.description, change, self.name)


@dataclass(frozen=True)
class RenameBatchEntry:
    """Year-named groups renamed in one batch (the groups service's): undone as a batch."""

    description: str
    batch_id: int
    renames: Mapping[int, str] = field(default_factory=dict)

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.groups.batches import undo_rename_batch

        undo_rename_batch(session, actor, self.batch_id)
        return RedoRenameBatchEntry(self.description, dict(self.renames))


@dataclass(frozen=True)
class RedoRenameBatchEntry:
    """The redo of a rename batch: the same names applied again, as a new batch."""

    description: str
    renames: Mapping[int, str]

    def reverse(self, session: Any, actor: Actor) -> Undoable:
        from planit_desktop.model.services.groups.batches import rename_in_batch

        result = rename_in_batch(session, actor, self.renames)
        return RenameBatchEntry(self.description, result.batch_id, dict(self.renames))


def batch_description(count: int) -> str:
    return f"rename of {count} year-named group{'' if count == 1 else 's'}"
