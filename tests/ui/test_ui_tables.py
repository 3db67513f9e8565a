"""Every table model passes Qt's model tester, empty and filled; sorting and filtering."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import LearnerStatus, StaffRole
from planit_desktop.model.services.groups.listing import GroupRow
from planit_desktop.model.services.learners.roll import list_learners
from planit_desktop.model.services.staff.members import StaffRow
from planit_desktop.model.services.subjects.offers import SubjectMatrix, SubjectRow
from planit_desktop.ui.common.table_model import Role, SnapshotProxy
from planit_desktop.ui.groups.tables import GroupTableModel, MemberTableModel
from planit_desktop.ui.learners.table import LearnerColumn, LearnerFilterProxy, LearnerTableModel
from planit_desktop.ui.staff.table import StaffTableModel
from planit_desktop.ui.subjects.table import SubjectMatrixModel
from planit_desktop.ui.year_end.year_counts import YearCount, YearCountModel
from tests.support.learner_rows import LEARNERS, learner_row

GROUPS = [
    GroupRow(1, "10A", 25, ("Ms Hill",)),
    GroupRow(2, "7A", 30, ()),
    GroupRow(3, "Oak", 5, ()),
]
MEMBERS = [
    learner_row(1, "Zoë", "O'Brien", 7, groups=("7A",)),
    learner_row(3, "Tom", "Smith", 7, status=LearnerStatus.LEFT, groups=("7A",)),
]
STAFF = [
    StaffRow(1, "Ann Admin", "admin1", None, StaffRole.ADMINISTRATOR, True, ()),
    StaffRow(2, "Sam Super", "sup1", "s@x", StaffRole.SUPERVISOR, True, ("7A", "10A")),
    StaffRow(3, "Pat Nogroups", "sup2", None, StaffRole.SUPERVISOR, True, ()),
    StaffRow(4, "Old Leaver", "sup3", None, StaffRole.SUPERVISOR, False, ()),
]
MATRIX = SubjectMatrix(
    years=(9, 10, 11),
    subjects=(
        SubjectRow(1, "English", False, frozenset({9, 11})),
        SubjectRow(2, "Latin", True, frozenset({10})),
    ),
    years_without_subjects=(10,),
)


@pytest.mark.parametrize(
    ("model_class", "rows"),
    [
        (LearnerTableModel, LEARNERS),
        (GroupTableModel, GROUPS),
        (MemberTableModel, MEMBERS),
        (StaffTableModel, STAFF),
        (YearCountModel, [YearCount(7, 30), YearCount(8, 0)]),
    ],
)
def test_row_models_pass_the_model_tester(qtmodeltester: Any, model_class: Any, rows: Any) -> None:
    model = model_class()
    qtmodeltester.check(model)
    model.set_rows(rows)
    qtmodeltester.check(model)
    proxy = SnapshotProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    model.set_rows([])
    qtmodeltester.check(model)


def test_subject_matrix_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = SubjectMatrixModel()
    qtmodeltester.check(model)
    model.set_matrix(MATRIX)
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Subject",
        "Year 9",
        "Year 10 — none offered",
        "Year 11",
    ]
    english = [model.index(0, c).data(Qt.ItemDataRole.CheckStateRole) for c in (1, 2, 3)]
    assert english == [Qt.CheckState.Checked.value, Qt.CheckState.Unchecked.value, 2]
    assert model.index(1, 0).data() == "Latin (retired)"
    assert not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsUserCheckable


def test_learner_proxy_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = LearnerTableModel()
    proxy = LearnerFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    model.set_rows(LEARNERS)
    proxy.set_search_text("love")
    qtmodeltester.check(proxy)


def _shown(proxy: LearnerFilterProxy) -> list[str]:
    return [proxy.row_at(r).surname for r in range(proxy.rowCount())]


def test_learner_filters() -> None:
    model = LearnerTableModel()
    proxy = LearnerFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows(LEARNERS)
    # Left learners are hidden until asked for.
    assert _shown(proxy) == ["O'Brien", "lovelace", "Lovelace"]
    assert proxy.counted_rows() == 3
    proxy.set_show_left(True)
    assert len(_shown(proxy)) == 4
    assert proxy.counted_rows() == 4
    proxy.set_search_text("zoe obrien")
    assert _shown(proxy) == ["O'Brien"]
    proxy.set_search_text("LOVELACE")
    assert _shown(proxy) == ["lovelace", "Lovelace"]
    proxy.set_year_group(9)
    assert _shown(proxy) == ["Lovelace"]
    proxy.set_search_text("")
    proxy.set_year_group(None)
    proxy.set_group("7A")
    assert _shown(proxy) == ["O'Brien", "Smith-Jones"]
    # New rows are filtered with the settings in force.
    model.set_rows(LEARNERS[:1])
    assert _shown(proxy) == ["O'Brien"]


def test_learners_sort_on_native_values() -> None:
    model = LearnerTableModel()
    proxy = LearnerFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_show_left(True)
    model.set_rows(LEARNERS)
    proxy.sort(LearnerColumn.SURNAME, Qt.SortOrder.AscendingOrder)
    # Case does not split the Lovelaces; first names break the tie.
    assert [(r.surname, r.first_names) for r in map(proxy.row_at, range(4))][:2] == [
        ("lovelace", "ada"),
        ("Lovelace", "Ann"),
    ]
    proxy.sort(LearnerColumn.YEAR_GROUP, Qt.SortOrder.AscendingOrder)
    # Year 10 after Year 9 (numbers, not text, where "Year 10" < "Year 7").
    assert [proxy.row_at(r).year_group for r in range(4)] == [7, 7, 9, 10]
    proxy.sort(LearnerColumn.DATE_OF_BIRTH, Qt.SortOrder.AscendingOrder)
    births = [proxy.row_at(r).date_of_birth for r in range(4)]
    assert births == sorted(births)


def test_cells_show_the_schools_words() -> None:
    model = LearnerTableModel()
    model.set_rows(LEARNERS)
    row = [model.index(2, c).data() for c in range(model.columnCount())]
    assert row[LearnerColumn.DATE_OF_BIRTH] == "01/04/2014"
    assert row[LearnerColumn.YEAR_GROUP] == "Year 7"
    assert row[LearnerColumn.STATUS] == "Not at my provider"
    assert model.index(0, LearnerColumn.GROUPS).data() == "7A, Oak"
    assert model.index(0, 0).data(Role.ID) == 1


def test_groups_sort_naturally_and_supervisors_without_groups_stand_out() -> None:
    groups = GroupTableModel()
    proxy = SnapshotProxy()
    proxy.setSourceModel(groups)
    groups.set_rows(GROUPS)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["7A", "10A", "Oak"]
    assert groups.index(1, 2).data() == "None assigned"

    staff = StaffTableModel()
    staff.set_rows(STAFF)
    background = Qt.ItemDataRole.BackgroundRole
    assert staff.index(2, 0).data(background) is not None  # active supervisor, no groups
    assert staff.index(1, 0).data(background) is None
    assert staff.index(3, 0).data(background) is None  # a leaver needs nothing
    assert staff.index(0, 4).data() == "All (administrator)"
    assert staff.supervisors_without_groups() == 1


def test_demo_learners_fill_the_model(
    qtmodeltester: Any, demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        rows = list_learners(session, admin)
    model = LearnerTableModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    assert model.rowCount() == len(rows) > 200


def test_the_qt_binding_keeps_none_alive(qapp: Any) -> None:
    """Painting a table calls ``data()`` thousands of times, most answers None, and every
    Qt call that returns nothing hands None back. A binding built for Python 3.12's immortal
    None (PySide6 6.12.0 on Python 3.11) drops one reference to None at each of those, and
    within seconds of use the program aborts with "deallocating None"."""
    import sys

    model = StaffTableModel()
    model.set_rows(STAFF)
    before = sys.getrefcount(None)
    for _ in range(500):
        model.index(1, 1).data(Qt.ItemDataRole.DecorationRole)
        model.headerData(0, Qt.Orientation.Vertical)
        qapp.processEvents()
    assert sys.getrefcount(None) >= before - 10
