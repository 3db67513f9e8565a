"""The coordinator's words everywhere (issue 15): labels as the document writes them, UK
dates, "Year 11" and statuses in words in the history, correct plurals, one sort key for
every list, search by date of birth and group, and guidance that fits the role."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import StaffRole
from planit_desktop.model.services.learners.history import HistoryRow
from planit_desktop.model.services.learners.roll import (
    list_learners,
    matches,
    search_tokens,
)
from planit_desktop.model.services.staff.members import add_staff, list_staff
from planit_desktop.model.wording import count_of, label, recorded_value, sort_key
from planit_desktop.ui.common.table_model import SnapshotProxy
from planit_desktop.ui.learners.dialog_models import HistoryModel
from planit_desktop.ui.learners.table import LearnerColumn, LearnerFilterProxy, LearnerTableModel
from planit_desktop.ui.staff.table import StaffTableModel
from tests.support.learner_rows import LEARNERS
from tests.support.learner_rows import learner_row as _learner
from tests.support.ui_learners import open_tab, rename

# --- labels and values ------------------------------------------------------------------------


def test_labels_keep_the_documents_capitals() -> None:
    assert [label(t) for t in ("UPN", "SIMS number", "date of birth")] == [
        "UPN",
        "SIMS number",
        "Date of birth",
    ]


def test_the_correction_form_says_upn_and_sims_number(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    from PySide6.QtWidgets import QFormLayout, QLabel

    from planit_desktop.ui.learners.correction import CorrectionDialog

    tab = open_tab(qtbot, demo_database, admin)
    tab.select_learners([tab.visible_rows()[0].id])
    tab.actions_.correct.trigger()
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, CorrectionDialog), timeout=10_000)
    form = tab.actions_.dialog.findChild(QFormLayout)
    labels = [
        item.widget().text()
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and isinstance(item.widget(), QLabel)
    ]
    assert "UPN:" in labels and "SIMS number:" in labels
    assert not any(text in labels for text in ("Upn:", "Sims number:"))


@pytest.mark.parametrize(
    ("field", "stored", "shown"),
    [
        ("date_of_birth", "2010-08-10", "10/08/2010"),
        ("left_on", "2026-07-22", "22/07/2026"),
        ("year_group", "11", "Year 11"),
        ("year_group", "0", "Reception"),
        ("status", "on_roll", "On roll"),
        ("status", "left", "Not at my provider"),
        ("status", "completed", "Completed"),
        ("needs_check", "True", "Yes"),
        ("ended_at", "2026-08-03 09:15:02.123456", "03/08/2026 09:15"),
        ("surname", "Smith", "Smith"),
        ("surname", None, ""),
    ],
)
def test_recorded_values_in_the_coordinators_words(
    field: str, stored: str | None, shown: str
) -> None:
    assert recorded_value(field, stored) == shown


def test_the_history_shows_uk_dates_year_groups_and_statuses_in_words() -> None:
    at = datetime(2026, 1, 5, 9, 30)
    corrected, reinstated = "learner_corrected", "learner_reinstated"
    rows = [
        HistoryRow(at, "a", "Ann", corrected, "date_of_birth", "2010-08-10", "2010-08-11", None),
        HistoryRow(at, "a", "Ann", corrected, "year_group", "10", "11", None),
        HistoryRow(at, "a", "Ann", reinstated, "status", "left", "on_roll", None),
    ]
    model = HistoryModel()
    model.set_rows(rows)
    shown = [[model.index(r, c).data() for c in range(3, 6)] for r in range(3)]
    assert shown == [
        ["date of birth", "10/08/2010", "11/08/2010"],
        ["year group", "Year 10", "Year 11"],
        ["status", "Not at my provider", "On roll"],
    ]


def test_a_real_history_has_no_stored_forms(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    from planit_desktop.ui.learners.history import HistoryDialog

    tab = open_tab(qtbot, demo_database, admin)
    learner = tab.visible_rows()[0]
    rename(demo_database, admin, learner.id, date_of_birth="10/08/2010", year_group="11")
    tab.select_learners([learner.id])
    tab.actions_.history.trigger()
    qtbot.waitUntil(lambda: isinstance(tab.actions_.dialog, HistoryDialog), timeout=10_000)
    dialog = tab.actions_.dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10_000)
    cells = {
        dialog.model.index(r, c).data()
        for r in range(dialog.model.rowCount())
        for c in range(dialog.model.columnCount())
    }
    assert "10/08/2010" in cells and "Year 11" in cells
    assert "2010-08-10" not in cells and "11" not in cells
    assert dialog.status.text().endswith(" oldest first.")
    assert not dialog.status.text().startswith("1 entries")


# --- plurals ------------------------------------------------------------------------------------


def test_plurals() -> None:
    assert count_of(1, "learner") == "1 learner"
    assert count_of(1, "entry", "entries") == "1 entry"
    assert count_of(2_000, "learner") == "2,000 learners"


def test_one_learner_found_is_said_in_the_singular(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    from planit_desktop.ui.learners.secondary import SecondaryPasswordsDialog

    tab = open_tab(qtbot, demo_database, admin)
    tab.actions_.secondary.trigger()
    qtbot.waitUntil(
        lambda: isinstance(tab.actions_.dialog, SecondaryPasswordsDialog), timeout=10_000
    )
    dialog = tab.actions_.dialog
    dialog._found([tab.visible_rows()[0]])
    assert dialog.found_label.text().startswith("1 learner found.")


# --- one sort key -------------------------------------------------------------------------------

NAMES = ["Zhang", "Ó Briain", "O'Brien", "Oakes", "de la Cruz", "Davies", "Patel", "ÓLeary"]


def test_accents_and_case_keep_a_name_in_its_letter() -> None:
    ordered = sorted(NAMES, key=sort_key)
    assert ordered == [
        "Davies", "de la Cruz", "Oakes", "Ó Briain", "O'Brien", "ÓLeary", "Patel", "Zhang",
    ]  # fmt: skip


def test_the_learners_list_and_every_table_sort_by_the_one_key(
    demo_database: Database, admin: Actor
) -> None:
    with demo_database.read() as session:
        everyone = list_learners(session, admin)
    ids = [r.id for r in everyone[:3]]
    for learner_id, surname in zip(ids, ["Ó Briain", "Zzyzx", "de Souza"], strict=True):
        rename(demo_database, admin, learner_id, surname=surname)
    with demo_database.read() as session:
        everyone = list_learners(session, admin)
    assert [r.sort_name for r in everyone] == sorted(r.sort_name for r in everyone)
    surnames = [r.surname for r in everyone]
    o_briain = surnames.index("Ó Briain")
    assert surnames[o_briain - 1][0].upper() in "NO" and surnames[o_briain + 1][0] in "OÓP"
    de_souza = surnames.index("de Souza")
    assert surnames[-1] == "Zzyzx" and surnames[de_souza + 1][0].upper() in "DE"
    # The tables' own sorting (any column of text) uses the same key.
    model = LearnerTableModel()
    proxy = LearnerFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows([_learner(n, "A", name, 7) for n, name in enumerate(NAMES)])
    proxy.sort(LearnerColumn.SURNAME, Qt.SortOrder.AscendingOrder)
    assert [proxy.row_at(r).surname for r in range(len(NAMES))] == sorted(NAMES, key=sort_key)


def test_staff_sort_by_the_one_key(demo_database: Database, admin: Actor) -> None:
    with demo_database.begin() as session:
        add_staff(session, admin, name="Óscar Núñez", login="onunez", role=StaffRole.SUPERVISOR)
        add_staff(session, admin, name="zed Lower", login="zlower", role=StaffRole.SUPERVISOR)
    with demo_database.read() as session:
        names = [row.name for row in list_staff(session, admin)]
    assert names == sorted(names, key=sort_key)
    assert names.index("Óscar Núñez") < names.index("zed Lower")
    # The Staff Access table sorts its names the same way.
    model = StaffTableModel()
    model.set_rows(list_rows := list(reversed(_staff_rows(demo_database, admin))))
    proxy = SnapshotProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(len(list_rows))] == names


def _staff_rows(database: Database, admin: Actor) -> list[Any]:
    with database.read() as session:
        return list_staff(session, admin)


# --- search by date of birth and group ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["10/8/2010", "10/08/2010", "10-08-2010", "10.08.10", "10.8.2010", "10-8-10"]
)
def test_search_finds_a_date_of_birth_in_any_day_first_form(typed: str) -> None:
    ann = _learner(9, "Ann", "Wu", 11, date_of_birth=date(2010, 8, 10), groups=("11C",))
    other = _learner(8, "Bea", "Li", 11, date_of_birth=date(2010, 10, 8), sims_number="20100810")
    tokens = search_tokens(typed)
    assert matches(ann.search_key, tokens)
    assert not matches(other.search_key, tokens)  # 8 October, and digits in a SIMS number


def test_search_finds_group_members_and_a_wrong_date_finds_nobody() -> None:
    model = LearnerTableModel()
    proxy = LearnerFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_show_left(True)
    model.set_rows(LEARNERS)
    proxy.set_search_text("10b")
    assert [proxy.row_at(r).surname for r in range(proxy.rowCount())] == ["lovelace"]
    proxy.set_search_text("oak zoe")
    assert [proxy.row_at(r).surname for r in range(proxy.rowCount())] == ["O'Brien"]
    proxy.set_search_text("31/02/2014")
    assert proxy.rowCount() == 0


def test_the_learners_tab_finds_by_date_of_birth_and_group(
    qtbot: Any, demo_database: Database, admin: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, admin)
    learner = next(r for r in tab.visible_rows() if r.groups)
    day = learner.date_of_birth
    tab.search.setText(f"{day.day}.{day.month}.{day.year % 100:02d}")
    qtbot.waitUntil(lambda: learner in tab.visible_rows(), timeout=10_000)
    assert all(r.date_of_birth == day for r in tab.visible_rows())
    tab.search.setText(learner.groups[0].lower())
    qtbot.waitUntil(lambda: learner in tab.visible_rows(), timeout=10_000)
    assert all(
        any(learner.groups[0].casefold() in g.casefold() for g in r.groups)
        or learner.groups[0].casefold().replace(" ", "") in r.search_key
        for r in tab.visible_rows()
    )


# --- guidance that fits the role ------------------------------------------------------------------


def test_supervisors_are_not_told_to_double_click_to_correct(
    qtbot: Any, demo_database: Database, admin: Actor, supervisor_actor: Actor
) -> None:
    administrators = open_tab(qtbot, demo_database, admin)
    assert "to correct their details" in administrators.explanation_label.text()
    supervisors = open_tab(qtbot, demo_database, supervisor_actor)
    text = supervisors.explanation_label.text()
    assert "correct" not in text and "see their history" in text
    assert "date of birth" in text and "group" in text
