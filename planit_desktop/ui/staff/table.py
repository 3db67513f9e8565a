"""The Staff Access table: staff, their roles, whether active, and this year's groups."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtGui import QColor

from planit_desktop.model.kinds import StaffRole
from planit_desktop.model.services.staff.members import StaffRow
from planit_desktop.ui.common.styles import State, row_tint
from planit_desktop.ui.common.table_model import Column, RowTableModel, fold

ROLE_TEXT = {StaffRole.ADMINISTRATOR: "Administrator", StaffRole.SUPERVISOR: "Supervisor"}
NO_GROUPS = "None assigned"
# A soft amber: noticeable on light and dark palettes without shouting.


def needs_groups(row: StaffRow) -> bool:
    """An active supervisor with no groups this academic year sees no learners at all."""
    return row.active and row.role is StaffRole.SUPERVISOR and not row.groups


class StaffColumn(IntEnum):
    NAME = 0
    LOGIN = 1
    ROLE = 2
    ACTIVE = 3
    GROUPS = 4


class StaffTableModel(RowTableModel[StaffRow]):
    """One row per member of staff; supervisors with no groups are highlighted."""

    columns = (
        Column("Name", lambda r: r.name),
        Column("Login", lambda r: r.login, lambda r: fold(r.login)),
        Column("Role", lambda r: ROLE_TEXT.get(r.role, str(r.role))),
        Column("Active", lambda r: "Yes" if r.active else "No (left)", lambda r: int(r.active)),
        Column(
            "Groups this year",
            lambda r: (
                ", ".join(r.groups)
                or ("All (administrator)" if r.role is StaffRole.ADMINISTRATOR else NO_GROUPS)
            ),
            lambda r: len(r.groups),
        ),
    )
    assert len(columns) == len(StaffColumn)

    def cell_background(self, row: StaffRow, column: int) -> QColor | None:
        return row_tint(State.WARNING) if needs_groups(row) else None

    def cell_tooltip(self, row: StaffRow, column: int) -> str | None:
        if needs_groups(row):
            return (
                "This supervisor has no groups this academic year, so they see no learners "
                "until groups are assigned."
            )
        if column == StaffColumn.GROUPS and row.groups:
            return "\n".join(row.groups)
        return None

    def supervisors_without_groups(self) -> int:
        return sum(1 for row in self.rows() if needs_groups(row))
