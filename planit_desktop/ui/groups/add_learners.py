"""Add learners… : a searchable list of the learners on roll to add to a group."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QTableView, QWidget

from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.common.styles import open_at_text_size
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.groups.history import learners
from planit_desktop.ui.learners.table import LearnerFilterProxy, LearnerTableModel

LOADING = "Loading the learners on roll…"


class AddLearnersDialog(ServiceDialog):
    """Choose learners on roll (several at once) to add to the group ``group_name``."""

    #: The ids of the learners chosen (a tuple).
    sig_learners_chosen = Signal(object)

    def __init__(self, group_name: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Add learners to {group_name}", parent)
        self.group_name = group_name
        self.model = LearnerTableModel(self)
        self.proxy = LearnerFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, UPN, SIMS number or login…")
        self.search.setAccessibleName("Search learners")
        self.search.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setAccessibleName("Learners to add")
        self.table.setAccessibleDescription(
            "The learners not yet in the group that the search shows; select those to add."
        )
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # Its headings in full while the learners load (then the columns fit them too).
        self.table.resizeColumnsToContents()
        self.status = QLabel(LOADING)
        for widget in (self.search, self.table, self.status):
            self.layout_.addWidget(widget)
        self.finish_layout()
        self.ok_button.setText("Add to group")
        open_at_text_size(self, 100, 27)
        self.search.textChanged.connect(self.proxy.set_search_text)
        self.search.textChanged.connect(lambda _text: self._update())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.table.doubleClicked.connect(lambda _index: self._submit())
        self._update()

    def set_learners(self, rows: Sequence[LearnerRow]) -> None:
        """Show the learners on roll (those who have left are never offered)."""
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self._update()

    def select_learners(self, learner_ids: Sequence[int]) -> None:
        """Select these learners among those shown (for the keyboard and tests)."""
        wanted = set(learner_ids)
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Role.ID) in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def chosen_ids(self) -> tuple[int, ...]:
        rows = self.table.selectionModel().selectedRows()
        return tuple(sorted({index.data(Role.ID) for index in rows}))

    def _update(self) -> None:
        chosen = len(self.chosen_ids())
        shown = self.proxy.rowCount()
        if self.model.rowCount():
            self.status.setText(
                f"{learners(shown)} shown; {chosen:,} chosen. Hold Ctrl or Shift to choose several."
            )
        self.ok_button.setEnabled(chosen > 0)

    @Slot()
    def _submit(self) -> None:
        chosen = self.chosen_ids()
        if chosen:
            self.set_busy(True)
            self.sig_learners_chosen.emit(chosen)
