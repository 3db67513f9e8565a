"""Support requests…: the corrections the School Support Team must be told about, sent and
unsent, and "Export support requests…", which writes the workbook and marks them sent (only
once the file is safely saved; a failure marks nothing). The workbook carries the school's
DfE number: when it is not recorded yet, School details… opens first and the export carries
on once it is saved. "Export a sent batch again…" writes an earlier batch as it was sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.services.learners.support_requests import (
    ExportResult,
    SentBatch,
    SupportRequestRow,
    export_support_requests,
    list_sent_batches,
    list_support_requests,
)
from planit_desktop.model.services.school import SchoolDetails, school_details
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import keep_height_for_width, open_at_text_size
from planit_desktop.ui.learners.dialog_models import SupportRequestModel

if TYPE_CHECKING:
    from planit_desktop.ui.context import AppContext

UNSENT, SENT, EVERY = "Not sent yet", "Sent", "All"


class SupportRequestsDialog(QDialog):
    """The support requests, filtered by whether they were sent, with the export."""

    #: The list is on screen (after opening and after each export).
    sig_requests_loaded = Signal()
    #: An export was written and its requests marked sent (an ExportResult).
    sig_requests_exported = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.context = context
        self.setWindowTitle("Support requests")
        self.all_rows: list[SupportRequestRow] = []
        intro = QLabel(
            "Each correction of a learner's name, date of birth, year group, UPN or SIMS "
            "number is a request to the School Support Team. Export the unsent ones to a "
            "workbook and send it to them; exporting marks them as sent."
        )
        intro.setWordWrap(True)
        self.which = QComboBox()
        self.which.setAccessibleName("Show")
        self.which.addItems([UNSENT, SENT, EVERY])
        self.count = QLabel("Loading…")
        row = QHBoxLayout()
        row.addWidget(QLabel("Show:"))
        row.addWidget(self.which)
        row.addStretch(1)
        row.addWidget(self.count)
        self.model = SupportRequestModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Support requests")
        self.table.setAccessibleDescription(
            "The support requests learners sent, with who sent them, when, and what they asked."
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export support requests…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.again_button = self.buttons.addButton(
            "Export a sent batch again…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.again_button.setEnabled(False)
        self.again_button.clicked.connect(self.export_again)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        open_at_text_size(self, 125, 26)
        self.which.currentIndexChanged.connect(lambda _index: self._show_chosen())
        self.load()

    @Slot()
    def load(self) -> None:
        actor = self.context.actor
        self.context.run(
            self,
            lambda session, _p: list_support_requests(session, actor, include_sent=True),
            on_success=self._loaded,
            on_failure=lambda error: self.count.setText(ops.describe_failure(error)),
        )

    def _loaded(self, rows: list[SupportRequestRow]) -> None:
        self.all_rows = rows
        self._show_chosen()
        self.table.resizeColumnsToContents()
        self.sig_requests_loaded.emit()

    def _show_chosen(self) -> None:
        which = self.which.currentText()
        rows = [
            row
            for row in self.all_rows
            if which == EVERY or (row.sent if which == SENT else not row.sent)
        ]
        self.model.set_rows(rows)
        unsent = sum(1 for row in self.all_rows if not row.sent)
        self.count.setText(f"{len(rows):,} shown; {unsent:,} not sent yet")
        self.export_button.setEnabled(unsent > 0)
        self.again_button.setEnabled(unsent < len(self.all_rows))

    @Slot()
    def export(self) -> None:
        """Choose a file, write the unsent requests to it and mark them sent."""
        self._with_dfe_number(lambda: self._export_to_chosen_file(None))

    @Slot()
    def export_again(self) -> None:
        """Choose an earlier batch and a file, and write that batch again as it was sent."""
        actor = self.context.actor
        self.context.run(
            self,
            lambda session, _p: list_sent_batches(session, actor),
            on_success=self._choose_batch,
            on_failure=lambda error: ops.show_error(self, ops.describe_failure(error)),
        )

    def _choose_batch(self, batches: list[SentBatch]) -> None:
        if not batches:
            ops.show_error(self, "No support requests have been sent yet.")
            return
        shown = [batch.describe() for batch in batches]
        chosen, ok = QInputDialog.getItem(
            self, "Export a sent batch again", "Batch to write again:", shown, 0, False
        )
        if ok and chosen in shown:
            batch = batches[shown.index(chosen)]
            self._with_dfe_number(lambda: self._export_to_chosen_file(batch))

    def _with_dfe_number(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the school's DfE number is recorded, asking for it if need be."""

        def checked(details: SchoolDetails) -> None:
            if details.dfe_number is not None:
                then()
                return
            from planit_desktop.ui.school.details import show_school_details

            show_school_details(
                self.context,
                self,
                then=lambda _details: then(),
                note="The support requests carry the school's DfE number, which is not "
                "recorded yet. Record it to export them.",
            )

        self.context.run(
            self,
            lambda session, _p: school_details(session),
            on_success=checked,
            on_failure=lambda error: ops.show_error(self, ops.describe_failure(error)),
        )

    def _export_to_chosen_file(self, batch: SentBatch | None) -> None:
        suggested = (
            "support-requests.xlsx"
            if batch is None
            else f"support-requests-{batch.sent_at:%Y-%m-%d-%H%M}.xlsx"
        )
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export support requests", suggested, "Excel workbook (*.xlsx)"
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        actor = self.context.actor
        sent_at = None if batch is None else batch.sent_at
        self.export_button.setEnabled(False)
        self.again_button.setEnabled(False)
        self.context.run(
            self,
            lambda session, _p: export_support_requests(session, actor, path, batch=sent_at),
            write=True,
            on_success=self._exported,
            on_failure=self._failed,
            progress_label="Writing the support requests…",
        )

    def _exported(self, result: ExportResult) -> None:
        noun = "support request was" if result.count == 1 else "support requests were"
        QMessageBox.information(
            self,
            ops.TITLE,
            f"{result.count:,} {noun} written to {result.path}. They are marked as sent: "
            "send the file to the School Support Team.",
        )
        self.sig_requests_exported.emit(result)
        self.load()

    def _failed(self, error: BaseException) -> None:
        ops.show_error(self, ops.describe_failure(error) + " No request was marked as sent.")
        self._show_chosen()


def show_support_requests(context: AppContext, parent: QWidget | None) -> SupportRequestsDialog:
    dialog = SupportRequestsDialog(context, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
