"""The Year End tab on the demo school: status before and after a rollover, the chart before
and after, the checklist (hints, Go there, Mark as done), and Undo last rollover."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import ChecklistMark, Group, Learner, School
from planit_desktop.model.services.year_end import RolloverStatus, RunInfo
from planit_desktop.model.services.year_end.choices import YearEndChoices
from planit_desktop.model.services.year_end.run import run_year_end
from planit_desktop.ui.year_end.tab import YearEndTab, status_text
from tests.support.dialogs import MessageBoxes
from tests.support.ui_year_end import AUGUST, WAIT, open_tab


def roll_over(database: Database, admin: Actor) -> int:
    with database.begin() as session:
        groups = dict(session.execute(select(Group.name, Group.id)).all())
        edited = session.scalars(select(Learner.id).where(Learner.year_group == 8)).first()
        run_year_end(
            session,
            admin,
            YearEndChoices(renames={groups["Year 10 Blue"]: "Year 11 Blue"}),
            from_year=2025,
            today=AUGUST,
        )
    assert edited is not None
    return edited


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> YearEndTab:
    return open_tab(qtbot, demo_database, admin)


def reload(qtbot: Any, tab: YearEndTab) -> None:
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        tab.reload()


def test_status_says_due_overdue_or_done() -> None:
    base = RolloverStatus(2025, date(2026, 8, 1), True, False, None, False)
    assert "due now" in status_text(base, AUGUST)
    overdue = RolloverStatus(2025, date(2026, 8, 1), True, True, None, False)
    assert "overdue" in status_text(overdue, date(2026, 10, 1))
    run = RunInfo(1, 2025, 2026, datetime(2026, 8, 3, 10, 12), "admin1", None, None)
    done = RolloverStatus(2026, date(2027, 8, 1), False, False, run, True)
    text = status_text(done, AUGUST)
    assert "was done on 3 August 2026 at 10:12 by admin1" in text
    assert "can still be undone" in text


def test_before_the_rollover(tab: YearEndTab) -> None:
    assert "2025/26" in tab.year_label.text()
    assert "is due now" in tab.due_label.text()
    assert tab.start_button.isEnabled() and not tab.undo_button.isEnabled()
    assert tab.checklist.model.rowCount() == 10
    assert "0 of 10 tasks done" in tab.checklist.heading.text()


def test_checklist_marks_and_goes_there(
    qtbot: Any, tab: YearEndTab, demo_database: Database, admin: Actor
) -> None:
    panel = tab.checklist
    panel.select("subjects")
    assert "Years 9 to 11" in panel.explanation.text()
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        panel.mark_button.click()
    with demo_database.read() as session:
        mark = session.scalars(select(ChecklistMark)).one()
    assert (mark.key, mark.academic_year, mark.done_by) == ("subjects", 2025, admin.login)
    assert panel.current().key == "subjects" and panel.current().done  # type: ignore[union-attr]
    assert panel.mark_button.text() == "Mark as &not done"
    assert "1 of 10 tasks done" in panel.heading.text()
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        panel.mark_button.click()
    with demo_database.read() as session:
        assert session.scalars(select(ChecklistMark)).all() == []

    panel.go_button.click()
    assert tab.window().current_tab().title == "Subjects"


def test_supervisors_see_the_checklist_but_cannot_act(
    qtbot: Any, demo_database: Database, supervisor_actor: Actor
) -> None:
    tab = open_tab(qtbot, demo_database, supervisor_actor)
    assert tab.checklist.model.rowCount() == 10
    assert not tab.checklist.mark_button.isEnabled()
    assert tab.checklist.go_button.isEnabled()
    assert not tab.start_button.isEnabled()


def test_after_the_rollover_then_undo_from_the_tab(
    qtbot: Any,
    tab: YearEndTab,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    edited = roll_over(demo_database, admin)
    with demo_database.begin() as session:
        learner = session.get(Learner, edited)
        assert learner is not None
        learner.first_names = "Changed Since"
    reload(qtbot, tab)
    assert "2026/27" in tab.year_label.text()
    assert "was done on" in tab.due_label.text() and "can still be undone" in tab.due_label.text()
    assert not tab.start_button.isEnabled() and tab.undo_button.isEnabled()
    assert "next opens on 1 August 2027" in tab.action_note.text()
    before, now = tab.chart.values(0), tab.chart.values(1)
    assert before != now and before[0] > 0 and now[0] == 0  # Year 7 is empty after
    access = tab.checklist.model.rows()[3]
    assert access.key == "supervisor_access" and access.looks_open

    message_boxes.answers.append(QMessageBox.StandardButton.Yes)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 2, timeout=WAIT)
    question, result = message_boxes.shown
    assert question[0] == "question" and "Undo the year end from 2025/26 to 2026/27" in question[1]
    assert "Changed Since" in question[1] and "left as they are" in question[1]
    assert result[0] == "information" and "back in 2025/26" in result[1]
    assert "1 group has its old name again" in result[1]  # counted in words, singular too
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2025  # type: ignore[union-attr]
        assert "Year 10 Blue" in set(session.scalars(select(Group.name)))
    qtbot.waitUntil(lambda: "2025/26" in tab.year_label.text(), timeout=WAIT)
    assert not tab.undo_button.isEnabled() and tab.start_button.isEnabled()


def test_undo_answered_no_changes_nothing(
    qtbot: Any,
    tab: YearEndTab,
    demo_database: Database,
    admin: Actor,
    message_boxes: MessageBoxes,  # noqa: F811
) -> None:
    roll_over(demo_database, admin)
    reload(qtbot, tab)
    message_boxes.answers.append(QMessageBox.StandardButton.No)
    tab.undo_button.click()
    qtbot.waitUntil(lambda: len(message_boxes.shown) == 1, timeout=WAIT)
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2026  # type: ignore[union-attr]


def test_checklist_model_passes_the_model_tester(qtmodeltester: Any, tab: YearEndTab) -> None:
    qtmodeltester.check(tab.checklist.model)
