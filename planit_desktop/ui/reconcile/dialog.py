"""The review of a comparison with the MIS: per category its count, its table and its default
action; each row accepted, skipped or changed; nothing changes until Apply, which is one
transaction (Edit ▸ Undo undoes it in one step). New learners go to the import's preview as
one batch, with its duplicate checks, temporary passwords and slips.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.errors import InvalidInput
from planit_desktop.model.services.reconcile import (
    NEW_LEARNER,
    Action,
    Category,
    Choice,
    Comparison,
    Decision,
    Difference,
    Review,
    compare,
)
from planit_desktop.model.services.reconcile.comparing import FIELD_WORDS
from planit_desktop.model.services.reconcile.words import shown
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import keep_height_for_width
from planit_desktop.ui.common.table_model import SnapshotProxy
from planit_desktop.ui.reconcile.models import DifferenceModel, FileYearModel

if TYPE_CHECKING:
    from planit_desktop.model.services.reconcile import ApplyResult
    from planit_desktop.ui.context import AppContext

TITLE = "Check against the MIS"
RED = "color: #b00020;"


def tab_title(comparison: Comparison, category: Category) -> str:
    """ "Probably left (3)"."""
    return f"{category.heading} ({len(comparison.rows_of(category)):,})"


class CategoryPage(QWidget):
    """One category: its explanation, its table and the buttons that decide its rows."""

    def __init__(self, dialog: MisCheckDialog, category: Category) -> None:
        super().__init__()
        self.dialog = dialog
        self.category = category
        layout = QVBoxLayout(self)
        explanation = QLabel(category.explanation)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.model = DifferenceModel(dialog.review, self)
        self.proxy = SnapshotProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName(f"mis_{category.value}")
        self.table.setAccessibleName(category.heading)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        # The comparison's own order (the file's rows, then Plan-it's learners) until a
        # heading is clicked.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.change())
        layout.addWidget(self.table, 1)
        self.extra = QHBoxLayout()
        layout.addLayout(self.extra)
        if category is Category.NOT_IN_MIS:
            self._leaving_fields()
        if category is Category.AMBIGUOUS:
            self.extra.addWidget(QLabel("This row is:"))
            self.candidate = QComboBox()
            self.candidate.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self.extra.addWidget(self.candidate)
        self.extra.addStretch(1)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("&Accept")
        self.skip_button = QPushButton("S&kip")
        self.change_button = QPushButton("C&hange…")
        self.accept_all_button = QPushButton("Accept a&ll in this category")
        self.skip_all_button = QPushButton("Skip all")
        for button, slot in (
            (self.accept_button, self.accept_selected),
            (self.skip_button, self.skip_selected),
            (self.change_button, self.change),
            (self.accept_all_button, self.accept_all),
            (self.skip_all_button, self.skip_all),
        ):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.tally = QLabel()
        buttons.addWidget(self.tally)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.show_rows()

    def _leaving_fields(self) -> None:
        review = self.dialog.review
        self.extra.addWidget(QLabel("Left on:"))
        self.left_on = QDateEdit(
            QDate(review.left_on.year, review.left_on.month, review.left_on.day)
        )
        self.left_on.setCalendarPopup(True)
        self.left_on.setDisplayFormat("dd/MM/yyyy")
        self.left_on.dateChanged.connect(self._leaving_changed)
        self.extra.addWidget(self.left_on)
        self.extra.addWidget(QLabel("Reason:"))
        self.reason = QLineEdit(review.left_reason)
        self.reason.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.reason.textChanged.connect(self._leaving_changed)
        self.extra.addWidget(self.reason)

    @Slot()
    def _leaving_changed(self) -> None:
        review = self.dialog.review
        review.left_on = self.left_on.date().toPython()  # type: ignore[assignment]
        review.left_reason = self.reason.text().strip() or review.left_reason
        self.model.refresh(list(range(self.model.rowCount())))

    # --- showing -----------------------------------------------------------------------------
    def show_rows(self) -> None:
        review = self.dialog.review
        self.model.set_review(review, list(review.comparison.rows_of(self.category)))
        self.table.resizeColumnsToContents()
        self._update()

    def selected(self) -> list[tuple[int, Difference]]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [(row, self.model.row_at(row)) for row in sorted(rows)]

    def _update(self) -> None:
        review = self.dialog.review
        tally = review.tally(self.category)
        self.tally.setText(
            f"Accepted {tally[Choice.ACCEPTED]:,} · Skipped {tally[Choice.SKIPPED]:,} · "
            f"Undecided {tally[Choice.UNDECIDED]:,}"
        )
        chosen = self.selected()
        usable = self.dialog.comparison.usable and self.dialog.editable
        self.accept_button.setEnabled(usable and bool(chosen))
        self.skip_button.setEnabled(usable and bool(chosen))
        self.change_button.setEnabled(usable and len(chosen) == 1 and self._can_change(chosen))
        has_rows = usable and self.model.rowCount() > 0
        self.accept_all_button.setEnabled(has_rows and self.category is not Category.AMBIGUOUS)
        self.skip_all_button.setEnabled(has_rows)
        if self.category is Category.AMBIGUOUS:
            self._fill_candidates(chosen)
        self.dialog.update_summary()

    def _can_change(self, chosen: list[tuple[int, Difference]]) -> bool:
        difference = chosen[0][1]
        if self.category is Category.YEAR_GROUP_DIFFERS:
            return Action.CORRECT in difference.actions
        return self.category in (Category.DETAILS_DIFFER, Category.GROUPS_DIFFER) and bool(
            difference.actions
        )

    def _fill_candidates(self, chosen: list[tuple[int, Difference]]) -> None:
        self.candidate.clear()
        if len(chosen) != 1:
            self.candidate.setEnabled(False)
            return
        roll = self.dialog.comparison.roll
        for possible in chosen[0][1].candidates:
            learner = roll.learners[possible.learner_id]
            self.candidate.addItem(
                f"{learner.name} ({format_year_group(learner.year_group)}): {possible.why}",
                possible.learner_id,
            )
        self.candidate.addItem("A new learner", NEW_LEARNER)
        self.candidate.setEnabled(True)

    # --- deciding ----------------------------------------------------------------------------
    def _decided(self, rows: list[int]) -> None:
        self.model.refresh(rows)
        self._update()

    @Slot()
    def accept_selected(self) -> None:
        review = self.dialog.review
        chosen = self.selected()
        if self.category is Category.AMBIGUOUS:
            if len(chosen) != 1:
                return
            who = self.candidate.currentData()
            _row, difference = chosen[0]
            if who == NEW_LEARNER:
                review.accept(difference, action=Action.NEW_LEARNER)
            else:
                review.accept(difference, action=Action.SAME_LEARNER, candidate=int(who))
            self.dialog.compare_again()
            return
        refused: list[str] = []
        for _row, difference in chosen:
            current = review.decision(difference)
            try:
                review.decide(difference, replace(current, choice=Choice.ACCEPTED))
            except InvalidInput as error:
                refused.append(error.message)
        self._decided([row for row, _d in chosen])
        if refused:
            QMessageBox.information(self, TITLE, "\n\n".join(refused[:5]))

    @Slot()
    def skip_selected(self) -> None:
        chosen = self.selected()
        for _row, difference in chosen:
            self.dialog.review.skip(difference)
        if self.category is Category.AMBIGUOUS:
            self.dialog.compare_again()
            return
        self._decided([row for row, _d in chosen])

    @Slot()
    def accept_all(self) -> None:
        review = self.dialog.review
        accepted = review.accept_all(self.category)
        self._decided(list(range(self.model.rowCount())))
        left = [d for d in review.comparison.rows_of(self.category) if d.caution]
        if left:
            QMessageBox.information(
                self,
                TITLE,
                f"{count_of(accepted, 'row was', 'rows were')} accepted. "
                f"{count_of(len(left), 'row needs', 'rows need')} a look of its own: "
                f"{left[0].caution}",
            )

    @Slot()
    def skip_all(self) -> None:
        self.dialog.review.skip_all(self.category)
        self._decided(list(range(self.model.rowCount())))

    @Slot()
    def change(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1 or not self._can_change(chosen) or not self.dialog.editable:
            return
        row, difference = chosen[0]
        review = self.dialog.review
        decision = review.decision(difference)
        changed: Decision | None = None
        if self.category is Category.YEAR_GROUP_DIFFERS:
            changed = self._change_year(difference, decision)
        elif self.category is Category.GROUPS_DIFFER:
            changed = self._change_group(difference, decision)
        elif self.category is Category.DETAILS_DIFFER:
            changed = DetailsDialog.ask(self, difference, decision)
        if changed is not None:
            try:
                review.decide(difference, changed)
            except InvalidInput as error:
                QMessageBox.information(self, TITLE, error.message)
            self._decided([row])

    def _change_year(self, difference: Difference, decision: Decision) -> Decision | None:
        roll = self.dialog.comparison.roll
        years = list(range(roll.lowest_year, roll.highest_year + 1))
        names = [format_year_group(year) for year in years]
        current = decision.year_group or int(str(difference.changes["year_group"][1]))
        chosen, ok = QInputDialog.getItem(
            self,
            TITLE,
            f"Correct {difference.learner.name if difference.learner else ''}'s year group to:",
            names,
            years.index(current) if current in years else 0,
            False,
        )
        if not ok or chosen not in names:
            return None
        return Decision(
            Choice.ACCEPTED, action=Action.CORRECT, year_group=years[names.index(chosen)]
        )

    def _change_group(self, difference: Difference, decision: Decision) -> Decision | None:
        groups = sorted(self.dialog.comparison.roll.groups.items(), key=lambda g: g[1].casefold())
        names = [name for _gid, name in groups]
        if not names:
            return None
        target = decision.group_id or difference.move_to
        index = next((i for i, (gid, _n) in enumerate(groups) if gid == target), 0)
        chosen, ok = QInputDialog.getItem(
            self,
            TITLE,
            f"Move {difference.learner.name if difference.learner else ''} to the group:",
            names,
            index,
            False,
        )
        if not ok or chosen not in names:
            return None
        return Decision(
            Choice.ACCEPTED, action=Action.MOVE, group_id=groups[names.index(chosen)][0]
        )


class DetailsDialog(QDialog):
    """The details a correction sets, as the MIS has them, each open to typing."""

    def __init__(self, parent: QWidget, difference: Difference, decision: Decision) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.setWindowTitle(TITLE)
        self.difference = difference
        layout = QVBoxLayout(self)
        who = difference.learner.name if difference.learner else ""
        layout.addWidget(QLabel(f"Correct {who} to:"))
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for name, (old, new) in difference.changes.items():
            edit = QLineEdit(shown(name, decision.values.get(name, new)))
            edit.setToolTip(f"In Plan-it now: {shown(name, old) or '(none)'}")
            form.addRow(FIELD_WORDS.get(name, name).capitalize() + ":", edit)
            self.edits[name] = edit
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet(RED)
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.values: dict[str, object] = {}

    def accept(self) -> None:
        from planit_desktop.model.validation.dates import parse_date

        values: dict[str, object] = {}
        try:
            for name, edit in self.edits.items():
                text = edit.text().strip()
                values[name] = parse_date(text) if name == "date_of_birth" else text
        except InvalidInput as error:
            self.problem.setText(error.message)
            return
        self.values = values
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget, difference: Difference, decision: Decision) -> Decision | None:
        dialog = cls(parent, difference, decision)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return Decision(Choice.ACCEPTED, action=Action.CORRECT, values=dialog.values)
        finally:
            dialog.deleteLater()  # not left behind, hidden, in the check's window


class MisCheckDialog(QDialog):
    """The comparison's review: the file per year group, a tab per category, Apply.

    ``wizard``: opened from the year-end wizard before its run, where learners a year group
    behind are kept back at the year end rather than corrected.
    """

    #: Apply committed (the ApplyResult); the wizard reads its choices again.
    sig_applied = Signal(object)
    #: The import's preview was opened for the new learners (the preview dialog).
    sig_import_opened = Signal(object)

    def __init__(
        self,
        context: AppContext,
        comparison: Comparison,
        *,
        path: Any = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        keep_height_for_width(self)  # its wrapped text and fields never squeezed
        self.context = context
        self.comparison = comparison
        self.path = path
        self.review = Review(comparison, today=today or date.today())
        self.editable = context.actor.is_administrator
        self.applied: ApplyResult | None = None
        self.preview: Any = None
        self.setWindowTitle(f"{TITLE}: {comparison.source_name}")
        self.setObjectName("mis_check_dialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 150, metrics.lineSpacing() * 40)
        self._build()
        self.update_summary()

    def _label(self, layout: QVBoxLayout | QHBoxLayout, text: str = "", style: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if style:
            label.setStyleSheet(style)
        layout.addWidget(label)
        return label

    def _build(self) -> None:
        comparison = self.comparison
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        words = QVBoxLayout()
        self.summary_label = self._label(words, comparison.summary())
        self.problems_label = self._label(words, "\n".join(comparison.problems), RED)
        self.problems_label.setVisible(bool(comparison.problems))
        self.warnings_label = self._label(
            words, "\n".join(f"Warning: {w}" for w in comparison.warnings), RED
        )
        self.warnings_label.setVisible(bool(comparison.warnings))
        self.notes_label = self._label(words, "\n".join(comparison.notes))
        self.notes_label.setVisible(bool(comparison.notes))
        self.counts_label = self._label(words)
        words.addStretch(1)
        top.addLayout(words, 3)
        self.years = FileYearModel(self)
        self.years.set_rows(list(comparison.by_year))
        self.years_table = QTableView()
        self.years_table.setModel(self.years)
        self.years_table.setAccessibleName("Learners per year group")
        self.years_table.verticalHeader().hide()
        self.years_table.resizeColumnsToContents()
        self.years_table.resizeRowsToContents()
        # Tall enough for every year group (a school has five to seven) without scrolling.
        rows = self.years.rowCount()
        height = self.years_table.horizontalHeader().height() + 4
        height += sum(self.years_table.rowHeight(r) for r in range(rows))
        self.years_table.setFixedHeight(min(height, self.fontMetrics().lineSpacing() * 16))
        width = self.years_table.verticalHeader().width() + 4
        width += sum(self.years_table.columnWidth(c) for c in range(self.years.columnCount()))
        self.years_table.setFixedWidth(width)
        top.addWidget(self.years_table, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.tabs = QTabWidget()
        self.pages: dict[Category, CategoryPage] = {}
        for category in Category:
            page = CategoryPage(self, category)
            self.pages[category] = page
            self.tabs.addTab(page, tab_title(comparison, category))
        self.tabs.setEnabled(comparison.usable)
        layout.addWidget(self.tabs, 1)
        self.status_label = self._label(layout)
        buttons = QHBoxLayout()
        self.report_button = QPushButton("Save &report…")
        self.apply_button = QPushButton("A&pply")
        self.close_button = QPushButton("Close")
        self.report_button.clicked.connect(self.save_report)
        self.apply_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.apply_button.setDefault(True)
        if not self.editable:
            self.status_label.setText("Only administrators can apply a comparison.")

    def page(self, category: Category) -> CategoryPage:
        return self.pages[category]

    def update_summary(self) -> None:
        """The counts per category and what Apply will do, after each decision."""
        if not hasattr(self, "apply_button"):
            return  # still being built
        comparison = self.comparison
        counts = comparison.counts()
        self.counts_label.setText(
            " · ".join(f"{category.heading}: {counts[category]:,}" for category in Category)
        )
        plan = self.review.plan()
        new = len(self.review.import_rows())
        text = f"Apply will do: {plan.describe()}"
        if new:
            text += f"; then {count_of(new, 'new learner')} to import (the import's preview opens)"
        if self.editable and comparison.usable:
            self.status_label.setText(text + ".")
        self.apply_button.setEnabled(
            self.editable and comparison.usable and (not plan.is_empty or bool(new))
        )

    # --- the ambiguous rows ------------------------------------------------------------------
    def compare_again(self) -> None:
        """A row was settled as to who it is: the pairing changes, so compare again (in
        memory), carrying the decisions over."""
        old = self.review
        comparison = compare(
            old.comparison.table,
            old.comparison.roll,
            resolutions=old.resolutions(),
            before_year_end=old.comparison.before_year_end,
        )
        self.comparison = comparison
        self.review = old.carried_to(comparison)
        for difference in old.comparison.rows_of(Category.AMBIGUOUS):
            if old.decision(difference).choice is Choice.SKIPPED:
                again = comparison.find(Category.AMBIGUOUS, difference.key)
                if again is not None:
                    self.review.skip(again)
        for category, page in self.pages.items():
            page.show_rows()
            self.tabs.setTabText(self.tabs.indexOf(page), tab_title(comparison, category))
        self.update_summary()

    # --- the report --------------------------------------------------------------------------
    @Slot()
    def save_report(self) -> None:
        from pathlib import Path

        from planit_desktop.model.personal_files import write_recorded
        from planit_desktop.model.services.reconcile import REPORT_WHAT, write_reconcile_report

        folder = Path(self.path).parent if self.path else Path.home()
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "Save the report of the MIS check",
            str(folder / f"MIS check {date.today():%Y-%m-%d}.xlsx"),
            "Excel workbook (*.xlsx)",
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        database, actor, review = self.context.database, self.context.actor, self.review
        ops.run_task(
            self,
            lambda _progress: write_recorded(
                database,
                actor,
                what=REPORT_WHAT,
                write=lambda: write_reconcile_report(review, target, by=actor.login),
            ),
            on_success=lambda saved: self.status_label.setText(f"The report was saved as {saved}."),
            progress_label="Saving the report…",
        )

    # --- applying ----------------------------------------------------------------------------
    @Slot()
    def apply(self) -> None:
        from planit_desktop.model.services.reconcile import apply_reconciliation

        plan = self.review.plan()
        if plan.is_empty:
            self._import_new()
            return
        actor, today = self.context.actor, self.review.today
        self.apply_button.setEnabled(False)
        self.context.run(
            self,
            lambda session, _progress: apply_reconciliation(session, actor, plan, today=today),
            write=True,
            on_success=self._applied,
            on_failure=self._apply_failed,
            progress_label="Applying the comparison…",
        )

    def _applied(self, result: ApplyResult) -> None:
        from planit_desktop.ui.reconcile.history import MisCheckEntry
        from planit_desktop.ui.undo import history_for

        self.applied = result
        history_for(self.context).push(MisCheckEntry(result))
        self.status_label.setText(f"Applied: {result.describe()}. Edit ▸ Undo undoes it.")
        self.tabs.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.editable = False
        self.sig_applied.emit(result)
        self._import_new()

    def _apply_failed(self, error: BaseException) -> None:
        self.update_summary()
        ops.show_error(self, f"Nothing was applied. {ops.describe_failure(error)}")

    def _import_new(self) -> None:
        """The new learners accepted, to the import's preview as one batch."""
        if not self.review.import_rows():
            return
        from pathlib import Path

        from planit_desktop.model.services.importing import check_table, load_context
        from planit_desktop.model.services.school import get_school
        from planit_desktop.ui.importing.preview import ImportPreviewDialog, LoadedFile

        table = self.review.import_table()
        path = Path(self.path) if self.path else Path(self.comparison.source_name)

        def work(session: Any, _progress: ops.Progress) -> LoadedFile:
            context = load_context(session)
            return LoadedFile(path, check_table(table, context), context, get_school(session).name)

        def loaded(result: LoadedFile) -> None:
            self.preview = ImportPreviewDialog(self.context, result, self.parentWidget() or self)
            self.tabs.setEnabled(False)
            self.apply_button.setEnabled(False)
            self.editable = False
            self.preview.open()
            self.sig_import_opened.emit(self.preview)

        self.context.run(self, work, on_success=loaded, progress_label="Checking the new learners…")
