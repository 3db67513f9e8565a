"""Bar charts of learners per year group (QtCharts), shared by the Year End tab and the wizard.

QtCharts is imported when the first chart is drawn, so start-up need not load it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from planit_desktop.model.validation.years import format_year_group

#: A labelled set of bars: (legend text, learners per year group).
BarSeries = tuple[str, Mapping[int, int]]


class YearGroupChart(QWidget):
    """A chart of one or more sets of bars over the same year groups; redrawn whole on
    :meth:`show_counts` (a handful of bars: cheaper than tracking changes)."""

    #: Of the room each year group has, the share its bars take (the rest is the gap).
    BAR_WIDTH = 0.9

    def __init__(
        self,
        title: str,
        accessible_name: str,
        parent: QWidget | None = None,
        *,
        plot_lines: int = 6,
    ) -> None:
        """``plot_lines``: the least height of the bars' area, in lines of text."""
        super().__init__(parent)
        self.title = title
        self.plot_lines = plot_lines
        self.view: Any = None
        self._values: list[list[float]] = []
        self._labels: tuple[list[str], list[str], list[str]] = ([], [], [])
        self._accessible_name = accessible_name
        self._top = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Room for every label in the chart's font: each bar as wide as its number, each
        year group's name under its bars, the axis's numbers, the title and the legend."""
        metrics = self.fontMetrics()
        line, char = metrics.height(), metrics.averageCharWidth()
        years, numbers, legend = self._labels
        widest_number = max((metrics.horizontalAdvance(n) for n in numbers), default=char * 3)
        widest_year = max((metrics.horizontalAdvance(y) for y in years), default=char * 7)
        bars = max(len(self._values), 1)
        # QtCharts truncates a year group's name unless it has about a line and two
        # characters to spare beside it (measured at 100 %, 150 % and 200 % text).
        per_year = max(
            widest_year + line + char * 2, bars * (widest_number + char) / self.BAR_WIDTH
        )
        plot = int(per_year * max(len(years), 1))
        axis = widest_number + char * 3  # the value axis's numbers and its ticks
        keys = sum(metrics.horizontalAdvance(text) + line * 2 for text in legend)
        title = metrics.horizontalAdvance(self.title) + char * 4
        width = max(plot + axis, keys, title) + line * 2  # the chart's margins
        # Title, plot (the bars and the axis's ticks), year groups, legend, and the spacing
        # QtCharts keeps between them and round the chart.
        height = line * (1 + self.plot_lines + 1 + (1 if len(legend) > 1 else 0)) + line * 6
        return QSize(width, height)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        least = self.minimumSizeHint()
        return QSize(least.width(), least.height() + self.fontMetrics().height() * 4)

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
        bars.setBarWidth(self.BAR_WIDTH)
        chart = QChart()
        line = self.fontMetrics().height()
        chart.setMargins(QMargins(line // 2, line // 2, line // 2, line // 2))
        chart.setBackgroundRoundness(0)
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
        top = max([0.0, *(v for values in self._values for v in values)])
        highest, ticks = whole_number_axis(top)
        axis.setRange(0, highest)
        axis.setTickCount(ticks)
        self._top = top
        chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(axis)
        self._labels = (
            [format_year_group(year) for year in years],
            [f"{int(v)}" for values in self._values for v in values] + [f"{highest}"],
            [label for label, _counts in series],
        )
        self.updateGeometry()
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
        self._fit_ticks()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_ticks()

    def _fit_ticks(self) -> None:
        """As many ticks as the bars' area has room for (QtCharts drops the labels of ticks
        that would overlap): worked out from the widget's height, as minimumSizeHint is."""
        if self.view is None:
            return
        axes = self.view.chart().axes(Qt.Orientation.Vertical)
        if not axes:
            return
        axis, line = axes[0], self.fontMetrics().height()
        legend = 1 if len(self._labels[2]) > 1 else 0
        plot = self.height() - line * (2 + legend + 6)
        room = max(1, int(plot // (line * 1.5)))
        highest, ticks = whole_number_axis(self._top, most_ticks=max(2, min(6, room + 1)))
        if (highest, ticks) != (axis.max(), axis.tickCount()):
            axis.setRange(0, highest)
            axis.setTickCount(ticks)

    def values(self, index: int = -1) -> list[float]:
        """The heights of one set of bars (the last by default), for tests."""
        return list(self._values[index]) if self._values else []


def whole_number_axis(top: float, most_ticks: int = 6) -> tuple[int, int]:
    """The top of a count axis and its number of ticks, so that every tick is a whole,
    round number (a step of 1, 2 or 5 times a power of ten) and the tallest bar has room
    above it: an empty school's axis reads 0, 1; one of 3 learners 0, 1, 2, 3, 4."""
    wanted = max(1.0, top * 1.1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            highest = -(-int(wanted) // candidate) * candidate  # rounded up to the step
            if highest < wanted:
                highest += candidate
            if highest // candidate + 1 <= most_ticks:
                return highest, highest // candidate + 1
        step *= 10
