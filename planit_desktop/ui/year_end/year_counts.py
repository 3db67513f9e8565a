"""The Year End tab's table: learners on roll in each year group."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.common.table_model import Column, RowTableModel


@dataclass(frozen=True, slots=True)
class YearCount:
    year_group: int
    learners: int


class YearCountColumn(IntEnum):
    YEAR_GROUP = 0
    LEARNERS = 1


class YearCountModel(RowTableModel[YearCount]):
    """One row per year group served, with the number of learners on roll."""

    columns = (
        Column("Year group", lambda r: format_year_group(r.year_group), lambda r: r.year_group),
        Column(
            "Learners on roll",
            lambda r: f"{r.learners:,}",
            lambda r: r.learners,
            align_right=True,
        ),
    )
    assert len(columns) == len(YearCountColumn)

    def row_id(self, row: YearCount) -> int:
        return row.year_group
