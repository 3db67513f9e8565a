"""The Staff Access tab: staff, their roles, and the groups supervisors may see this year."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout

from planit_desktop.model.services.staff import StaffRow, list_staff
from planit_desktop.ui import events
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.tables.base import SnapshotProxy
from planit_desktop.ui.tables.staff import StaffTableModel
from planit_desktop.ui.tabs.base import DataTab
from planit_desktop.ui.tabs.groups import make_table


class StaffAccessTab(DataTab):
    title = "Staff Access"
    explanation = (
        "Staff who use Plan-it, their roles and the groups each supervisor may see this "
        "academic year. Supervisors lose their groups at the year end; those with none are "
        "highlighted."
    )
    kinds = frozenset({events.STAFF, events.GROUPS, events.ROLLOVER, events.SCHOOL})

    def build(self, layout: QVBoxLayout) -> None:
        self.model = StaffTableModel(self)
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table(self.proxy)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def load(self, session: Any, progress: Progress) -> list[StaffRow]:
        return list_staff(session, self.context.actor)

    def show_data(self, data: list[StaffRow]) -> None:
        self.model.set_rows(data)
        self.table.resizeColumnsToContents()
        active = sum(1 for row in data if row.active)
        missing = self.model.supervisors_without_groups()
        text = f"{active:,} active staff."
        if missing:
            text += (
                f" {missing:,} supervisor{' has' if missing == 1 else 's have'} no groups this "
                "academic year and cannot see any learners (highlighted)."
            )
        self.summary.setText(text)
