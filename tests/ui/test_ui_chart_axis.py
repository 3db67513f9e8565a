"""The year groups chart's count axis reads right at any size of school: whole, round,
distinct numbers from 0, with room above the tallest bar (an empty school's axis once read
"0, 0, 1, 1")."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCharts import QValueAxis

from planit_desktop.ui.year_end.chart import YearGroupChart, whole_number_axis


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
