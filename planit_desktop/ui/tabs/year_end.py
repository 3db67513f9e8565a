"""The Year End tab: the academic year, when its year end is due, and learners per year.

The wizard and the checklist come later; this tab already explains the process and shows
the numbers the coordinator checks before and after it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from planit_desktop.model.calendar import format_academic_year, rollover_opens
from planit_desktop.model.services.school import SchoolSummary, summarise
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui import events
from planit_desktop.ui.ops import Progress
from planit_desktop.ui.tables.school import YearCount, YearCountModel
from planit_desktop.ui.tabs.base import DataTab


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


class YearEndTab(DataTab):
    title = "Year End"
    explanation = (
        "Each August the year end moves every learner up a year group, keeps groups and their "
        "names as they are, and removes supervisors' access to groups. You then check the "
        "results and do the follow-up tasks."
    )
    kinds = frozenset({events.LEARNERS, events.SCHOOL, events.ROLLOVER})

    def build(self, layout: QVBoxLayout) -> None:
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
        layout.addWidget(self.year_label)
        layout.addWidget(self.due_label)
        layout.addWidget(self.totals_label)

        self.model = YearCountModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumWidth(320)

        self.figures = QHBoxLayout()
        self.figures.addWidget(self.table)
        # The chart is made with the first data, so start-up need not load QtCharts first.
        self.chart_holder = QWidget()
        self.chart_holder.setLayout(QVBoxLayout())
        self.chart_holder.layout().setContentsMargins(0, 0, 0, 0)
        self.figures.addWidget(self.chart_holder, 1)
        layout.addLayout(self.figures, 1)
        self.chart_view: Any = None
        self.summary: SchoolSummary | None = None

    def load(self, session: Any, progress: Progress) -> SchoolSummary:
        return summarise(session)

    def show_data(self, data: SchoolSummary) -> None:
        self.summary = data
        self.year_label.setText(f"Academic year {data.academic_year_text}")
        self.due_label.setText(due_text(data.academic_year, date.today()))
        self.totals_label.setText(
            f"{data.on_roll:,} learners on roll; {data.left:,} have left and "
            f"{data.completed:,} have completed {format_year_group(data.highest_year)}."
        )
        self.model.set_rows([YearCount(y, n) for y, n in data.learners_by_year.items()])
        self.table.resizeColumnsToContents()
        self._show_chart(data)

    def _show_chart(self, data: SchoolSummary) -> None:
        from PySide6.QtCharts import (
            QBarCategoryAxis,
            QBarSeries,
            QBarSet,
            QChart,
            QChartView,
            QValueAxis,
        )

        bars = QBarSet("Learners on roll")
        bars.append([float(n) for n in data.learners_by_year.values()])
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart = QChart()
        chart.addSeries(series)
        chart.setTitle("Learners on roll by year group")
        chart.legend().hide()
        categories = QBarCategoryAxis()
        categories.append([format_year_group(y) for y in data.learners_by_year])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setRange(0, max([1, *data.learners_by_year.values()]) * 1.15)
        values.applyNiceNumbers()  # ticks at round numbers
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)
        if self.chart_view is None:
            self.chart_view = QChartView()
            self.chart_view.setAccessibleName("Learners on roll by year group (chart)")
            self.chart_holder.layout().addWidget(self.chart_view)
        old = self.chart_view.chart()
        self.chart_view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def chart_values(self) -> list[float]:
        """The bar heights on screen, for tests."""
        if self.chart_view is None:
            return []
        series = self.chart_view.chart().series()[0]
        bars = series.barSets()[0]
        return [bars.at(i) for i in range(bars.count())]
