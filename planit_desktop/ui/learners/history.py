"""A learner's history, one click from the table or the correction dialog: every audit entry
about them (who, when, what, old → new), oldest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.learners.history import HistoryRow, learner_history
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import keep_height_for_width, open_at_text_size
from planit_desktop.ui.learners.dialog_models import HistoryModel

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext


class HistoryDialog(QDialog):
    """Shows one learner's history, loaded in the background when the dialog opens."""

    #: The history is on screen.
    sig_history_loaded = Signal()

    def __init__(
        self, context: AppContext, learner_id: int, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle(f"History of {name}")
        self.model = HistoryModel(self)
        self.status = QLabel("Loading the history…")
        self.status.setWordWrap(True)
        self.table = QTableView()
        self.table.setAccessibleName("Changes to this learner")
        self.table.setAccessibleDescription(
            "Every recorded change to the learner, newest first: when, who, what and the values "
            "before and after."
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        open_at_text_size(self, 115, 24)
        actor = context.actor
        context.run(
            self,
            lambda session, _p: learner_history(session, actor, learner_id),
            on_success=self._show,
            on_failure=lambda error: self.status.setText(ops.describe_failure(error)),
        )

    def _show(self, rows: list[HistoryRow]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.status.setText(
            f"{count_of(len(rows), 'entry', 'entries')}, oldest first."
            if rows
            else "Nothing recorded yet."
        )
        self.sig_history_loaded.emit()


def show_history(
    context: AppContext, learner_id: int, name: str, parent: QWidget | None
) -> HistoryDialog:
    """Open the history of one learner without blocking; deleted when closed."""
    dialog = HistoryDialog(context, learner_id, name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
