"""Check against the MIS in the window, on the demo school and its MIS export: File ▸ Check
against MIS… shows exactly the export's differences per category (tables that pass Qt's model
tester); each category accepted and applied changes exactly its learners, audited, with
support requests for corrections, and Edit ▸ Undo undoes the apply in one step; the new
learners open the import's preview as one batch; the wizard's step before the run turns year
groups that differ into kept-back choices; the checklist's button and hints; a file that is
not the whole roll is explained and nothing can be applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planit_desktop.model.actor import Actor
from planit_desktop.model.db import Database
from planit_desktop.model.entities import Learner, SupportRequest
from planit_desktop.model.kinds import LearnerStatus
from planit_desktop.model.services.reconcile import Category, Choice
from planit_desktop.ui.context import AppContext
from planit_desktop.ui.events import DataEvents
from planit_desktop.ui.importing.preview import ImportPreviewDialog
from planit_desktop.ui.main_window import MainWindow
from planit_desktop.ui.reconcile.dialog import MisCheckDialog
from planit_desktop.ui.undo import history_for
from planit_desktop.ui.year_end.page import PageId
from planit_desktop.ui.year_end.tab import YearEndTab
from planit_desktop.ui.year_end.wizard import YearEndWizard
from tests.support.dialogs import FileDialogs
from tests.support.reconcile import (
    EXPECTED,
    HEADINGS,
    MisExport,
    audited,
    changed_between,
    mis_export,
    snapshot,
    write_rows,
)

WAIT = 30_000
#: A day in August, when the year end out of 2025/26 is open.
AUGUST = date(2026, 8, 3)


@pytest.fixture
def window(qtbot: Any, demo_database: Database, admin: Actor) -> Any:
    window = MainWindow(AppContext(demo_database, admin, DataEvents()))
    qtbot.addWidget(window)
    page = window.tab(YearEndTab)
    with qtbot.waitSignal(page.sig_tab_loaded, timeout=WAIT):
        window.show()
    yield window
    window.close()


@pytest.fixture
def export(demo_database: Database, tmp_path: Path) -> MisExport:
    return mis_export(demo_database, tmp_path)


def open_check(qtbot: Any, window: MainWindow, dialogs: FileDialogs, path: Path) -> MisCheckDialog:
    dialogs.answers.append(str(path))
    menu = window.mis_check_menu
    menu.check = None
    menu.action.trigger()
    qtbot.waitUntil(lambda: menu.check is not None and menu.check.dialog is not None, timeout=WAIT)
    assert menu.check is not None
    dialog = menu.check.dialog
    assert isinstance(dialog, MisCheckDialog)
    return dialog


def apply(qtbot: Any, dialog: MisCheckDialog) -> Any:
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_applied, timeout=WAIT) as applied:
        dialog.apply_button.click()
    return applied.args[0]


@pytest.mark.parametrize("kind", ["xlsx", "ctf"])
def test_the_menu_shows_exactly_the_exports_differences(
    qtbot: Any,
    qtmodeltester: Any,
    window: MainWindow,
    demo_database: Database,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
    kind: str,
) -> None:
    export = mis_export(demo_database, tmp_path, kind=kind)
    assert window.mis_check_menu.action.text() == "Check against &MIS…"
    dialog = open_check(qtbot, window, file_dialogs, export.path)
    assert dialog.comparison.counts() == EXPECTED
    for category, count in EXPECTED.items():
        page = dialog.page(category)
        assert page.model.rowCount() == count
        assert dialog.tabs.tabText(dialog.tabs.indexOf(page)) == f"{category.heading} ({count})"
        qtmodeltester.check(page.model)
        qtmodeltester.check(page.proxy)
    qtmodeltester.check(dialog.years)
    assert sum(count.in_file for count in dialog.comparison.by_year) == len(export.rows)
    assert not dialog.apply_button.isEnabled()  # nothing accepted yet: nothing to apply
    # Each row says what it matched on, and what accepting does.
    page = dialog.page(Category.NOT_IN_MIS)
    assert page.model.index(0, 6).data().startswith("Mark as left on")
    page = dialog.page(Category.GROUPS_DIFFER)
    assert {page.model.index(r, 3).data() for r in range(2)} == {"UPN"}
    dialog.reject()


def test_each_category_applied_changes_exactly_its_learners_and_undo_undoes_it(
    qtbot: Any,
    window: MainWindow,
    demo_database: Database,
    export: MisExport,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    expected = {
        Category.NOT_IN_MIS: set(export.missing),
        Category.GROUPS_DIFFER: set(export.groups),
        Category.DETAILS_DIFFER: set(export.surnames),
        Category.REINSTATE: {export.returning},
    }
    history = history_for(window.context)  # type: ignore[arg-type]
    for category, learners in expected.items():
        dialog = open_check(qtbot, window, file_dialogs, export.path)
        page = dialog.page(category)
        page.accept_all_button.click()
        assert dialog.review.tally(category)[Choice.ACCEPTED] == EXPECTED[category]
        before = snapshot(demo_database)
        apply(qtbot, dialog)
        after = snapshot(demo_database)
        assert changed_between(before, after) == learners, category
        assert history.can_undo()
        dialog.reject()
    state = snapshot(demo_database)
    assert all(state[i][6] is LearnerStatus.LEFT for i in export.missing)
    assert all(state[i][1] == surname for i, surname in export.surnames.items())
    assert all(group in state[i][7] for i, group in export.groups.items())
    assert state[export.returning][6] is LearnerStatus.ON_ROLL
    assert sorted(audited(demo_database, "learner_left")) == sorted(export.missing)
    assert audited(demo_database, "learner_reinstated") == [export.returning]
    with demo_database.read() as session:
        requests = sorted(session.execute(select(SupportRequest.learner_id, SupportRequest.field)))
    assert requests == sorted((i, "surname") for i in export.surnames)

    # Edit ▸ Undo: the last apply (the reinstatement) undone in one step, then redone.
    before_undo = snapshot(demo_database)
    assert history.undo_text().startswith("Undo MIS check")
    operation = history.undo(window)
    assert operation is not None
    qtbot.waitUntil(history.can_redo, timeout=WAIT)
    assert changed_between(before_undo, snapshot(demo_database)) == {export.returning}
    assert snapshot(demo_database)[export.returning][6] is LearnerStatus.LEFT
    history.redo(window)
    qtbot.waitUntil(lambda: history.can_undo() and not history.busy, timeout=WAIT)
    assert snapshot(demo_database) == before_undo


def test_year_groups_corrected_after_the_year_end_with_support_requests(
    qtbot: Any,
    window: MainWindow,
    demo_database: Database,
    export: MisExport,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    dialog = open_check(qtbot, window, file_dialogs, export.path)
    page = dialog.page(Category.YEAR_GROUP_DIFFERS)
    # The demo school's year end is open: each row's default is to keep back; the coordinator
    # changes it to a correction (to the MIS's year group).
    for row in range(page.model.rowCount()):
        difference = page.model.row_at(row)
        target = int(str(difference.changes["year_group"][1]))
        dialog.review.accept(difference, action=_correct(), year_group=target)
    page.show_rows()
    dialog.update_summary()
    before = snapshot(demo_database)
    apply(qtbot, dialog)
    assert changed_between(before, snapshot(demo_database)) == set(export.year_groups)
    with demo_database.read() as session:
        requests = sorted(session.execute(select(SupportRequest.learner_id, SupportRequest.field)))
    assert requests == sorted((i, "year_group") for i in export.year_groups)
    assert sorted(audited(demo_database, "learner_corrected")) == sorted(export.year_groups)


def _correct() -> Any:
    from planit_desktop.model.services.reconcile import Action

    return Action.CORRECT


def test_new_learners_open_the_imports_preview_as_one_batch(
    qtbot: Any,
    window: MainWindow,
    export: MisExport,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    dialog = open_check(qtbot, window, file_dialogs, export.path)
    dialog.page(Category.NEW_LEARNERS).accept_all_button.click()
    assert "5 new learners to import" in dialog.status_label.text()
    with qtbot.waitSignal(dialog.sig_import_opened, timeout=WAIT) as opened:
        dialog.apply_button.click()
    preview = opened.args[0]
    assert isinstance(preview, ImportPreviewDialog)
    result = preview.loaded.result
    assert [row.number for row in result.rows] == export.new_rows
    assert not result.problems and len(result.importable_rows({})) == 5
    preview.reject()


def test_the_wizard_before_the_run_turns_year_groups_into_kept_back_choices(
    qtbot: Any,
    window: MainWindow,
    export: MisExport,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    tab = window.tab(YearEndTab)
    tab.clock = lambda: AUGUST
    tab.reload()
    qtbot.waitUntil(tab.start_button.isEnabled, timeout=WAIT)
    tab.start_year_end()
    wizard = tab.wizard
    assert isinstance(wizard, YearEndWizard)
    qtbot.waitUntil(lambda: wizard.data is not None, timeout=WAIT)
    offer = wizard.pages[PageId.WELCOME].mis_check  # type: ignore[attr-defined]
    file_dialogs.answers.append(str(export.path))
    offer.button.click()
    qtbot.waitUntil(
        lambda: offer.check is not None and offer.check.dialog is not None, timeout=WAIT
    )
    dialog = offer.check.dialog
    page = dialog.page(Category.YEAR_GROUP_DIFFERS)
    assert {page.model.index(r, 6).data()[:7] for r in range(2)} == {"Keep ba"}
    page.accept_all_button.click()
    with qtbot.waitSignal(wizard.sig_data_loaded, timeout=WAIT):
        apply(qtbot, dialog)
    assert wizard.learners.kept_back == set(export.year_groups)
    # The last step offers the check again, after the run.
    after = wizard.pages[PageId.NEXT_STEPS].mis_check  # type: ignore[attr-defined]
    assert not after.before_run and after.button.objectName() == "mis_check_after"
    wizard.reject()


def test_the_checklist_offers_the_check_and_tells_the_last_one(
    qtbot: Any,
    window: MainWindow,
    export: MisExport,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    tab = window.tab(YearEndTab)
    panel = tab.checklist
    assert panel.mis_button.isEnabled()
    file_dialogs.answers.append(str(export.path))
    with qtbot.waitSignal(tab.sig_tab_loaded, timeout=WAIT):
        panel.mis_button.click()  # the comparison is recorded; the tab reloads
    qtbot.waitUntil(lambda: panel.mis_check.dialog is not None, timeout=WAIT)
    qtbot.waitUntil(
        lambda: "MIS check on" in " ".join(item.hint for item in panel.model.rows()), timeout=WAIT
    )
    hints = {item.key: item.hint for item in panel.model.rows()}
    assert "3 learners probably left" in hints["leavers"]
    assert "2 year groups differ" in hints["year_groups"]
    panel.mis_check.dialog.reject()


def test_a_file_that_is_not_the_whole_roll_is_explained_and_cannot_be_applied(
    qtbot: Any,
    window: MainWindow,
    demo_database: Database,
    export: MisExport,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    partial = write_rows(
        tmp_path / "year 7.xlsx", [r for r in export.rows if r["year"] == 7], HEADINGS
    )
    before = snapshot(demo_database)
    dialog = open_check(qtbot, window, file_dialogs, partial)
    assert "not the school's whole roll" in dialog.problems_label.text()
    assert dialog.problems_label.isVisibleTo(dialog)
    assert not dialog.tabs.isEnabled() and not dialog.apply_button.isEnabled()
    assert snapshot(demo_database) == before
    dialog.reject()


def test_a_row_that_could_be_two_learners_is_decided_by_the_coordinator(
    qtbot: Any,
    window: MainWindow,
    demo_database: Database,
    tmp_path: Path,
    file_dialogs: FileDialogs,  # noqa: F811
) -> None:
    import csv

    made = mis_export(demo_database, tmp_path, kind="csv")
    missing = made.missing[0]
    with demo_database.read() as session:
        learner = session.get(Learner, missing)
        assert learner is not None
        first, surname, born, year = (
            learner.first_names, learner.surname, learner.date_of_birth, learner.year_group
        )  # fmt: skip
    with made.path.open("a", newline="", encoding="cp1252") as handle:
        # The left-out learner, with a slip in the first name and no identifiers.
        csv.writer(handle).writerow(
            ["", "", surname, first + "e", born.strftime("%d/%m/%Y"), "", year, ""]
        )
    dialog = open_check(qtbot, window, file_dialogs, made.path)
    page = dialog.page(Category.AMBIGUOUS)
    assert page.model.rowCount() == 1
    assert not page.accept_all_button.isEnabled()  # never accepted in bulk: decided one by one
    assert missing not in {d.learner_id for d in dialog.comparison.rows_of(Category.NOT_IN_MIS)}
    page.table.selectRow(0)
    assert page.candidate.count() == 2  # the learner it could be, or a new learner
    assert page.candidate.itemData(0) == missing
    page.candidate.setCurrentIndex(0)
    page.accept_button.click()
    # Compared again with that pairing: the row is now a correction of that learner.
    assert dialog.comparison.counts()[Category.AMBIGUOUS] == 0
    assert dialog.tabs.tabText(dialog.tabs.indexOf(page)) == "Not sure who (0)"
    (named,) = [
        d for d in dialog.comparison.rows_of(Category.DETAILS_DIFFER) if d.learner_id == missing
    ]
    assert named.changes == {"first_names": (first, first + "e")}
    assert dialog.comparison.counts()[Category.NOT_IN_MIS] == 2
    dialog.reject()


def test_a_supervisor_is_not_offered_the_check(
    qtbot: Any, demo_database: Database, supervisor_actor: Actor
) -> None:
    window = MainWindow(AppContext(demo_database, supervisor_actor, DataEvents()))
    qtbot.addWidget(window)
    assert not window.mis_check_menu.action.isEnabled()
    assert "Only an administrator" in window.mis_check_menu.action.toolTip()
    window.close()
