"""The year-end wizard on the demo school, driven as a coordinator would: exceptions marked,
renames accepted and edited, the new year typed, the run, the report and the PDF; a wizard
closed half-way and reopened finds its choices; every model passes Qt's model tester."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from planit_desktop.cli import main
from planit_desktop.model.actor import Actor
from planit_desktop.model.calendar import end_of_academic_year
from planit_desktop.model.db import Database, open_database
from planit_desktop.model.entities import (
    AuditEntry,
    Group,
    Learner,
    LearnerStatus,
    RolloverJournal,
    School,
    SupervisorAccess,
    YearEndDraft,
    YearEndRun,
)
from planit_desktop.model.services.year_end import LeavingDetails, YearEndChoices
from planit_desktop.model.services.year_end.draft import save_draft
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.groups.year_renames import YearRenameColumn
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.year_end.models import Choice
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.pages_intro import LeavingDialog
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
from tests.support.dialogs import FileDialogs
from tests.support.rollover import copy_database
from tests.support.sign_in import CommandLineSignIn, staff_actor
from tests.support.ui_year_end import AUGUST, WAIT, go_to, open_tab, open_wizard


@pytest.fixture
def tab(qtbot: Any, demo_database: Database, admin: Actor) -> Iterator[YearEndTab]:
    page = open_tab(qtbot, demo_database, admin)
    yield page
    page.window().close()


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


def test_not_at_my_provider_asks_the_date_and_reason_and_leaves_no_dialog_behind(
    qtbot: Any, tab: YearEndTab
) -> None:
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.YEAR_GROUPS)
    chosen = select_shown(page, 2)

    def answer() -> None:
        (dialog,) = [d for d in wizard.findChildren(LeavingDialog) if d.isVisible()]
        dialog.reason.setText("Moved to Leeds")
        dialog.accept()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(page.leaving, Qt.MouseButton.LeftButton)

    assert {i: d.reason for i, d in wizard.learners.leaving.items()} == dict.fromkeys(
        chosen, "Moved to Leeds"
    )
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # Asked again and again over a year end, each one would otherwise stay, hidden.
    assert wizard.findChildren(LeavingDialog) == []


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

    # Groups: nothing ticked until chosen; all proposals accepted at once, one edited, one
    # unticked; the leavers' name proposed.
    page = go_to(wizard, PageId.GROUPS)
    renames = wizard.renames
    assert renames.chosen() == {}  # names stay unless the coordinator chooses
    page.rename_all.click()
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
    # Each line whole, UPN and all: the list is as wide as its longest line.
    widest = max(
        page.dialog.list.fontMetrics().horizontalAdvance(page.dialog.list.item(i).text())
        for i in range(page.dialog.list.count())
    )
    assert page.dialog.list.viewport().width() >= widest
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
    # Nothing is left to cancel once the year end has run.
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()

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
    from planit_desktop.model.services.year_end import run as year_end_run

    real_backup = year_end_run.backup_of

    def no_room(_session: Any) -> Any:
        def write(_label: str) -> str:
            raise OSError(28, "No space left on device")

        return write

    # The run takes its own backup: the file it would write does not fit.
    monkeypatch.setattr(year_end_run, "backup_of", no_room)
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

    monkeypatch.setattr(year_end_run, "backup_of", real_backup)
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


# --- one way into the year end: the wizard and the command line alike ----------------------


def _twin(database: Database, backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """A copy of ``database`` as it is now, on the same kind of server; returns its URL."""
    if backend == "sqlite":
        assert database.path is not None
        folder.mkdir()  # a folder of its own: its backups go beside it, not beside the first
        return f"sqlite:///{copy_database(database.path, folder / 'school.db')}"
    server = request.getfixturevalue("postgres_server")
    database.engine.dispose()  # a database is copied only while nobody is connected to it
    name = server.create_database(template=make_url(database.url).database)
    request.addfinalizer(lambda: server.drop_database(name))
    return str(server.url_for(name))


def _year_end_written(url: str, since: int) -> dict[str, Any]:
    """What a year end wrote in the database at ``url``: the journal, the audit entries after
    entry ``since`` (the backup's path shown as "<backup>"), the run's summary (its time and
    backup path aside), the backup file's name (its time aside), and any draft left."""
    database = open_database(url)
    try:
        with database.read() as session:
            run = session.scalars(select(YearEndRun)).one()
            backup = run.backup_path
            journal = [
                tuple(getattr(row, c.key) for c in RolloverJournal.__table__.columns
                      if c.key not in {"id", "run_id"})
                for row in session.scalars(
                    select(RolloverJournal).order_by(RolloverJournal.learner_id)
                )
            ]  # fmt: skip

            def placed(text: str | None) -> str | None:
                if text is None or backup is None:
                    return text
                return text.replace(backup, "<backup>")

            audit = [
                (e.actor, e.action, e.entity, e.entity_id, e.field,
                 placed(e.old_value), placed(e.new_value), placed(e.detail))
                for e in session.scalars(
                    select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
                )
                # Signing in (the command line's) and saving the choices as the coordinator
                # goes (the wizard's) are not the year end.
                if e.action not in {"sign_in", "year_end_draft_saved"}
            ]  # fmt: skip
            summary = json.loads(run.summary)
            drafts = len(session.scalars(select(YearEndDraft)).all())
    finally:
        database.dispose()
    del summary["run_at"], summary["backup"]
    written = None
    if backup is not None:
        assert Path(backup).is_file()
        assert [p.name for p in Path(backup).parent.iterdir()] == [Path(backup).name]
        written = re.sub(r"^planit_[0-9_-]+_", "planit_<when>_", Path(backup).name)
    return {
        "journal": journal,
        "audit": audit,
        "summary": summary,
        "backup": written,
        "drafts": drafts,
    }


def _last_audit_id(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.max(AuditEntry.id))) or 0


def test_the_wizard_and_the_command_line_do_the_same_year_end(
    qtbot: Any,
    demo_database: Database,
    admin: Actor,
    backend: str,
    request: pytest.FixtureRequest,
    cli_signed_in: CommandLineSignIn,
    tmp_path: Path,
) -> None:
    """The same choices, made in the wizard and given to ``rollover --apply``, write the same
    journal, the same audit entries and a backup named alike: both go through run_year_end.
    (The command line has no renames to choose, so none is ticked in the wizard.)"""
    with demo_database.read() as session:

        def upns(year: int, count: int) -> list[str]:
            return list(
                session.scalars(
                    select(Learner.upn)
                    .where(Learner.year_group == year, Learner.status == LearnerStatus.ON_ROLL)
                    .where(Learner.upn.is_not(None))
                    .order_by(Learner.id)
                    .limit(count)
                )
            )

        kept, leaving = upns(8, 2), upns(9, 1)
    since = _last_audit_id(demo_database)
    twin = _twin(demo_database, backend, request, tmp_path / "twin")

    # The wizard: two learners kept back, one leaving, no group renamed.
    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)
    tab = window.tab(YearEndTab)
    tab.clock = lambda: AUGUST
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        window.show()
    wizard = open_wizard(qtbot, tab)
    page = go_to(wizard, PageId.YEAR_GROUPS)
    for upn in kept:
        page.search.setText(upn)
        assert len(select_shown(page)) == 1
        page.keep_back.click()
    page.search.setText(leaving[0])
    assert len(select_shown(page)) == 1
    page.mark(Choice.LEAVING, LeavingDetails(end_of_academic_year(2025), "Moved away"))
    page.search.clear()
    go_to(wizard, PageId.GROUPS)
    renames = wizard.renames
    for row in range(renames.rowCount()):
        renames.setData(
            renames.index(row, YearRenameColumn.GROUP), Qt.CheckState.Unchecked.value,
            Qt.ItemDataRole.CheckStateRole,
        )  # fmt: skip
    confirm = go_to(wizard, PageId.CONFIRM)
    choices = wizard.choices()
    assert len(choices.kept_back) == 2 and len(choices.leaving) == 1 and not choices.renames

    def draft_saved() -> bool:
        with demo_database.read() as session:
            draft = session.scalars(select(YearEndDraft)).first()
        return draft is not None and YearEndChoices.from_json(json.loads(draft.choices)) == choices

    qtbot.waitUntil(draft_saved, timeout=WAIT)
    qtbot.waitUntil(lambda: confirm.plan is not None, timeout=WAIT)
    qtbot.keyClicks(confirm.typed, "2026/27")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.outcome is not None, timeout=WAIT)
    wizard.reject()
    window.close()

    # The command line, on the copy: the same choices, and the same draft waiting there (as
    # if the coordinator had begun in the wizard on another computer).
    other = open_database(twin)
    try:
        with other.begin() as session:
            save_draft(session, staff_actor(session, admin.login), 2025, choices)
    finally:
        other.dispose()
    status = main(
        ["rollover", "--db", twin, "--apply", "--keep-back", ",".join(kept), "--left",
         leaving[0], "--left-reason", "Moved away", "--allow-early"]
    )  # fmt: skip
    assert status == 0

    by_wizard, by_command = (
        _year_end_written(demo_database.url, since),
        _year_end_written(twin, since),
    )
    assert by_wizard["journal"] and by_wizard["audit"]
    assert by_wizard == by_command
    actions = {entry[1] for entry in by_wizard["audit"]}
    assert {"rollover", "access_ended", "year_end_draft_discarded"} <= actions
    assert by_wizard["drafts"] == 0
    if backend == "sqlite":  # a file beside the database; a server's own backups cover it
        assert "before-rollover-2025-26-to-2026-27" in (by_wizard["backup"] or "")
        assert "file_written" in actions
    else:
        assert by_wizard["backup"] is None
