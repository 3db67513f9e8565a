"""The Groups tab's tables: the groups with their member counts, and one group's members."""

from __future__ import annotations

from enum import IntEnum

from planit_desktop.model.services.groups import GroupRow, MemberRow, natural_key
from planit_desktop.model.validation.years import format_year_group
from planit_desktop.ui.tables.base import Column, RowTableModel
from planit_desktop.ui.tables.learners import status_text


def _natural(name: str) -> str:
    # natural_key is a tuple; Qt sorts on plain values, so numbers are zero-padded instead.
    return "\x00".join(f"{number:09d}" if not text else text for number, text in natural_key(name))


class GroupColumn(IntEnum):
    NAME = 0
    MEMBERS = 1
    SUPERVISORS = 2


class GroupTableModel(RowTableModel[GroupRow]):
    """One row per group: its name, learners on roll, and supervisors this academic year."""

    columns = (
        Column("Group", lambda r: r.name, lambda r: _natural(r.name)),
        Column(
            "Learners",
            lambda r: f"{r.member_count:,}",
            lambda r: r.member_count,
            tooltip="Learners on roll in the group",
            align_right=True,
        ),
        Column(
            "Supervisors",
            lambda r: ", ".join(r.supervisors) or "None assigned",
            lambda r: len(r.supervisors),
            tooltip="Supervisors with access to the group this academic year",
        ),
    )
    assert len(columns) == len(GroupColumn)


class MemberColumn(IntEnum):
    SURNAME = 0
    FIRST_NAMES = 1
    YEAR_GROUP = 2
    STATUS = 3


class MemberTableModel(RowTableModel[MemberRow]):
    """The learners in one group."""

    columns = (
        Column(
            "Surname",
            lambda r: r.surname,
            lambda r: f"{r.surname.casefold()}\x00{r.first_names.casefold()}",
        ),
        Column("First names", lambda r: r.first_names),
        Column("Year group", lambda r: format_year_group(r.year_group), lambda r: r.year_group),
        Column("Status", lambda r: status_text(r.status)),
    )
    assert len(columns) == len(MemberColumn)

    def row_id(self, row: MemberRow) -> int:
        return row.learner_id
