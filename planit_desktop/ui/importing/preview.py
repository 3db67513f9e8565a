"""The import preview: every row of the file, checked, before anything is written.

The coordinator sees each row's status in words and colour, fixes a cell by typing in it
(the file is checked again at once, in memory), decides what each duplicate is, sees the
tutor groups that will be created and the counts, chooses where the temporary passwords
will be saved (written as part of the import, so they cannot be lost), and imports the whole
file once no error is left, or only the valid rows, writing the others to a workbook to fix
and import again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.personal_files import write_recorded
from planit_desktop.model.services.importing import (
    ROWS_TO_FIX_WHAT,
    CheckContext,
    CheckResult,
    Decision,
    Field,
    write_rejected_rows,
)
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import (
    State,
    fit_columns,
    keep_height_for_width,
    mark,
    open_at_text_size,
)
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.importing.commit import ImportCommit, ImportOutcome
from planit_desktop.ui.importing.passwords import PasswordFilesChoice, PasswordsDialog
from planit_desktop.ui.importing.preview_model import (
    DECISION_COLUMN,
    DECISION_WORDS,
    FIELDS,
    FIRST_FIELD_COLUMN,
    MESSAGES_COLUMN,
    ROW_COLUMN,
    STATUS_COLUMN,
    YEAR_GROUP_COLUMN,
    ImportPreviewModel,
    ImportPreviewProxy,
    PreviewStatus,
    row_messages,
)


@dataclass(frozen=True)
class LoadedFile:
    """A file read and checked in the background, ready for the preview."""

    path: Path
    result: CheckResult
    context: CheckContext
    school_name: str


def counts_text(counts: dict[PreviewStatus, int]) -> str:
    """ "Ready 3 · Warnings 1 · Errors 1 · Need a decision 1 · Skipped 0"."""
    return (
        f"Ready: {counts[PreviewStatus.READY]:,} · Warnings: {counts[PreviewStatus.WARNING]:,}"
        f" · Errors: {counts[PreviewStatus.ERROR]:,} · Need a decision: "
        f"{counts[PreviewStatus.UNDECIDED]:,} · Skipped: {counts[PreviewStatus.SKIPPED]:,}"
    )


def blocked_reason(model: ImportPreviewModel) -> str | None:
    """Why the whole file cannot be imported yet, in words; None when it can."""
    result = model.result
    if result is None:
        return "No file is checked."
    if result.problems:
        return "Nothing can be imported from this file: " + " ".join(result.problems)
    if not result.rows:
        return "The file has no learner rows to import."
    counts = model.counts()
    parts = []
    if counts[PreviewStatus.ERROR]:
        parts.append(f"{count_of(counts[PreviewStatus.ERROR], 'row has', 'rows have')} errors")
    if counts[PreviewStatus.UNDECIDED]:
        parts.append(
            f"{count_of(counts[PreviewStatus.UNDECIDED], 'row needs', 'rows need')} a decision"
        )
    if parts:
        return (
            f"Import is not possible yet: {' and '.join(parts)}. Correct the cells marked in "
            "red (double-click a cell to type), choose what to do about each duplicate, skip "
            "rows, or import the valid rows only."
        )
    if not result.importable_rows(model.decisions):
        return "Every row is skipped: there is nothing to import."
    return None


class ImportPreviewDialog(QDialog):
    """The checked file, editable, with the decisions; Import once nothing blocks it."""

    #: The learners were imported with their password files; the PasswordsDialog says where.
    sig_import_done = Signal(object)
    #: An import attempt ended without importing anything (the message).
    sig_import_failed = Signal(str)

    def __init__(self, context: AppContext, loaded: LoadedFile, parent: QWidget | None) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.context = context
        self.loaded = loaded
        self.commit: ImportCommit | None = None
        self.passwords_dialog: PasswordsDialog | None = None
        self.rejected_path: Path | None = None
        self.setWindowTitle(f"Import new learners: {loaded.path.name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.model = ImportPreviewModel(self)
        self.proxy = ImportPreviewProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        open_at_text_size(self, 150, 36)
        self.model.sig_preview_checked.connect(self._update)
        self.only_problems.toggled.connect(self.proxy.set_only_problems)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.decision_box.activated.connect(self._decision_activated)
        self.import_button.clicked.connect(self.import_all)
        self.valid_only_button.clicked.connect(self.import_valid_only)
        self.cancel_button.clicked.connect(self.reject)
        self.model.set_result(loaded.result, loaded.context)
        self.table.resizeColumnsToContents()  # names start whole; the coordinator may drag
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        if loaded.result.table.academic_year is not None:  # its heading names the year
            self.table.resizeColumnToContents(YEAR_GROUP_COLUMN)
            self.table.resizeColumnToContents(STATUS_COLUMN)

    def _label(self, layout: QVBoxLayout, state: State | None = None) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mark(label, state)
        layout.addWidget(label)
        return label

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        table = self.loaded.result.table
        sheet = f", sheet “{table.sheet}”" if table.sheet else ""
        self.file_label = self._label(layout)
        self.file_label.setText(
            f"{table.source_name}{sheet}: {count_of(len(table.rows), 'learner row')}. Nothing "
            "is written until you press Import."
        )
        self.notes_label = self._label(layout)
        # The check's notes: the file's own, and how its year groups meet the school's year.
        notes = list(self.loaded.result.notes)
        if table.unknown_columns:
            notes.append(
                "These columns are not used and will be ignored: "
                + ", ".join(f"“{c}”" for c in table.unknown_columns)
                + "."
            )
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
        self.problems_label = self._label(layout, State.ERROR)
        self.problems_label.setText("\n".join(self.loaded.result.problems))
        self.problems_label.setVisible(bool(self.loaded.result.problems))
        self.counts_label = self._label(layout)
        self.groups_label = self._label(layout)
        self.only_problems = QCheckBox("Show only rows with problems")
        layout.addWidget(self.only_problems)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # The messages get the room; codes, dates and statuses are never cut off.
        short = (Field.DATE_OF_BIRTH, Field.YEAR_GROUP, Field.TUTOR_GROUP, Field.SEX, Field.UPN)
        fit_columns(
            self.table,
            stretch=MESSAGES_COLUMN,
            to_contents=(ROW_COLUMN, STATUS_COLUMN, DECISION_COLUMN)
            + tuple(FIRST_FIELD_COLUMN + FIELDS.index(f) for f in (*short, Field.SIMS_NUMBER)),
        )
        self.table.setAccessibleName("Rows of the file")
        self.table.setAccessibleDescription(
            "Each row of the file with its status, its details as they will be imported, "
            "the decision for a possible duplicate, and its messages."
        )
        layout.addWidget(self.table, 1)

        self.detail = self._label(layout)
        decision_row = QHBoxLayout()
        self.decision_label = QLabel("For this row:")
        self.decision_box = QComboBox()
        self.decision_label.setBuddy(self.decision_box)
        self.decision_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        decision_row.addWidget(self.decision_label)
        decision_row.addWidget(self.decision_box)
        decision_row.addStretch(1)
        layout.addLayout(decision_row)

        self.blocked_label = self._label(layout, State.ERROR)
        self.password_files = PasswordFilesChoice(self.loaded.path.parent, self)
        layout.addWidget(self.password_files)
        self.status_label = self._label(layout)
        buttons = QHBoxLayout()
        self.import_button = QPushButton("&Import")
        self.valid_only_button = QPushButton("Import the &valid rows only…")
        self.cancel_button = QPushButton("Cancel")
        buttons.addStretch(1)
        for button in (self.import_button, self.valid_only_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._show_detail()

    # --- what is shown ----------------------------------------------------------------------
    @Slot()
    def _update(self) -> None:
        result = self.model.result
        assert result is not None
        self.counts_label.setText(counts_text(self.model.counts()))
        groups = result.new_tutor_groups
        self.groups_label.setText(
            "Tutor groups that will be created: " + ", ".join(groups) + "."
            if groups
            else "No new tutor group will be created."
        )
        reason = blocked_reason(self.model)
        busy = self.commit is not None
        self.import_button.setEnabled(reason is None and not busy)
        self.import_button.setToolTip(reason or "Import every row that is not skipped.")
        self.blocked_label.setText(reason or "")
        self.blocked_label.setVisible(reason is not None)
        decisions = self.model.decisions
        can_part = (
            not result.problems
            and bool(result.importable_rows(decisions))
            and bool(result.blocked_rows(decisions))
        )
        self.valid_only_button.setEnabled(can_part and not busy)
        self._show_detail()

    def selected_number(self) -> int | None:
        """The file's row number of the current cell, if any."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        source = self.proxy.mapToSource(index)
        return self.model.preview_row(source.row()).check.number

    def select_row(self, number: int, field_column: int = 0) -> None:
        """Make row ``number`` current (the cell of ``field_column``, 0 being the Row)."""
        source = self.model.index(self.model.source_row_of(number), field_column)
        self.table.setCurrentIndex(self.proxy.mapFromSource(source))

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, *_args: Any) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        number = self.selected_number()
        self.decision_box.clear()
        if number is None:
            self.detail.setText("Choose a row to see its messages and what may be done with it.")
            self.decision_box.setEnabled(False)
            return
        row = self.model.preview_row(self.model.source_row_of(number))
        lines = [f"Row {number}: {row.status.value}."]
        lines += [f"• {text}" for text in row_messages(row.check)]
        self.detail.setText("\n".join(lines))
        if row.check.options:
            choices: list[tuple[str, Decision | None]] = [("Choose what this row is…", None)]
            choices += [(DECISION_WORDS[o], o) for o in row.check.options]
        else:
            choices = [("Import this row", None), (DECISION_WORDS[Decision.SKIP], Decision.SKIP)]
        for text, decision in choices:
            # Stored as plain text: Qt would turn the enum into a str anyway.
            self.decision_box.addItem(text, decision.value if decision else "")
        chosen = next((i for i, (_t, d) in enumerate(choices) if d is row.decision), 0)
        self.decision_box.setCurrentIndex(chosen)
        self.decision_box.setEnabled(self.commit is None)

    @Slot(int)
    def _decision_activated(self, position: int) -> None:
        data = self.decision_box.itemData(position)
        self.decide(Decision(data) if data else None)

    def decide(self, decision: Decision | None) -> None:
        """Record the decision for the current row."""
        number = self.selected_number()
        if number is not None:
            self.model.set_decision(number, decision)

    def edit(self, number: int, column: int, text: str) -> None:
        """Type ``text`` into the cell of row ``number`` (``column``: a field's index)."""
        source = self.model.index(self.model.source_row_of(number), FIRST_FIELD_COLUMN + column)
        self.proxy.setData(self.proxy.mapFromSource(source), text)

    # --- importing --------------------------------------------------------------------------
    @Slot()
    def import_all(self) -> None:
        self._commit(skip_invalid=False)

    @Slot()
    def import_valid_only(self) -> None:
        """Ask where the rows left out go, write them, then import the others."""
        result = self.model.result
        assert result is not None
        blocked = result.blocked_rows(self.model.decisions)
        path = self.loaded.path
        default = path.with_name(f"{path.stem} - rows to fix.xlsx")
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            f"Save the {count_of(len(blocked), 'row')} that will not be imported",
            str(default),
            "Excel workbook (*.xlsx)",
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        decisions = dict(self.model.decisions)
        database, actor = self.context.database, self.context.actor
        self._set_busy(True)
        ops.run_task(
            self,
            lambda _progress: write_recorded(
                database,
                actor,
                what=ROWS_TO_FIX_WHAT,
                write=lambda: write_rejected_rows(target, result, decisions, rows=blocked),
                rows=len(blocked),
            ),
            on_success=self._rejected_written,
            on_failure=self._rejected_failed,
            progress_label=f"Saving {target.name}…",
        )

    def _rejected_written(self, path: Path) -> None:
        self.rejected_path = Path(path)
        self._set_busy(False)
        self.status_label.setText(
            f"The rows that will not be imported were saved, with their problems, in {path}."
        )
        self._commit(skip_invalid=True)

    def _rejected_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._commit_failed(
            f"{ops.describe_failure(error)} Nothing was imported: choose another place."
        )

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.import_button,
            self.valid_only_button,
            self.decision_box,
            self.table,
            self.password_files,
        ):
            widget.setEnabled(not busy)
        if not busy:
            self._update()

    def _commit(self, *, skip_invalid: bool) -> None:
        result = self.model.result
        assert result is not None
        self.commit = ImportCommit(
            self,
            self.context,
            result,
            self.model.decisions,
            source_name=self.loaded.path.name,
            files=self.password_files.files(),
            school_name=self.loaded.school_name,
            skip_invalid=skip_invalid,
        )
        self.commit.sig_commit_succeeded.connect(self._committed)
        self.commit.sig_commit_failed.connect(self._commit_failed)
        self._set_busy(True)
        mark(self.status_label, None)
        self.status_label.setText("Importing…")
        self.commit.start()

    @Slot(object)
    def _committed(self, outcome: ImportOutcome) -> None:
        self.commit = None
        dialog = PasswordsDialog(
            outcome,
            context=self.context,
            school_name=self.loaded.school_name,
            parent=self.parentWidget(),
        )
        self.passwords_dialog = dialog
        dialog.open()
        self.sig_import_done.emit(dialog)
        super().done(QDialog.DialogCode.Accepted)

    @Slot(str)
    def _commit_failed(self, message: str) -> None:
        self.commit = None
        self._set_busy(False)
        self.status_label.setText(message)
        mark(self.status_label, State.ERROR)
        self.sig_import_failed.emit(message)

    def done(self, result: int) -> None:
        """Closing is refused while an import is under way (Cancel the progress instead)."""
        if self.commit is not None:
            return
        super().done(result)
