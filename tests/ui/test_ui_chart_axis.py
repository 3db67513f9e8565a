"""The year groups chart's count axis reads right at any size of school: whole, round,
distinct numbers from 0, with room above the tallest bar (an empty school's axis once read
"0, 0, 1, 1")."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QCoreApplication

from planit_desktop.ui.year_end.chart import YearGroupChart, whole_number_axis
from tests.support.looking import assert_looks_right, save_grab


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (0, (1, 2)),
        (1, (2, 3)),
        (3, (4, 5)),
        (9, (10, 6)),
        (40, (50, 6)),
        (200, (250, 6)),
        (1_000, (1_500, 4)),
        (20_000, (25_000, 6)),
    ],
)
def test_the_axis_has_whole_round_ticks_above_the_tallest_bar(
    top: int, expected: tuple[int, int]
) -> None:
    highest, ticks = whole_number_axis(top)
    assert (highest, ticks) == expected
    step, remainder = divmod(highest, ticks - 1)
    assert remainder == 0 and step >= 1  # every tick a whole number, none repeated
    assert highest > top or top == 0


def _value_axis(chart: YearGroupChart) -> QValueAxis:
    axes = [a for a in chart.view.chart().axes() if isinstance(a, QValueAxis)]
    assert len(axes) == 1
    return axes[0]


@pytest.mark.parametrize(("counts", "top", "ticks"), [({7: 0, 8: 0}, 1, 2), ({7: 1, 8: 1}, 2, 3)])
def test_a_tiny_or_empty_schools_chart_counts_in_whole_learners(
    qtbot: Any, counts: dict[int, int], top: int, ticks: int
) -> None:
    chart = YearGroupChart("Learners on roll by year group", "Learners (chart)")
    qtbot.addWidget(chart)
    chart.show_counts([("Learners on roll", counts)])
    axis = _value_axis(chart)
    assert (axis.min(), axis.max(), axis.tickCount()) == (0, top, ticks)
    assert axis.labelFormat() == "%d"
    _shown_and_looked_at(qtbot, chart, f"chart-{sum(counts.values())}-learners")


def test_a_large_schools_bars_keep_their_labels_whole(qtbot: Any) -> None:
    """20,000 learners a year group (a 100,000-learner trust): each bar's label written whole
    inside its bar, the axis labels too, at the chart's own size."""
    chart = YearGroupChart("Learners on roll by year group", "Learners (chart)")
    qtbot.addWidget(chart)
    every = dict.fromkeys(range(7, 12), 20_000)
    chart.show_counts([("Now", every), ("After", {**every, 7: 0, 11: 20_000})])
    assert _value_axis(chart).max() == 25_000
    _shown_and_looked_at(qtbot, chart, "chart-100000-learners")


def _shown_and_looked_at(qtbot: Any, chart: YearGroupChart, name: str) -> None:
    """The chart at its own size, shown: no label cut off (saved for review)."""
    chart.resize(chart.sizeHint())
    chart.show()
    qtbot.waitExposed(chart)
    for _ in range(3):
        QCoreApplication.processEvents()
    save_grab(chart, name)
    assert_looks_right(chart, name)
