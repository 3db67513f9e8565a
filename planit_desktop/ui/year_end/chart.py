"""Bar charts of learners per year group (QtCharts), shared by the Year End tab and the wizard.

QtCharts is imported when the first chart is drawn, so start-up need not load it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from planit_desktop.model.validation.years import format_year_group

#: A labelled set of bars: (legend text, learners per year group).
BarSeries = tuple[str, Mapping[int, int]]


class YearGroupChart(QWidget):
    """A chart of one or more sets of bars over the same year groups; redrawn whole on
    :meth:`show_counts` (a handful of bars: cheaper than tracking changes)."""

    def __init__(self, title: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.view: Any = None
        self._values: list[list[float]] = []
        self._accessible_name = accessible_name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def show_counts(self, series: Sequence[BarSeries]) -> None:
        from PySide6.QtCharts import (
            QBarCategoryAxis,
            QBarSeries,
            QBarSet,
            QChart,
            QChartView,
            QValueAxis,
        )

        years = sorted({year for _label, counts in series for year in counts})
        bars = QBarSeries()
        self._values = []
        for label, counts in series:
            values = [float(counts.get(year, 0)) for year in years]
            bar_set = QBarSet(label)
            bar_set.append(values)
            bars.append(bar_set)
            self._values.append(values)
        bars.setLabelsVisible(True)
        chart = QChart()
        chart.addSeries(bars)
        chart.setTitle(self.title)
        if len(series) < 2:
            chart.legend().hide()
        else:
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        categories = QBarCategoryAxis()
        categories.append([format_year_group(year) for year in years])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(categories)
        axis = QValueAxis()
        axis.setLabelFormat("%d")
        top = max([1.0, *(v for values in self._values for v in values)])
        axis.setRange(0, top * 1.15)
        axis.applyNiceNumbers()  # ticks at round numbers
        chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(axis)
        if self.view is None:
            self.view = QChartView()
            self.view.setAccessibleName(self._accessible_name)
            layout = self.layout()
            assert layout is not None  # made in __init__
            layout.addWidget(self.view)
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def values(self, index: int = -1) -> list[float]:
        """The heights of one set of bars (the last by default), for tests."""
        return list(self._values[index]) if self._values else []
