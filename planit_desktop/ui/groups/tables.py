"""The Groups tab's tables: the groups with their member counts, and one group's members;
selected members can be dragged onto another group."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, Signal

from planit_desktop.model.services.groups.listing import GroupRow, natural_key
from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.ui.common.table_model import Column, Index, RowTableModel
from planit_desktop.ui.learners.table import LEARNER_COLUMNS, LearnerColumn


def _natural(name: str) -> str:
    # natural_key is a tuple; Qt sorts on plain values, so numbers are zero-padded instead.
    return "\x00".join(f"{number:09d}" if not text else text for number, text in natural_key(name))


class GroupColumn(IntEnum):
    NAME = 0
    MEMBERS = 1
    SUPERVISORS = 2


class GroupTableModel(RowTableModel[GroupRow]):
    """One row per group: its name, learners on roll, and supervisors this academic year."""

    columns = (
        Column("Group", lambda r: r.name, lambda r: _natural(r.name)),
        Column(
            "Learners",
            lambda r: f"{r.member_count:,}",
            lambda r: r.member_count,
            tooltip="Learners on roll in the group",
            align_right=True,
        ),
        Column(
            "Supervisors",
            lambda r: ", ".join(r.supervisors) or "None assigned",
            lambda r: len(r.supervisors),
            tooltip="Supervisors with access to the group this academic year",
        ),
    )
    assert len(columns) == len(GroupColumn)


class MemberColumn(IntEnum):
    """A group's members are shown with these of a learner's columns (named alike)."""

    SURNAME = 0
    FIRST_NAMES = 1
    YEAR_GROUP = 2
    STATUS = 3


class MemberTableModel(RowTableModel[LearnerRow]):
    """The learners in one group."""

    columns = tuple(LEARNER_COLUMNS[LearnerColumn[column.name]] for column in MemberColumn)


# --- drag and drop: selected members dragged onto a group -----------------------------------

#: Learners dragged out of a group: JSON {"group_id": int, "learner_ids": [int, …]}.
LEARNERS_MIME = "application/x-planit-learners"


@dataclass(frozen=True)
class DraggedLearners:
    """What a drag of members carries: the group they come from and who they are."""

    group_id: int
    learner_ids: tuple[int, ...]


def encode_learners(group_id: int, learner_ids: Iterable[int]) -> QMimeData:
    mime = QMimeData()
    payload = {"group_id": group_id, "learner_ids": sorted(set(learner_ids))}
    mime.setData(LEARNERS_MIME, QByteArray(json.dumps(payload).encode()))
    return mime


def decode_learners(mime: QMimeData | None) -> DraggedLearners | None:
    """The learners in ``mime``, or None if it holds something else (or nonsense)."""
    if mime is None or not mime.hasFormat(LEARNERS_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(LEARNERS_MIME).data()).decode())
        group_id = int(payload["group_id"])
        ids = tuple(int(i) for i in payload["learner_ids"])
    except (ValueError, KeyError, TypeError):
        return None
    return DraggedLearners(group_id, ids) if ids else None


class DraggableMemberModel(MemberTableModel):
    """The members of one group, whose selected rows can be dragged onto another group."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.group_id: int | None = None
        self.can_change = True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.can_change and self.group_id is not None:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [LEARNERS_MIME]

    # Qt takes no data (a null pointer) for nothing to drag; the stubs allow no None.
    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        if self.group_id is None:
            return None
        ids = [self.row_at(i.row()).id for i in indexes if i.isValid()]
        return encode_learners(self.group_id, ids) if ids else None

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction


class DropTargetGroupModel(GroupTableModel):
    """Groups that take learners dropped on them: moved, or copied with Ctrl held.

    The model changes nothing itself: it says what was asked (``sig_learners_dropped``) and
    the tab runs the service, after which the rows are reloaded.
    """

    #: from group id, to group id, learner ids (tuple), copy (True) or move (False).
    sig_learners_dropped = Signal(int, int, object, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.can_change = True

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.can_change:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [LEARNERS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def _target(self, row: int, parent: Index) -> GroupRow | None:
        # Learners go onto a group, never between two: only a drop on a row counts.
        if row != -1 or not parent.isValid() or not 0 <= parent.row() < len(self._rows):
            return None
        return self.row_at(parent.row())

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        dragged = decode_learners(data)
        target = self._target(row, parent)
        return (
            self.can_change
            and dragged is not None
            and target is not None
            and target.id != dragged.group_id
            and action in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction)
        )

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        dragged = decode_learners(data)
        target = self._target(row, parent)
        assert dragged is not None and target is not None
        copy = action == Qt.DropAction.CopyAction
        self.sig_learners_dropped.emit(dragged.group_id, target.id, dragged.learner_ids, copy)
        # The members table cannot remove rows itself (removeRows is not offered), so the
        # moved learners leave it when it is reloaded after the service has moved them.
        return True
