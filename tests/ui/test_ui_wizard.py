"""The year-end wizard on the demo school, driven as a coordinator would: exceptions marked,
renames accepted and edited, the new year typed, the run, the report and the PDF; a wizard
closed half-way and reopened finds its choices; every model passes Qt's model tester."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    Learner,
    LearnerStatus,
    School,
    SupervisorAccess,
    YearEndDraft,
    YearEndRun,
)
from planit_desktop.model.services.year_end import LeavingDetails
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.year_renames import YearRenameColumn
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.year_end.models import Choice
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
from tests.support.dialogs import FileDialogs

WAIT = 15_000
AUGUST = date(2026, 8, 3)


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[YearEndTab]:
    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)  # a weak reference only: the fixture keeps the window alive
    page = window.tab(YearEndTab)
    page.clock = lambda: AUGUST
    with qtbot.waitSignal(page.sig_tab_loaded, timeout=WAIT):
        window.show()
    yield page
    window.close()


def open_wizard(qtbot: Any, tab: YearEndTab) -> YearEndWizard:
    assert tab.start_button.isEnabled()
    tab.start_year_end()
    wizard = tab.wizard
    assert isinstance(wizard, YearEndWizard)
    qtbot.waitUntil(lambda: wizard.data is not None, timeout=WAIT)
    return wizard


def go_to(wizard: YearEndWizard, page_id: PageId) -> Any:
    while wizard.currentId() != page_id:
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled(), wizard.currentId()
        wizard.next()
    return wizard.pages[page_id]


def rename_row(wizard: YearEndWizard, old: str) -> int:
    return next(i for i, r in enumerate(wizard.renames.rows()) if r.old == old)


def select_shown(page: Any, count: int | None = None) -> list[int]:
    page.table.clearSelection()
    if count is None:
        page.select_all.click()
    else:
        for row in range(count):
            page.table.selectionModel().select(
                page.proxy.index(row, 0),
                page.table.selectionModel().SelectionFlag.Select
                | page.table.selectionModel().SelectionFlag.Rows,
            )
    return page.selected_ids()


def files_recorded(database: Database) -> list[tuple[str, str | None, str | None]]:
    with database.read() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.field, AuditEntry.new_value)
            .where(AuditEntry.action == "file_written")
            .order_by(AuditEntry.id)
        )
        return [(actor, what, path) for actor, what, path in rows]


def test_the_whole_year_end_through_the_wizard(
    qtbot: Any,
    tab: YearEndTab,
    demo_database: Database,
    admin: Actor,
    file_dialogs: FileDialogs,  # noqa: F811
    tmp_path: Path,
) -> None:
    wizard = open_wizard(qtbot, tab)
    assert wizard.testOption(QWizard.WizardOption.HaveHelpButton)
    assert all(page.help_text for page in wizard.pages.values())
    assert "backup" in wizard.pages[PageId.WELCOME].intro.text()

    # Year groups: two Year 8 learners kept back, the whole of 7A leaving.
    page = go_to(wizard, PageId.YEAR_GROUPS)
    moving_before = page.counts.text()
    page.year_filter.setCurrentIndex(page.year_filter.findData(8))
    kept = select_shown(page, 2)
    page.keep_back.click()
    page.year_filter.setCurrentIndex(0)
    page.group_filter.setCurrentIndex(page.group_filter.findData("7A"))
    leaving = select_shown(page)
    assert len(leaving) > 5
    page.mark(Choice.LEAVING, LeavingDetails(date(2026, 7, 20), "Moved away"))
    assert page.counts.text() != moving_before
    assert "2 kept back" in page.counts.text()
    page.group_filter.setCurrentIndex(0)
    page.only_exceptions.setChecked(True)
    assert sorted(page.proxy.learner_ids()) == sorted(kept + leaving)
    page.search.setText("zzzz-nobody")
    assert page.proxy.rowCount() == 0
    page.search.clear()
    page.only_exceptions.setChecked(False)
    assert page.chart.values(0) != page.chart.values(1)

    # Groups: the suggestions ticked, one edited, one unticked; the leavers' name suggested.
    page = go_to(wizard, PageId.GROUPS)
    renames = wizard.renames
    assert renames.rows()[rename_row(wizard, "11A")].new == "11A leavers 2026"
    assert renames.chosen()[renames.rows()[rename_row(wizard, "10A")].group_id] == "11A"
    blue = rename_row(wizard, "Year 10 Blue")
    renames.setData(renames.index(blue, YearRenameColumn.NEW_NAME), "Year 11 Sky")
    set_two = rename_row(wizard, "Y9 Set 2")
    renames.setData(
        renames.index(set_two, YearRenameColumn.GROUP), Qt.CheckState.Unchecked.value,
        Qt.ItemDataRole.CheckStateRole,
    )  # fmt: skip
    assert page.isComplete()
    renames.setData(renames.index(blue, YearRenameColumn.NEW_NAME), "Oak")  # a clash
    assert not page.isComplete() and "Oak" in page.summary.text()
    renames.setData(renames.index(blue, YearRenameColumn.NEW_NAME), "Year 11 Sky")

    page = go_to(wizard, PageId.STAFF)
    assert page.model.rowCount() == 7 and "keep full access" in page.administrators.text()
    page = go_to(wizard, PageId.CHECKS)
    assert "in no group" in page.model.rows()[0].message
    page.look()
    assert page.dialog is not None and page.dialog.list.count() == 2
    page.dialog.close()

    # Confirm: the Run button waits for the new academic year, typed exactly.
    page = go_to(wizard, PageId.CONFIRM)
    run = wizard.button(QWizard.WizardButton.CommitButton)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=WAIT)
    assert "2 learners are kept back" in page.summary.text()
    assert not run.isEnabled()
    qtbot.keyClicks(page.typed, "2026/2")
    assert not run.isEnabled()
    qtbot.keyClicks(page.typed, "7")
    assert run.isEnabled() and not page.early.isVisible()
    wizard.next()
    assert wizard.currentId() == PageId.RUN
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    assert "Done" in wizard.pages[PageId.RUN].status.text()

    # Next steps: the report and the summary saved where the coordinator chose.
    page = go_to(wizard, PageId.NEXT_STEPS)
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    report, summary = tmp_path / "report.xlsx", tmp_path / "summary"
    file_dialogs.answers += [str(report), str(summary)]
    page.report_button.click()
    qtbot.waitUntil(report.exists, timeout=WAIT)
    page.pdf_button.click()
    qtbot.waitUntil((tmp_path / "summary.pdf").exists, timeout=WAIT)
    # Each file of personal data is recorded with its path, as whoever is signed in.
    expected = [
        (admin.login, "rollover report", str(report)),
        (admin.login, "rollover summary", str(tmp_path / "summary.pdf")),
    ]
    if demo_database.path is not None:
        (backup,) = (demo_database.path.parent / "backups").glob("*before-rollover*.db")
        expected.insert(0, (admin.login, "backup before the rollover", str(backup)))
    qtbot.waitUntil(lambda: files_recorded(demo_database) == expected, timeout=WAIT)

    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2026  # type: ignore[union-attr]
        assert {session.get(Learner, i).year_group for i in kept} == {8}  # type: ignore[union-attr]
        gone = [session.get(Learner, i) for i in leaving]
        assert {(g.status, g.left_reason) for g in gone} == {  # type: ignore[union-attr]
            (LearnerStatus.LEFT, "Moved away")
        }
        names = set(session.scalars(select(Group.name)))
        assert {"11A leavers 2026", "11A", "Year 11 Sky", "Y9 Set 2", "8A"} <= names
        assert "Y10 Set 2" not in names and "Year 10 Blue" not in names
        open_access = session.scalars(
            select(SupervisorAccess).where(
                SupervisorAccess.academic_year == 2025, SupervisorAccess.ended_at.is_(None)
            )
        ).all()
        assert open_access == []
        run_row = session.scalars(select(YearEndRun)).one()
        summary_json = json.loads(run_row.summary)
        assert session.scalars(select(YearEndDraft)).all() == []
    assert len(summary_json["kept_back"]) == 2 and len(summary_json["left"]) == len(leaving)
    assert summary_json["access_removed"]

    # A follow-up link closes the wizard and shows its tab.
    page.links["Reassign supervisors to groups"].click()
    assert tab.window().current_tab().title == "Staff Access"


def test_closed_half_way_the_choices_come_back(
    qtbot: Any, tab: YearEndTab, demo_database: Database
) -> None:
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.YEAR_GROUPS)
    page.year_filter.setCurrentIndex(page.year_filter.findData(9))
    kept = select_shown(page, 3)
    page.keep_back.click()
    page.table.clearSelection()
    page.table.selectRow(4)
    left = page.selected_ids()[0]
    page.mark(Choice.LEAVING, LeavingDetails(date(2026, 7, 1), "Moved to Leeds"))
    go_to(wizard, PageId.GROUPS)
    row = rename_row(wizard, "Y9 Set 1")
    wizard.renames.setData(wizard.renames.index(row, YearRenameColumn.NEW_NAME), "Y10 Physics")
    wizard.reject()  # closed half-way

    def saved() -> YearEndDraft | None:
        with demo_database.read() as session:
            return session.scalars(select(YearEndDraft)).first()

    qtbot.waitUntil(
        lambda: saved() is not None and "Y10 Physics" in saved().choices,  # type: ignore[union-attr]
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: tab.wizard is None, timeout=WAIT)

    again = open_wizard(qtbot, tab)
    assert again.learners.kept_back == set(kept)
    assert again.learners.leaving == {left: LeavingDetails(date(2026, 7, 1), "Moved to Leeds")}
    choice = again.renames.rows()[rename_row(again, "Y9 Set 1")]
    assert choice.new == "Y10 Physics" and choice.chosen
    assert "restored" in again.pages[PageId.WELCOME].status.text()

    # Starting afresh throws the draft away.
    again.pages[PageId.WELCOME].discard_button.click()
    qtbot.waitUntil(lambda: not again.learners.kept_back, timeout=WAIT)
    assert saved() is None
    again.reject()


def test_only_administrators_get_in(
    qtbot: Any, demo_database: Database, supervisor_actor: Actor
) -> None:
    window = MainWindow(AppContext(demo_database, supervisor_actor, DataEvents()))
    qtbot.addWidget(window)
    tab = window.tab(YearEndTab)
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        window.show()
    assert not tab.start_button.isEnabled() and not tab.undo_button.isEnabled()
    assert "Only administrators" in tab.action_note.text()
    wizard = YearEndWizard(tab.context, today=lambda: AUGUST, parent=tab)
    page = wizard.pages[PageId.WELCOME]
    qtbot.waitUntil(lambda: "Only administrators" in page.status.text(), timeout=WAIT)
    assert not page.isComplete()
    wizard.reject()


def test_before_august_it_must_be_run_early_on_purpose(
    qtbot: Any, tab: YearEndTab, demo_database: Database
) -> None:
    tab.clock = lambda: date(2026, 6, 1)
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.CONFIRM)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=WAIT)
    qtbot.keyClicks(page.typed, "2026/27")
    assert page.early.isVisible() and not page.isComplete()
    page.early.setChecked(True)
    assert page.isComplete()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2026  # type: ignore[union-attr]


def test_a_failed_run_changes_nothing_and_can_be_tried_again(
    qtbot: Any, tab: YearEndTab, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planit_desktop.ui.year_end import pages_run

    real_backup = pages_run.backup_for

    def no_room(_database: Any) -> Any:
        def write(_label: str) -> str:
            raise OSError(28, "No space left on device")

        return write

    monkeypatch.setattr(pages_run, "backup_for", no_room)
    wizard = open_wizard(qtbot, tab)
    years = go_to(wizard, PageId.YEAR_GROUPS)
    years.table.selectRow(0)
    kept = years.selected_ids()
    years.keep_back.click()
    page = go_to(wizard, PageId.CONFIRM)
    qtbot.waitUntil(lambda: page.plan is not None, timeout=WAIT)
    qtbot.keyClicks(page.typed, "2026/27")
    wizard.next()
    run = wizard.pages[PageId.RUN]
    qtbot.waitUntil(run.retry.isVisible, timeout=WAIT)
    assert "nothing has changed" in run.status.text() and "No space left" in run.status.text()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2025  # type: ignore[union-attr]
        assert session.scalars(select(YearEndRun)).all() == []
        assert session.scalars(select(YearEndDraft)).one()  # the choices are kept

    monkeypatch.setattr(pages_run, "backup_for", real_backup)
    run.retry.click()
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    with demo_database.read() as session:
        assert session.get(School, 1).academic_year == 2026  # type: ignore[union-attr]
        assert session.get(Learner, kept[0]).year_group in {7, 8, 9, 10, 11}  # type: ignore[union-attr]
        run_row = session.scalars(select(YearEndRun)).one()
        assert json.loads(run_row.summary)["kept_back"][0]["id"] == kept[0]
        if demo_database.path is not None:  # a server's own backups cover it: no file
            assert run_row.backup_path and Path(run_row.backup_path).exists()
        else:
            assert run_row.backup_path is None


def test_every_wizard_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, tab: YearEndTab
) -> None:
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.CHECKS)
    years = wizard.pages[PageId.YEAR_GROUPS]
    wizard.learners.set_exception([wizard.learners.rows()[0].id], Choice.KEPT_BACK)
    for model in (
        wizard.learners,
        years.proxy,
        wizard.pages[PageId.STAFF].model,
        page.model,
    ):
        qtmodeltester.check(model)
    wizard.reject()


def test_each_step_can_be_used_from_the_keyboard(qtbot: Any, tab: YearEndTab) -> None:
    """Every button, tick box and labelled field of a step has its own Alt+letter, and none
    takes the letter of the wizard's own Back, Next, Finish or Help buttons."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    wizard = open_wizard(qtbot, tab)
    taken = {"b", "n", "f", "h"}  # < Back, Next >, Finish, Help
    for page_id, page in wizard.pages.items():
        letters = []
        for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
            text = widget.text()
            if "&" in text.replace("&&", "") and (
                not isinstance(widget, QLabel) or widget.buddy() is not None
            ):
                letters.append(text[text.index("&") + 1].lower())
        assert len(letters) == len(set(letters)), (page_id, letters)
        assert not set(letters) & taken, (page_id, letters)
        if page.isCommitPage():  # its commit button stands in for Next
            commit = page.buttonText(QWizard.WizardButton.CommitButton)
            assert commit[commit.index("&") + 1].lower() not in letters, page_id
    wizard.reject()
