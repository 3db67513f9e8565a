"""Not at my provider…: the date and reason for learners who left; and "Remove old leavers'
data…", which lists exactly whose data would go before anything is removed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableView,
    QWidget,
)

from planit_desktop.model.services.learners.leavers import DEFAULT_YEARS, OldLeaver, old_leavers
from planit_desktop.model.services.learners.roll import LearnerRow
from planit_desktop.ui import ops
from planit_desktop.ui.common.dialogs import ServiceDialog
from planit_desktop.ui.learners.dialog_models import OldLeaverModel

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext


def _names(rows: Sequence[LearnerRow], most: int = 5) -> str:
    names = [row.full_name for row in rows[:most]]
    more = len(rows) - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more else "")


class MarkLeftDialog(ServiceDialog):
    """The date of leaving (today unless changed) and a reason, for one or many learners."""

    #: (date left, reason) chosen; the actions run the service and answer the dialog.
    sig_left_chosen = Signal(object, str)

    def __init__(self, rows: Sequence[LearnerRow], parent: QWidget | None = None) -> None:
        super().__init__("Not at my provider", parent)
        self.rows = list(rows)
        who = QLabel(
            f"Mark {_names(self.rows)} as not at the school any more. Nothing is deleted: "
            "they stay in the list of learners who have left, and their access to Plan-it ends."
        )
        who.setWordWrap(True)
        self.left_on = QDateEdit(QDate.currentDate())
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat("dd/MM/yyyy")
        self.left_on.setAccessibleName("Date of leaving")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("For example: moved away")
        self.reason.setAccessibleName("Reason")
        form = QFormLayout()
        form.addRow("Left on:", self.left_on)
        form.addRow("Reason:", self.reason)
        self.layout_.addWidget(who)
        self.layout_.addLayout(form)
        self.finish_layout()
        self.ok_button.setText("Mark as left")
        self.reason.textEdited.connect(lambda _text: self.problem.hide())

    def chosen_date(self) -> date:
        value = self.left_on.date()
        return date(value.year(), value.month(), value.day())

    @Slot()
    def _submit(self) -> None:
        self.set_busy(True)
        self.sig_left_chosen.emit(self.chosen_date(), self.reason.text())


class RemoveOldLeaversDialog(ServiceDialog):
    """Choose N years, see exactly who left more than N years ago, confirm, then remove."""

    #: (learner ids listed, years): remove these leavers' personal data.
    sig_removal_confirmed = Signal(object, int)
    #: The list of old leavers is on screen.
    sig_leavers_listed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Remove old leavers' data", parent)
        self.context = context
        self._generation = 0
        intro = QLabel(
            "Removes, for good, the personal data of learners who left more than the chosen "
            "number of years ago: their record, groups, passwords and support requests. The "
            "history keeps only that their data was removed."
        )
        intro.setWordWrap(True)
        self.years = QSpinBox()
        self.years.setRange(1, 100)
        self.years.setValue(DEFAULT_YEARS)
        self.years.setSuffix(" years")
        self.years.setAccessibleName("Left more than this many years ago")
        form = QFormLayout()
        form.addRow("Left more than:", self.years)
        self.summary = QLabel("Finding old leavers…")
        self.summary.setWordWrap(True)
        self.model = OldLeaverModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.confirm = QCheckBox()
        self.confirm.toggled.connect(self._update)
        self.layout_.addWidget(intro)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.summary)
        self.layout_.addWidget(self.table)
        self.layout_.addWidget(self.confirm)
        self.finish_layout()
        self.ok_button.setText("Remove their data")
        self.resize(720, 460)
        self.years.valueChanged.connect(lambda _years: self.list_leavers())
        self.list_leavers()

    @Slot()
    def list_leavers(self) -> None:
        """List the leavers for the number of years chosen (the confirmation starts again)."""
        self._generation += 1
        generation, years, actor = self._generation, self.years.value(), self.context.actor
        self.confirm.setChecked(False)
        self._listed: tuple[int, list[OldLeaver]] | None = None
        self._update()
        self.context.run(
            self,
            lambda session, _p: old_leavers(session, actor, years=years),
            on_success=lambda rows: self._show(generation, years, rows),
            on_failure=lambda error: self.show_problem(ops.describe_failure(error)),
        )

    def _show(self, generation: int, years: int, rows: list[OldLeaver]) -> None:
        if generation != self._generation:
            return
        self._listed = (years, rows)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        count = len(rows)
        if count:
            self.summary.setText(
                f"{count:,} learners left more than {years} years ago. Their data will be removed:"
            )
            self.confirm.setText(
                f"I have checked the list: remove the personal data of these {count:,} "
                "learners for good."
            )
        else:
            self.summary.setText(f"Nobody left more than {years} years ago. Nothing to remove.")
        self.confirm.setVisible(bool(count))
        self._update()
        self.sig_leavers_listed.emit()

    def listed(self) -> list[OldLeaver]:
        return [] if self._listed is None else self._listed[1]

    @Slot()
    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.listed()) and self.confirm.isChecked())

    @Slot()
    def _submit(self) -> None:
        if self._listed is None or not self.ok_button.isEnabled():
            return
        years, rows = self._listed
        self.set_busy(True)
        self.sig_removal_confirmed.emit(tuple(row.id for row in rows), years)
