"""The wizard's last steps: Confirm (a summary in plain words; the new academic year typed to
confirm), Run (the rollover and the renames in one background operation) and Next steps
(the report, the summary as PDF, and links to the follow-up tasks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
)

from planit_desktop.model.calendar import format_academic_year
from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.personal_files import write_report
from planit_desktop.model.services.staff.access import restore_last_years_assignments
from planit_desktop.model.services.year_end import (
    REPORT_WHAT,
    RolloverPlan,
    plan_rollover,
    write_rollover_report,
)
from planit_desktop.model.services.year_end.run import YearEndOutcome, run_year_end
from planit_desktop.model.services.year_end.summary_pdf import (
    SUMMARY_WHAT,
    write_rollover_summary_pdf,
)
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui import ops
from planit_desktop.ui.common.styles import State, mark
from planit_desktop.ui.ops import describe_failure
from planit_desktop.ui.year_end.page import PageId, YearEndPage, paragraph


class ConfirmPage(YearEndPage):
    help_text = (
        "Read the summary: it is exactly what the year end will do. To go ahead, type the new "
        "academic year as shown (for example 2026/27) and press “Run the year end”. A backup "
        "is taken first. Before 1 August the year end may only be run early on purpose: tick "
        "the box to do so."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Confirm")
        self.setSubTitle("What will happen, in numbers. Type the new academic year to go ahead.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Run the year end")
        layout = QVBoxLayout(self)
        self.summary = paragraph("")
        self.summary.setObjectName("summary")
        layout.addWidget(self.summary)
        self.early = QCheckBox("")
        self.early.hide()
        self.early.toggled.connect(lambda _on: self.completeChanged.emit())
        layout.addWidget(self.early)
        row = QHBoxLayout()
        self.prompt = QLabel("&Type the new academic year to confirm:")
        self.typed = QLineEdit()
        self.typed.setAccessibleName("New academic year")
        self.prompt.setBuddy(self.typed)
        row.addWidget(self.prompt)
        row.addWidget(self.typed)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.registerField("confirm_year*", self.typed)
        self.typed.textChanged.connect(lambda _text: self.completeChanged.emit())
        self.plan: RolloverPlan | None = None
        self.needs_early = False

    def expected(self) -> str:
        data = self.year_end().data
        return "" if data is None else format_academic_year(data.plan.to_year)

    def initializePage(self) -> None:
        wizard = self.year_end()
        self.plan = None
        self.needs_early = False
        self.summary.setText("Working out the summary…")
        self.prompt.setText(f"&Type the new academic year ({self.expected()}) to confirm:")
        choices, actor = wizard.choices(), wizard.context.actor
        wizard.context.run(
            self,
            lambda session, _p: plan_rollover(session, actor, choices),
            on_success=self._show_plan,
            on_failure=lambda error: self.summary.setText(describe_failure(error)),
        )
        self.completeChanged.emit()

    def _show_plan(self, plan: RolloverPlan) -> None:
        self.plan = plan
        renamed = len(self.year_end().choices().renames)
        groups = sum(len(loss.groups) for loss in plan.access_removed)
        self.summary.setText(
            f"The school moves from {format_academic_year(plan.from_year)} to "
            f"{format_academic_year(plan.to_year)}.\n\n"
            f"• {plan.moving_up:,} learners move up one year group.\n"
            f"• {len(plan.kept_back):,} learners are kept back in their year group.\n"
            f"• {len(plan.left):,} learners leave (not at my provider).\n"
            f"• {plan.completed:,} learners complete {format_year_group(plan.highest_year)} "
            "and leave the pre-16 system.\n"
            f"• {plan.joining:,} learners joining in {format_academic_year(plan.to_year)} are "
            "put on roll in the year group they were given.\n"
            f"• {len(plan.access_removed):,} supervisors lose access to {groups:,} groups; "
            f"{len(plan.administrators):,} administrators keep full access.\n"
            f"• {renamed:,} groups are renamed.\n"
            f"• Problems to look at, listed in the report: {count_of(len(plan.problems), 'kind')}."
            "\n\n"
            "A backup of the whole database is taken first."
        )
        today = self.year_end().today()
        early = not plan.is_open(today)
        self.early.setText(
            f"The year end opens on {plan.opens_on.day} {plan.opens_on:%B %Y}. Run it &early anyway"
        )
        self.needs_early = early
        self.early.setVisible(early)
        self.completeChanged.emit()

    def allow_early(self) -> bool:
        """Whether the coordinator chose to run the year end before it opens."""
        return self.needs_early and self.early.isChecked()

    def isComplete(self) -> bool:
        if self.plan is None or self.typed.text().strip() != self.expected():
            return False
        return not self.needs_early or self.early.isChecked()


class RunPage(YearEndPage):
    help_text = (
        "The year end is running: a backup first, then every change in one go. If anything "
        "fails, nothing has changed and the reason is shown; press “Try again” or close the "
        "wizard (your choices are kept)."
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Run")
        self.setSubTitle("The backup, the year end and the renames, in one go.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Next >")
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress of the year end")
        self.status = paragraph("")
        self.status.setObjectName("status")
        self.retry = QPushButton("&Try again")
        self.retry.hide()
        self.retry.clicked.connect(self.start)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.retry)
        layout.addStretch(1)
        self.running = False

    def initializePage(self) -> None:
        self.start()

    @Slot()
    def start(self) -> None:
        wizard = self.year_end()
        confirm = wizard.pages[PageId.CONFIRM]
        assert isinstance(confirm, ConfirmPage)
        data = wizard.data
        if data is None or self.running or wizard.outcome is not None:
            return
        choices, actor = wizard.choices(), wizard.context.actor
        today, early = wizard.today(), confirm.allow_early()

        def work(session: Any, progress: Any) -> YearEndOutcome:
            # The one way into the year end, as the command line's: the backup is its own.
            return run_year_end(
                session,
                actor,
                choices,
                from_year=data.plan.from_year,
                today=today,
                allow_early=early,
                report=progress.report,
            )

        self.running = True
        self.retry.hide()
        self.progress.setRange(0, 0)  # busy until the first report
        self.status.setText("Taking a backup of the database…")
        operation = wizard.context.run(
            self,
            work,
            write=True,
            on_success=self._succeeded,
            on_failure=self._failed,
        )
        operation.sig_op_progressed.connect(self._progressed)
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self.completeChanged.emit()

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        if text:
            self.status.setText(text)

    def _succeeded(self, outcome: YearEndOutcome) -> None:
        wizard = self.year_end()
        self.running = False
        wizard.outcome = outcome
        # Done: there is nothing left to cancel, so the wizard offers only to go on (or close).
        wizard.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        plan = outcome.rollover.plan
        renamed = len(outcome.renamed.renamed) if outcome.renamed else 0
        self.status.setText(
            f"Done. The school is now in {format_academic_year(plan.to_year)}: "
            f"{outcome.rollover.learners_changed:,} learners changed, "
            f"{outcome.rollover.access_ended:,} group assignments ended, {renamed:,} groups "
            f"renamed. Backup: {outcome.rollover.backup_path or 'kept by the database server'}."
        )
        self.completeChanged.emit()
        wizard.sig_year_end_done.emit(outcome)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.year_end().button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(
            f"The year end did not run, and nothing has changed. {describe_failure(error)}"
        )
        mark(self.status, State.ERROR)
        self.retry.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.year_end().outcome is not None


class NextStepsPage(YearEndPage):
    help_text = (
        "Save the report (every learner and what changed for them) and the summary for "
        "printing. Then work through the follow-up tasks: each button closes the wizard and "
        "opens the tab where the task is done. The Year End tab's checklist keeps track."
    )

    FOLLOW_UP = (
        ("Reassign &supervisors to groups", TabTitle.STAFF_ACCESS),
        ("&Import new learners", TabTitle.LEARNERS),
        ("Record &leavers", TabTitle.LEARNERS),
        ("Confirm sub&jects for Years 9–11", TabTitle.SUBJECTS),
        ("Issue secondary &passwords", TabTitle.LEARNERS),
    )

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Next steps")
        self.setSubTitle("Keep the report, then do the follow-up tasks.")
        self.setFinalPage(True)
        layout = QVBoxLayout(self)
        saves = QHBoxLayout()
        self.report_button = QPushButton("Save the &report (.xlsx)…")
        self.pdf_button = QPushButton("Save the summary as P&DF…")
        self.report_button.clicked.connect(lambda: self.save("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        saves.addWidget(self.report_button)
        saves.addWidget(self.pdf_button)
        saves.addStretch(1)
        layout.addLayout(saves)
        self.saved = paragraph("")
        self.saved.setObjectName("saved")
        layout.addWidget(self.saved)
        layout.addWidget(paragraph("Follow-up tasks (each opens its tab):"))
        grid = QGridLayout()
        self.links: dict[str, QPushButton] = {}
        for row, (text, tab) in enumerate(self.FOLLOW_UP):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, t=tab: self.year_end().go_to_tab(t))
            grid.addWidget(button, row, 0)
            grid.addWidget(QLabel(f"on the {tab} tab"), row, 1)
            self.links[text.replace("&", "")] = button
        self.restore_button = QPushButton("Give supervisors last year's &groups again")
        self.restore_button.clicked.connect(self.restore_access)
        grid.addWidget(self.restore_button, 0, 2)
        layout.addLayout(grid)
        from planit_desktop.ui.year_end.pages_mis_check import MisCheckOffer

        self.mis_check = MisCheckOffer(self, before_run=False)
        layout.addWidget(self.mis_check)
        layout.addStretch(1)

    def default_name(self, suffix: str) -> str:
        outcome = self.year_end().outcome
        if outcome is None:
            return f"Year end.{suffix}"
        plan = outcome.rollover.plan
        years = f"{format_academic_year(plan.from_year)} to {format_academic_year(plan.to_year)}"
        return f"Year end {years.replace('/', '-')}.{suffix}"

    @Slot()
    def save(self, suffix: str) -> None:
        wizard, outcome = self.year_end(), self.year_end().outcome
        if outcome is None:
            return
        caption = "Save the year-end report" if suffix == "xlsx" else "Save the summary as PDF"
        kind = "Excel workbook (*.xlsx)" if suffix == "xlsx" else "PDF (*.pdf)"
        path, _filter = QFileDialog.getSaveFileName(self, caption, self.default_name(suffix), kind)
        if not path:
            return
        if not path.lower().endswith(f".{suffix}"):
            path += f".{suffix}"
        actor, run_id = wizard.context.actor, outcome.rollover.run_id
        database = wizard.context.database
        writer = write_rollover_report if suffix == "xlsx" else write_rollover_summary_pdf
        what = REPORT_WHAT if suffix == "xlsx" else SUMMARY_WHAT
        # Written from a read-only session, then recorded in the audit log with its path.
        ops.run_task(
            self,
            lambda _p: write_report(
                database,
                actor,
                what=what,
                write=lambda session: writer(session, actor, run_id, Path(path)),
            ),
            on_success=lambda saved: self.saved.setText(f"Saved as {saved}."),
            progress_label="Saving…",
        )

    @Slot()
    def restore_access(self) -> None:
        wizard, outcome = self.year_end(), self.year_end().outcome
        if outcome is None:
            return
        staff_ids = [loss.staff_id for loss in outcome.rollover.plan.access_removed]
        actor = wizard.context.actor

        def done(restored: dict[int, list[str]]) -> None:
            count = sum(len(groups) for groups in restored.values())
            self.saved.setText(
                f"{count:,} group assignments restored for {len(restored):,} supervisors."
            )
            self.restore_button.setEnabled(False)

        wizard.context.run(
            self,
            lambda session, _p: restore_last_years_assignments(session, actor, staff_ids),
            write=True,
            on_success=done,
        )
