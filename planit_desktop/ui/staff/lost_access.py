"""Who lost access to which group at the last rollover: the list an administrator works
through when reassigning supervisors after the year end."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.services.groups.listing import natural_key
from planit_desktop.model.services.staff.access import LostAccessRow
from planit_desktop.ui.common.styles import keep_height_for_width, open_at_text_size
from planit_desktop.ui.common.table_model import Column, RowTableModel, SnapshotProxy, fold


class LostAccessModel(RowTableModel[LostAccessRow]):
    """One row per supervisor and group whose access the last rollover ended."""

    columns = (
        Column("Supervisor", lambda r: r.staff_name, lambda r: fold(r.staff_name)),
        Column("Login", lambda r: r.login, lambda r: fold(r.login)),
        Column("Group", lambda r: r.group_name, lambda r: natural_key(r.group_name)),
        Column("Academic year", lambda r: format_academic_year(r.academic_year)),
        Column(
            "Still working here",
            lambda r: "Yes" if r.active else "No (deactivated)",
            lambda r: int(r.active),
        ),
    )

    def row_id(self, row: LostAccessRow) -> int:
        return row.staff_id


def lost_access_summary(rows: Sequence[LostAccessRow]) -> str:
    """'At the last rollover, 3 supervisors lost access to 5 groups.' (or that nobody did)."""
    if not rows:
        return "Nobody lost access to groups at the last rollover (or there has been none)."
    people = len({row.staff_id for row in rows})
    groups = len({row.group_id for row in rows})
    return (
        f"At the last rollover, {people:,} supervisor{'' if people == 1 else 's'} lost "
        f"access to {groups:,} group{'' if groups == 1 else 's'}."
    )


class LostAccessDialog(QDialog):
    """A sortable list of the access the last rollover removed."""

    def __init__(self, rows: Sequence[LostAccessRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        from planit_desktop.ui.groups.tab import make_table

        self.setWindowTitle("Access removed at the last rollover")
        self.model = LostAccessModel(self)
        self.model.set_rows(rows)
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy)
        self.table.setAccessibleName("Access removed at the last rollover")
        self.table.setAccessibleDescription(
            "Each supervisor and the group they lost access to when the year rolled over."
        )
        self.table.resizeColumnsToContents()
        intro = QLabel(
            lost_access_summary(rows)
            + " Groups keep their learners at the year end, so choose the supervisors in the "
            "Staff Access tab and use Restore last year's groups, or tick their groups again."
        )
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        open_at_text_size(self, 90, 24)
