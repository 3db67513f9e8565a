"""Merge with…: two records of one learner (typically one created in class) become one. The
administrator chooses the other record and which of the two to keep."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTableView,
    QWidget,
)

from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.common.styles import open_at_text_size
from planit_desktop.ui.common.table_model import Role
from planit_desktop.ui.learners.table import CURRENT, LearnerListModel

FORCE_EXPLAINED = (
    "These two records have different UPNs, so they may be two different learners. Merge "
    "them only if you are sure they are the same person: the kept record's UPN stays."
)


class MergeDialog(ServiceDialog):
    """Choose the other record of ``learner`` and which one to keep."""

    #: (id to keep, id to remove, force) chosen; the actions run the service.
    sig_merge_chosen = Signal(int, int, bool)

    def __init__(
        self, learner: LearnerRow, candidates: Sequence[LearnerRow], parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Merge {learner.full_name} with another record", parent)
        self.learner = learner
        intro = QLabel(
            f"Choose the other record of {learner.full_name} (born "
            f"{learner.date_of_birth:%d/%m/%Y}, login {learner.login}). Group memberships and "
            "support requests move to the record kept; the other record is removed."
        )
        intro.setWordWrap(True)
        self.search = QLineEdit(learner.surname)
        self.search.setAccessibleName("Find the other record")
        self.search.setClearButtonEnabled(True)
        self.model = LearnerListModel(self)
        self.model.set_show_left(True)
        self.model.set_rows([row for row in candidates if row.id != learner.id])
        self.model.set_search_text(learner.surname)
        self.table = QTableView()
        self.table.setAccessibleName("Learners to merge with")
        self.table.setAccessibleDescription(
            "The other learners on roll; choose the one that is the same person."
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()  # the headings and names in the font's size
        self.keep_other = QRadioButton("Keep the other record (remove this one)")
        self.keep_this = QRadioButton(f"Keep this record ({learner.login})")
        self.keep_other.setChecked(True)
        self.force = QCheckBox("Merge even though the UPNs differ")
        self.force_note = QLabel(FORCE_EXPLAINED)
        self.force_note.setWordWrap(True)
        for widget in (
            intro,
            self.search,
            self.table,
            self.keep_other,
            self.keep_this,
            self.force_note,
            self.force,
        ):
            self.layout_.addWidget(widget)
        self.finish_layout()
        self.ok_button.setText("Merge")
        open_at_text_size(self, 105, 27)
        self.search.textChanged.connect(self.model.set_search_text)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.model.modelReset.connect(self._update)
        self._update()

    def other(self) -> LearnerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(Role.ROW) if rows else None

    def choose(self, learner_id: int) -> None:
        """Select the other record (keyboard and tests)."""
        row = self.model.view_row_of(learner_id)
        if row is not None:
            self.table.selectRow(row)

    @Slot()
    def _update(self) -> None:
        other = self.other()
        differ = (
            other is not None
            and bool(other.upn and self.learner.upn and other.upn != self.learner.upn)
            and other.status in CURRENT
            and self.learner.status in CURRENT
        )
        self.force_note.setVisible(differ)
        self.force.setVisible(differ)
        if not differ:
            self.force.setChecked(False)
        self.ok_button.setEnabled(other is not None)

    @Slot()
    def _submit(self) -> None:
        other = self.other()
        if other is None:
            return
        keep, remove = (
            (other.id, self.learner.id)
            if self.keep_other.isChecked()
            else (self.learner.id, other.id)
        )
        self.set_busy(True)
        self.sig_merge_chosen.emit(keep, remove, self.force.isChecked())
