"""The Learners tab: every learner the coordinator may see, searchable as they type, with the
actions of the year between year ends (corrections, leavers, Create New User, secondary
passwords, support requests, export). The actions and their dialogs live in
:mod:`planit_desktop.ui.learners`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
)

from planit_desktop.model.services.credentials import learners_with_unused_secondary
from planit_desktop.model.services.groups import natural_key
from planit_desktop.model.services.learners import LearnerRow, list_learners
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import events
from planit_desktop.ui.learners.actions import ADMIN_WHAT, LearnerActions
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.roles import RoleBanner
from planit_desktop.ui.tables.learners import LearnerColumn, LearnerListModel, Only
from planit_desktop.ui.tabs.base import DataTab

ALL_YEARS = "All year groups"
ALL_GROUPS = "All groups"
#: Typing is applied this long after the last key, so a fast typist causes one refilter.
SEARCH_DELAY_MS = 150


@dataclass(frozen=True)
class LearnersData:
    """What the tab loads: the learners, and who holds an unused secondary password."""

    rows: list[LearnerRow]
    unused_secondary: frozenset[int]


class LearnersTab(DataTab):
    title = "Learners"
    explanation = (
        "Every learner on roll. Type to search by name, UPN, SIMS number or login; "
        "narrow the list by year group or group. Double-click a learner to correct their details."
    )
    kinds = frozenset({events.LEARNERS, events.GROUPS, events.ROLLOVER})

    def build(self, layout: QVBoxLayout) -> None:
        actor = self.context.actor
        self.is_administrator = actor.is_administrator
        self._select_ids: set[int] = set()
        self.model = LearnerListModel(self)
        self.banner = RoleBanner(actor, ADMIN_WHAT)

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
        self.only_filter = QComboBox()
        self.only_filter.setAccessibleName("Show")
        self.only_filter.addItem("All learners", Only.EVERYONE)
        if self.is_administrator:
            self.only_filter.addItem("To check (created in class)", Only.TO_CHECK)
        self.only_filter.addItem("With an unused secondary password", Only.UNUSED_SECONDARY)
        self.show_left = QCheckBox("Show learners who have left")
        self.count_label = QLabel("Loading learners…")
        for combo in (self.year_filter, self.group_filter, self.only_filter):
            # Long group names or choices must not widen the whole window.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        filters.addWidget(self.year_filter)
        filters.addWidget(self.group_filter)
        filters.addWidget(self.only_filter)
        filters.addWidget(self.show_left)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # register order at first
        self.table.setSortingEnabled(True)

        self.actions_ = LearnerActions(self)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions(list(self.actions_.all))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addActions(list(self.actions_.all))

        layout.addWidget(self.banner)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.flush_search)
        self.search.textChanged.connect(self._on_search_typed)
        self.search.returnPressed.connect(self._go_to_table)
        self.year_filter.currentIndexChanged.connect(self._on_year)
        self.group_filter.currentIndexChanged.connect(self._on_group)
        self.only_filter.currentIndexChanged.connect(self._on_only)
        self.show_left.toggled.connect(self._on_show_left)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.table.doubleClicked.connect(self._on_double_click)
        self._update_actions()

    # --- loading ---------------------------------------------------------------------------
    def load(self, session: Any, progress: Progress) -> LearnersData:
        actor = self.context.actor
        rows = list_learners(session, actor, include_left=True)
        return LearnersData(rows, frozenset(learners_with_unused_secondary(session, actor)))

    def show_data(self, data: LearnersData) -> None:
        keep = self._select_ids or {row.id for row in self.selected_rows()}
        self._select_ids = set()
        self.model.set_rows(data.rows, data.unused_secondary)
        rows = data.rows
        self._refill(
            self.year_filter,
            ALL_YEARS,
            [(format_year_group(y), y) for y in sorted({r.year_group for r in rows})],
        )
        groups = sorted({g for r in rows for g in r.groups}, key=natural_key)
        self._refill(self.group_filter, ALL_GROUPS, [(g, g) for g in groups])
        if not self.loaded:
            # Only the fetched rows are measured: cheap for any size of school.
            self.table.resizeColumnsToContents()
        self.select_learners(keep)
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
        shown, total = self.model.match_count(), self.model.counted_rows()
        noun = "learner" if total == 1 else "learners"
        self.count_label.setText(f"{shown:,} of {total:,} {noun}")

    # --- searching and filtering -------------------------------------------------------------
    @Slot(str)
    def _on_search_typed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()
        else:
            self.flush_search()  # clearing the search box shows everyone at once

    @Slot()
    def flush_search(self) -> None:
        """Apply the search text now rather than after the typing pause."""
        self._search_timer.stop()
        self.model.set_search_text(self.search.text())
        self._update_count()

    @Slot()
    def _go_to_table(self) -> None:
        self.flush_search()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    @Slot(int)
    def _on_year(self, _index: int) -> None:
        self.model.set_year_group(self.year_filter.currentData())
        self._update_count()

    @Slot(int)
    def _on_group(self, _index: int) -> None:
        self.model.set_group(self.group_filter.currentData())
        self._update_count()

    @Slot(int)
    def _on_only(self, _index: int) -> None:
        self.model.set_only(Only(self.only_filter.currentData()))
        self._update_count()

    @Slot(bool)
    def _on_show_left(self, show: bool) -> None:
        self.model.set_show_left(show)
        self._update_count()

    def show_only(self, only: Only) -> None:
        """Choose one of the narrower lists (To check, unused secondary passwords)."""
        self.only_filter.setCurrentIndex(max(self.only_filter.findData(only), 0))

    # --- rows and selection ------------------------------------------------------------------
    def visible_rows(self) -> list[LearnerRow]:
        """Every learner passing the search and filters, in view order (exports, tests)."""
        self.flush_search()
        return self.model.shown_rows()

    def select_column_sort(self, column: LearnerColumn, order: Qt.SortOrder) -> None:
        self.table.sortByColumn(column, order)

    def selected_rows(self) -> list[LearnerRow]:
        """The learners selected, in view order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(row) for row in rows if row < self.model.rowCount()]

    def select_learners(self, learner_ids: set[int] | list[int]) -> None:
        """Select these learners where they are shown (after a reload, and for tests)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        first: QModelIndex | None = None
        for learner_id in learner_ids:
            row = self.model.view_row_of(learner_id)
            if row is not None:
                index = self.model.index(row, 0)
                selection.select(index, flags)
                first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    def select_after_load(self, learner_ids: set[int]) -> None:
        """Select these learners once the list is next reloaded (one just created)."""
        self._select_ids = set(learner_ids)

    @Slot()
    def _update_actions(self) -> None:
        self.actions_.update(self.selected_rows())

    @Slot(QModelIndex)
    def _on_double_click(self, _index: QModelIndex) -> None:
        if self.is_administrator:
            self.actions_.correct.trigger()
        else:
            self.actions_.history.trigger()
