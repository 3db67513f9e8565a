"""The Learners tab: every learner the coordinator may see, searchable as they type."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from planit_desktop.model.services.groups import natural_key
from planit_desktop.model.services.learners import LearnerRow, list_learners
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import events
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.tables.learners import LearnerColumn, LearnerFilterProxy, LearnerTableModel
from planit_desktop.ui.tabs.base import DataTab

ALL_YEARS = "All year groups"
ALL_GROUPS = "All groups"


class LearnersTab(DataTab):
    title = "Learners"
    explanation = (
        "Every learner on roll. Type to search by name, UPN, SIMS number or login; "
        "narrow the list by year group or group."
    )
    kinds = frozenset({events.LEARNERS, events.GROUPS, events.ROLLOVER})

    def build(self, layout: QVBoxLayout) -> None:
        self.model = LearnerTableModel(self)
        self.proxy = LearnerFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search learners…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search learners")
        self.year_filter = QComboBox()
        self.year_filter.setAccessibleName("Year group")
        self.year_filter.addItem(ALL_YEARS, None)
        self.group_filter = QComboBox()
        self.group_filter.setAccessibleName("Group")
        self.group_filter.addItem(ALL_GROUPS, None)
        self.group_filter.setMinimumContentsLength(12)
        self.show_left = QCheckBox("Show learners who have left")
        self.count_label = QLabel("Loading learners…")
        filters.addWidget(self.search, 2)
        filters.addWidget(self.year_filter)
        filters.addWidget(self.group_filter)
        filters.addWidget(self.show_left)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        # Rows arrive in register order; no sort until a heading is clicked (a full sort of a
        # large school is not free).
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        layout.addWidget(self.table, 1)

        self.search.textChanged.connect(self._on_search)
        self.year_filter.currentIndexChanged.connect(self._on_year)
        self.group_filter.currentIndexChanged.connect(self._on_group)
        self.show_left.toggled.connect(self._on_show_left)

    def load(self, session: Any, progress: Progress) -> list[LearnerRow]:
        return list_learners(session, self.context.actor, include_left=True)

    def show_data(self, data: list[LearnerRow]) -> None:
        self.model.set_rows(data)
        self._refill(
            self.year_filter,
            ALL_YEARS,
            [(format_year_group(y), y) for y in sorted({r.year_group for r in data})],
        )
        groups = sorted({g for r in data for g in r.groups}, key=natural_key)
        self._refill(self.group_filter, ALL_GROUPS, [(g, g) for g in groups])
        if not self.loaded:
            self.table.resizeColumnsToContents()
        self._update_count()

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, Any]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        # A group that no longer exists stops filtering.
        if index < 0:
            combo.currentIndexChanged.emit(0)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.proxy.counted_rows()
        noun = "learner" if total == 1 else "learners"
        self.count_label.setText(f"{shown:,} of {total:,} {noun}")

    @Slot(str)
    def _on_search(self, text: str) -> None:
        self.proxy.set_search_text(text)
        self._update_count()

    @Slot(int)
    def _on_year(self, _index: int) -> None:
        self.proxy.set_year_group(self.year_filter.currentData())
        self._update_count()

    @Slot(int)
    def _on_group(self, _index: int) -> None:
        self.proxy.set_group(self.group_filter.currentData())
        self._update_count()

    @Slot(bool)
    def _on_show_left(self, show: bool) -> None:
        self.proxy.set_show_left(show)
        self._update_count()

    def visible_rows(self) -> list[LearnerRow]:
        """The learners as shown, in view order (for tests and, later, exports)."""
        return [self.proxy.row_at(row) for row in range(self.proxy.rowCount())]

    def select_column_sort(self, column: LearnerColumn, order: Qt.SortOrder) -> None:
        self.table.sortByColumn(column, order)
