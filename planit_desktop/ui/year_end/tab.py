"""The Year End tab: where the school stands with the year end, learners per year group
before and after the last rollover, the checklist of follow-up tasks, and the buttons that
start the year-end wizard or undo the last rollover.

Everyone sees it; only administrators can act (the services refuse anyone else anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from planit_desktop.model.calendar import format_academic_year, rollover_opens
from planit_desktop.model.kinds import TabTitle
from planit_desktop.model.services.school import SchoolSummary, summarise
from planit_desktop.model.services.year_end import RolloverStatus, rollover_status
from planit_desktop.model.services.year_end.checklist import Checklist, year_end_checklist
from planit_desktop.model.services.year_end.run import RolloverCounts, last_rollover_counts
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.model.wording import count_of
from planit_desktop.ui import events
from planit_desktop.ui.common.data_tab import DataTab
from planit_desktop.ui.common.fitting_table import FittingTable
from planit_desktop.ui.common.scroll_area import VerticalScrollArea
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.year_end.chart import YearGroupChart
from planit_desktop.ui.year_end.checklist import ChecklistPanel
from planit_desktop.ui.year_end.undo import undo_last_rollover
from planit_desktop.ui.year_end.year_counts import YearCount, YearCountModel


def due_text(academic_year: int, today: date) -> str:
    """When the year end out of ``academic_year`` is due, in plain words."""
    opens = rollover_opens(academic_year)
    when = f"{opens.day} {opens:%B %Y}"
    if today < opens:
        return f"The year end for {format_academic_year(academic_year)} is due from {when}."
    return (
        f"The year end for {format_academic_year(academic_year)} is due now (from {when}): "
        f"it moves the school into {format_academic_year(academic_year + 1)}."
    )


def done_this_year(status: RolloverStatus) -> bool:
    """The rollover into the current academic year stands, and the next is not open yet."""
    run = status.last_run
    return (
        run is not None
        and run.undone_at is None
        and run.to_year == status.academic_year
        and not status.is_open
    )


def status_text(status: RolloverStatus, today: date) -> str:
    """Due, overdue or done (when, by whom), and whether it can still be undone."""
    run = status.last_run
    opens = status.opens_on
    if done_this_year(status) and run is not None:
        text = (
            f"The year end into {format_academic_year(run.to_year)} was done on "
            f"{run.run_at.day} {run.run_at:%B %Y at %H:%M} by {run.run_by}. The next one "
            f"opens on {opens.day} {opens:%B %Y}."
        )
    elif status.overdue:
        text = (
            f"The year end for {status.academic_year_text} is overdue: it was due in August "
            f"{status.academic_year + 1}, before the new academic year began."
        )
    else:
        text = due_text(status.academic_year, today)
    if status.can_undo:
        text += " The last rollover can still be undone."
    return text


@dataclass(frozen=True)
class YearEndData:
    summary: SchoolSummary
    status: RolloverStatus
    checklist: Checklist
    counts: RolloverCounts | None


class YearEndTab(DataTab):
    title = TabTitle.YEAR_END
    explanation = (
        "Each August the year end moves every learner up a year group, keeps groups and their "
        "names as they are unless you choose new names in the wizard, and removes "
        "supervisors' access to groups. You then check the results and do the follow-up "
        "tasks."
    )
    kinds = frozenset(
        {events.LEARNERS, events.SCHOOL, events.ROLLOVER, events.GROUPS, events.STAFF}
        | {events.SUBJECTS}
    )

    #: The clock: tests set a day in August to open the year end.
    clock: Callable[[], date] = staticmethod(date.today)

    def build(self, layout: QVBoxLayout) -> None:
        # Everything below the explanation scrolls where the window is too low for it (large
        # text, a small screen): the tab never holds the main window taller than the screen.
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(VerticalScrollArea(body), 1)

        self.year_label = QLabel("Loading…")
        self.year_label.setObjectName("academic_year")
        font = self.year_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.year_label.setFont(font)
        self.due_label = QLabel()
        self.due_label.setWordWrap(True)
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        column.addWidget(self.year_label)
        column.addWidget(self.due_label)
        column.addWidget(self.totals_label)

        actions = QHBoxLayout()
        self.start_button = QPushButton("&Start the year end…")
        self.undo_button = QPushButton("&Undo last rollover…")
        self.start_button.clicked.connect(self.start_year_end)
        self.undo_button.clicked.connect(self.undo_rollover)
        self.action_note = QLabel()
        self.action_note.setWordWrap(True)
        actions.addWidget(self.start_button)
        actions.addWidget(self.undo_button)
        actions.addWidget(self.action_note, 1)
        column.addLayout(actions)

        self.model = YearCountModel(self)
        # As wide as its headings and numbers in the font it has, never narrower: the
        # chart beside it gives up the room instead.
        self.table = FittingTable(rows=6, least_rows=2)
        self.table.setModel(self.model)
        self.table.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName("Learners on roll by year group")
        self.table.setAccessibleDescription(
            "A row per year group with the number of learners on roll in it; the chart beside "
            "it shows the same counts."
        )
        # Short bars at the least: the tab must fit the main window's smallest size.
        self.chart = YearGroupChart(
            "Learners on roll by year group",
            "Learners on roll by year group (chart)",
            plot_lines=1,
        )
        self.chart.setAccessibleDescription(
            "A bar for each year group, as tall as its number of learners on roll; after a "
            "year end, the counts before it beside today's."
        )
        figures = QWidget()
        row = QHBoxLayout(figures)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.table)
        row.addWidget(self.chart, 1)
        self.checklist = ChecklistPanel(self.context, self.go_to_tab)
        self.checklist.sig_marks_changed.connect(self.reload)
        # Figures above, checklist below: each gets the window's full width, so the chart's
        # year labels and the checklist's hints are readable without widening the window.
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(figures)
        splitter.addWidget(self.checklist)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        column.addWidget(splitter, 1)
        self.data: YearEndData | None = None
        self.wizard: Any = None
        self._update_actions()

    # --- loading ---------------------------------------------------------------------------
    def load(self, session: Any, progress: Progress) -> YearEndData:
        actor, today = self.context.actor, self.clock()
        return YearEndData(
            summarise(session),
            rollover_status(session, today=today),
            year_end_checklist(session, actor),
            last_rollover_counts(session),
        )

    def show_data(self, data: YearEndData) -> None:
        self.data = data
        summary = data.summary
        self.year_label.setText(f"Academic year {summary.academic_year_text}")
        self.due_label.setText(status_text(data.status, self.clock()))
        self.totals_label.setText(
            f"{count_of(summary.on_roll, 'learner')} on roll; {summary.left:,} "
            f"{'has' if summary.left == 1 else 'have'} left and {summary.completed:,} "
            f"{'has' if summary.completed == 1 else 'have'} completed "
            f"{format_year_group(summary.highest_year)}."
            + (
                f" {summary.joining:,} {'is' if summary.joining == 1 else 'are'} joining in "
                f"{format_academic_year(summary.academic_year + 1)} (not on roll yet)."
                if summary.joining
                else ""
            )
        )
        self.model.set_rows([YearCount(y, n) for y, n in summary.learners_by_year.items()])
        self.table.fit_columns()
        counts = data.counts
        if counts is not None and counts.to_year == summary.academic_year:
            self.chart.show_counts(
                [
                    (
                        f"Before the year end ({format_academic_year(counts.from_year)})",
                        counts.before,
                    ),
                    (f"Now ({summary.academic_year_text})", summary.learners_by_year),
                ]
            )
        else:
            self.chart.show_counts([("Learners on roll", summary.learners_by_year)])
        self.checklist.show_checklist(data.checklist)
        self._update_actions()

    def chart_values(self) -> list[float]:
        """The bar heights of learners on roll now, for tests."""
        return self.chart.values()

    # --- acting ----------------------------------------------------------------------------
    def _update_actions(self) -> None:
        admin = self.context.actor.is_administrator
        status = self.data.status if self.data is not None else None
        done = status is not None and done_this_year(status)
        self.start_button.setEnabled(admin and status is not None and not done)
        self.undo_button.setEnabled(admin and status is not None and status.can_undo)
        if not admin:
            note = "Only administrators can run or undo the year end."
        elif status is None:
            note = ""
        elif done:
            note = (
                f"This year's year end is done; the next opens on {status.opens_on.day} "
                f"{status.opens_on:%B %Y}."
            )
        elif not status.is_open:
            note = "Before 1 August the wizard asks you to confirm running it early."
        else:
            note = ""
        self.action_note.setText(note)

    def go_to_tab(self, title: str) -> None:
        window = self.window()
        show_tab = getattr(window, "show_tab", None)
        if callable(show_tab):
            show_tab(title)

    @Slot()
    def start_year_end(self) -> None:
        """Open the year-end wizard (one at a time)."""
        from planit_desktop.ui.year_end.wizard import YearEndWizard

        if self.wizard is not None:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return
        self.wizard = YearEndWizard(
            self.context, today=self.clock, navigate=self.go_to_tab, parent=self
        )
        self.wizard.finished.connect(self._wizard_closed)
        self.wizard.open()

    @Slot(int)
    def _wizard_closed(self, _result: int) -> None:
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()

    @Slot()
    def undo_rollover(self) -> None:
        undo_last_rollover(self, self.context)
